"""Forms of contributions: submit one, comment, the list's filters, the moderation queue's bulk
action and the official answer."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.network.models import Caf, Theme
from ecoute.models import AnswerStatus, Consultation, Contribution
from projects.models import Project


def _helper(submit_label: Any, *, prefix: str = "") -> FormHelper:
    """Layout only (the template writes the <form> tag)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", submit_label, css_id=f"envoyer-{prefix}" if prefix else None))
    return helper


class CafChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Caf) -> str:
        return f"{obj.code} – {obj.name}"


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["title", "text", "theme", "caf"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        labels = {"caf": _("Caf concernée (facultatif)")}

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        testimony = consultation.contribution_kind == Consultation.ContributionKind.TESTIMONIES
        self.fields["title"].label = (
            _("Titre de votre témoignage") if testimony else _("Titre de votre idée")
        )
        self.fields["text"].label = _("Votre témoignage") if testimony else _("Votre idée")
        self.fields["text"].help_text = _(
            "N’indiquez ni numéro d’allocataire ni information sur votre situation personnelle "
            "ou celle d’un tiers : votre contribution pourra être publiée."
        )
        self.fields["theme"].queryset = Theme.objects.active()
        self.fields["theme"].required = True
        self.fields["theme"].empty_label = _("Choisissez un thème")
        perimeter = list(consultation.perimeter_cafs.all())
        self.fields["caf"] = CafChoiceField(
            label=_("Caf concernée (facultatif)"),
            queryset=Caf.objects.filter(pk__in=[c.pk for c in perimeter])
            if perimeter
            else Caf.objects.all(),
            required=False,
            empty_label=_("Aucune en particulier"),
        )
        self.helper = _helper(
            _("Envoyer mon témoignage") if testimony else _("Envoyer mon idée"), prefix="contrib"
        )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Votre commentaire"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    prefix = "commentaire"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Publier le commentaire"), prefix=self.prefix)


class ContributionFilterForm(forms.Form):
    """The list's filters, read from the query string (GET: no CSRF, shareable links)."""

    theme = forms.ModelChoiceField(
        label=_("Thème"), queryset=Theme.objects.none(), required=False, empty_label=_("Tous")
    )
    answer = forms.ChoiceField(
        label=_("Réponse officielle"),
        choices=[("", _("Toutes")), *AnswerStatus.choices],
        required=False,
    )
    order = forms.ChoiceField(
        label=_("Trier par"),
        choices=[("recent", _("Les plus récentes")), ("supports", _("Les plus soutenues"))],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.active()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class OfficialAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Réponse officielle"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Publiée sur la contribution et envoyée à son auteur et à ses soutiens."),
    )
    reason = forms.CharField(
        label=_("Motif (obligatoire si non retenue)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    project = forms.ModelChoiceField(
        label=_("Projet du portefeuille (obligatoire si intégrée à un projet)"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Aucun"),
    )

    def __init__(
        self, *args: Any, user: Any, allowed: list[str], current_project: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in AnswerStatus.choices if c[0] in allowed]
        self.fields["project"].queryset = (
            Project.objects.visible_to(user).filter(is_draft=False).order_by("code")
        )
        if current_project is not None:
            self.fields["project"].initial = current_project.pk
        self.helper = _helper(_("Publier la réponse officielle"), prefix="reponse")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status")
        if status == AnswerStatus.NOT_ADOPTED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez pourquoi la contribution n’est pas retenue."))
        if status == AnswerStatus.IN_PROJECT and not data.get("project"):
            self.add_error("project", _("Choisissez le projet qui intègre la contribution."))
        return data
