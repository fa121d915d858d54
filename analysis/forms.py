import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.models import Analysis, Code, LibraryCodebook, SuggestedTheme
from analysis.services.agreement import DEFAULT_SAMPLE, MAX_SAMPLE
from analysis.services.themes import DEFAULT_THEMES, MAX_THEMES
from caflab.accounts.models import User
from caflab.core.typeahead import TypeaheadChoiceField

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["label", "parent", "definition", "example", "colour", "shortcut"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "example": forms.Textarea(attrs={"rows": 2}),
            "colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, analysis: Analysis, submit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.analysis = analysis
        themes = analysis.codes.filter(parent__isnull=True)
        if self.instance.pk:
            themes = themes.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = themes.order_by("position", "pk")
        self.fields["parent"].empty_label = _("Aucun : c’est un thème")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit))

    def clean_colour(self) -> str:
        colour = self.cleaned_data["colour"]
        if not COLOUR.match(colour or ""):
            raise forms.ValidationError(_("Une couleur s’écrit #rrggbb, par exemple #0b5cad."))
        return colour.lower()

    def clean_shortcut(self) -> str:
        shortcut = (self.cleaned_data.get("shortcut") or "").strip().lower()
        if shortcut and not shortcut.isalnum():
            raise forms.ValidationError(_("Choisissez une lettre ou un chiffre."))
        others = self.analysis.codes.exclude(pk=self.instance.pk)
        if shortcut and others.filter(shortcut=shortcut).exists():
            raise forms.ValidationError(_("Ce raccourci est déjà pris par un autre code."))
        return shortcut

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if self.analysis.codes.exclude(pk=self.instance.pk).filter(label__iexact=label).exists():
            raise forms.ValidationError(_("Un code de cette analyse porte déjà ce libellé."))
        return label

    def _post_clean(self) -> None:
        self.instance.analysis = self.analysis
        super()._post_clean()


class CopyForm(forms.Form):
    """The analysis whose codebook to copy: typed, with suggestions (a person may manage
    hundreds of analyses: no `<select>` of them all)."""

    source = TypeaheadChoiceField(
        label=_("Copier la grille de codes de l’analyse"),
        queryset=Analysis.objects.none(),
        source="analyses-a-copier",
        help_text=_("Son titre ou son numéro : des suggestions s’affichent."),
    )

    def __init__(self, *args: Any, sources: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        field.queryset = sources
        field.widget.params = {"sauf": analysis.pk}  # its suggestions leave this analysis out


class LibraryCopyForm(forms.Form):
    """The library's codebook to copy: typed, with suggestions (the page lists the most recent
    few)."""

    codebook = TypeaheadChoiceField(
        label=_("Copier une grille de la bibliothèque du CafLab"),
        queryset=LibraryCodebook.objects.all(),
        source="grilles-bibliotheque",
        help_text=_("Son titre : des suggestions s’affichent."),
    )


class LibraryPublishForm(forms.Form):
    title = forms.CharField(label=_("Titre dans la bibliothèque"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("À quoi sert cette grille, pour quel type de consultation."),
    )


class TextCodeForm(forms.Form):
    ACTIONS = [("apply", _("Appliquer")), ("remove", _("Retirer")), ("toggle", _("Basculer"))]
    code = forms.ModelChoiceField(label=_("Code"), queryset=Code.objects.none())
    action = forms.ChoiceField(choices=ACTIONS, initial="apply")

    def __init__(self, *args: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = analysis.codes.all()


class BulkApplyForm(forms.Form):
    # Not "code": the list's own "code" filter travels in the same form.
    apply_code = forms.ModelChoiceField(label=_("Code à appliquer"), queryset=Code.objects.none())

    def __init__(self, *args: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["apply_code"].queryset = analysis.codes.select_related("parent").order_by(
            "position", "pk"
        )


class ThemeRunForm(forms.Form):
    n_themes = forms.IntegerField(
        label=_("Nombre de thèmes à chercher"),
        min_value=2,
        max_value=MAX_THEMES,
        initial=DEFAULT_THEMES,
    )


class ThemeActionForm(forms.Form):
    ACTIONS = [
        ("accept", _("Accepter comme code")),
        ("rename", _("Renommer")),
        ("merge", _("Fusionner")),
        ("discard", _("Écarter")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    label = forms.CharField(label=_("Libellé"), max_length=120, required=False)
    into = forms.ModelChoiceField(
        label=_("Fusionner dans"), queryset=SuggestedTheme.objects.none(), required=False
    )

    def __init__(self, *args: Any, theme: SuggestedTheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = SuggestedTheme.objects.filter(
            run=theme.run_id, status=SuggestedTheme.Status.PROPOSED
        ).exclude(pk=theme.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "rename" and not (data.get("label") or "").strip():
            self.add_error("label", _("Indiquez le nouveau libellé."))
        if data.get("action") == "merge" and not data.get("into"):
            self.add_error("into", _("Choisissez le thème dans lequel fusionner."))
        return data


class SampleForm(forms.Form):
    size = forms.IntegerField(
        label=_("Nombre de textes à tirer au sort"),
        min_value=2,
        max_value=MAX_SAMPLE,
        initial=DEFAULT_SAMPLE,
    )


class BlindCodingForm(forms.Form):
    codes = forms.ModelMultipleChoiceField(
        label=_("Codes"), queryset=Code.objects.none(), required=False
    )

    def __init__(self, *args: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].queryset = analysis.codes.all()


class CodersForm(forms.Form):
    """The two coders whose agreement is shown (a GET form)."""

    first = forms.ModelChoiceField(label=_("Premier codeur"), queryset=User.objects.none())
    second = forms.ModelChoiceField(label=_("Second codeur"), queryset=User.objects.none())

    def __init__(self, *args: Any, coders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            self.fields[name].queryset = coders

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", _("Choisissez deux personnes différentes."))
        return data
