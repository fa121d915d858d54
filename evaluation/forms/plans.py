"""Forms of the evaluation plan: the plan itself, its stakeholder groups and questions, the
theory of change (steps and links), and saving a version."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import (
    ChangeLink,
    ChangeStep,
    EvaluationPlan,
    EvaluativeQuestion,
    StakeholderGroup,
)


def helper(submit_label: Any) -> FormHelper:
    """Layout only: the templates write the <form> tag (post to the page itself)."""
    form_helper = FormHelper()
    form_helper.form_tag = False
    form_helper.add_input(Submit("submit", submit_label))
    return form_helper


class PlanForm(forms.ModelForm):
    class Meta:
        model = EvaluationPlan
        fields = ["summary", "evidence_level", "methods", "calendar"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "methods": forms.Textarea(attrs={"rows": 3}),
            "calendar": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "evidence_level": _(
                "De 1 (un récit de l’impact) à 5 (des résultats reproduits à grande échelle)."
            ),
            "calendar": _("Les grandes étapes : mesure de référence, vagues d’enquête, bilan…"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Enregistrer le plan"))


class StakeholderGroupForm(forms.ModelForm):
    class Meta:
        model = StakeholderGroup
        fields = ["name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.helper = helper(_("Enregistrer"))


class QuestionForm(forms.ModelForm):
    class Meta:
        model = EvaluativeQuestion
        fields = ["criterion", "text", "methods", "stakeholder_groups", "position"]
        widgets = {"stakeholder_groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["stakeholder_groups"].queryset = plan.stakeholder_groups.order_by("name")
        self.helper = helper(_("Enregistrer"))


class ChangeStepForm(forms.ModelForm):
    class Meta:
        model = ChangeStep
        fields = ["level", "label", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.helper = helper(_("Enregistrer"))


class StepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ChangeStep) -> str:
        return f"{obj.get_level_display()} : {obj.label}"


class ChangeLinkForm(forms.ModelForm):
    source = StepChoiceField(queryset=ChangeStep.objects.none(), label=_("De"))
    target = StepChoiceField(queryset=ChangeStep.objects.none(), label=_("Vers"))

    class Meta:
        model = ChangeLink
        fields = ["source", "target", "assumption"]
        widgets = {"assumption": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "assumption": _("Ce qui doit être vrai pour que l’un mène à l’autre."),
        }

    def __init__(self, *args: Any, plan: EvaluationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = plan.change_steps.order_by("level", "position", "pk")
        self.fields["source"].queryset = steps
        self.fields["target"].queryset = steps
        self.helper = helper(_("Enregistrer"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", _("Un lien relie deux étapes différentes."))
        return data


class VersionForm(forms.Form):
    note = forms.CharField(
        label=_("Ce qui a changé"),
        max_length=300,
        required=False,
        help_text=_("Par exemple : « questions revues après le comité de suivi »."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Enregistrer une nouvelle version"))
