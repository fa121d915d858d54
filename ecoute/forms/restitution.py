"""The restitution's forms: the synthesis, and the decisions as a formset (what was said → what
we did, optionally a portfolio project the manager can see)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.core.richtext import RichTextFormMixin
from ecoute.models import DecisionStatus
from ecoute.services.restitution import DecisionSpec
from projects.models import Project

EXTRA_DECISIONS = 3


class RestitutionForm(RichTextFormMixin, forms.Form):
    """The synthesis. The page writes the buttons, the preview's among them."""

    richtext_fields = ("synthesis",)

    synthesis = forms.CharField(
        label=_("Synthèse"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Ce que les participants ont dit, en quelques paragraphes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DecisionForm(forms.Form):
    # The decision this block edits: kept with its follow-up (its updates are never deleted).
    decision_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    said = forms.CharField(
        label=_("Vous avez dit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.CharField(
        label=_("Nous avons fait"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    project = forms.ModelChoiceField(
        label=_("Projet du portefeuille (facultatif)"),
        queryset=Project.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        said, done = data.get("said", "").strip(), data.get("done", "").strip()
        if said and not done:
            self.add_error("done", _("Dites ce qui a été fait."))
        if done and not said:
            self.add_error("said", _("Dites ce qui a été demandé."))
        if data.get("project") and not (said or done):
            self.add_error("said", _("Dites ce qui a été demandé."))
        return data


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        self.projects = projects
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "projects": self.projects}

    def specs(self) -> list[DecisionSpec]:
        return [
            DecisionSpec(
                said=form.cleaned_data["said"].strip(),
                done=form.cleaned_data["done"].strip(),
                project=form.cleaned_data.get("project"),
                pk=form.cleaned_data.get("decision_id"),
            )
            for form in self.forms
            if form.cleaned_data.get("said", "").strip()
        ]


DecisionFormSet = forms.formset_factory(
    DecisionForm, formset=BaseDecisionFormSet, extra=EXTRA_DECISIONS, max_num=50
)


class DecisionUpdateForm(forms.Form):
    """Where a decision stands: its status, its progress, what happened (required to abandon)."""

    status = forms.ChoiceField(label=_("Avancement"), choices=DecisionStatus.choices)
    progress = forms.IntegerField(
        label=_("Progression (%)"),
        min_value=0,
        max_value=100,
        help_text=_("De 0 à 100 ; une décision réalisée est à 100 %."),
    )
    text = forms.CharField(
        label=_("Où on en est"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Affiché publiquement avec la date. Obligatoire pour abandonner une décision : "
            "dites pourquoi."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer le point d’avancement")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == DecisionStatus.ABANDONED and not data.get("text", "").strip():
            self.add_error("text", _("Dites pourquoi cette décision est abandonnée."))
        return data


class ArchiveWithoutRestitutionForm(forms.Form):
    reason = forms.CharField(
        label=_("Pas de restitution, parce que…"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=20,
        help_text=_(
            "Ce motif est affiché publiquement sur la page de la consultation, à la place de la "
            "restitution."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Archiver sans restitution"), css_class="btn-danger")
        )
