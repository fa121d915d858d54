"""Forms of the reports part: a recommendation, and the management response to it."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User
from caflab.core.forms import DateInput
from caflab.core.richtext import RichTextFormMixin
from evaluation.models import ManagementResponse, Recommendation


def _helper(submit_label: str, *, prefix: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label, css_id=f"envoyer-{prefix}"))
    return helper


class RecommendationForm(RichTextFormMixin, forms.ModelForm):
    richtext_fields = ("text",)

    class Meta:
        model = Recommendation
        fields = ["text", "criterion"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, submit_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].help_text = _("Facultatif : le critère évaluatif concerné.")
        self.helper = _helper(submit_label or _("Ajouter la recommandation"), prefix="reco")
        self.helper.add_input(self.preview_button())


class ManagementResponseForm(forms.ModelForm):
    """The direction's answer. Accepting (even partly) commits to an action and a due date."""

    class Meta:
        model = ManagementResponse
        fields = ["decision", "action", "owner", "due_on", "done_on"]
        widgets = {
            "decision": forms.RadioSelect,
            "action": forms.Textarea(attrs={"rows": 3}),
            "due_on": DateInput,
            "done_on": DateInput,
        }

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The action is carried by someone of the project's team.
        self.fields["owner"].queryset = (
            User.objects.active()
            .filter(Q(project_memberships__project=project) | Q(pk=project.lead_id))
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.helper = _helper(_("Enregistrer la réponse"), prefix="reponse")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") in (
            ManagementResponse.Decision.ACCEPTED,
            ManagementResponse.Decision.PARTLY,
        ):
            if not data.get("action"):
                self.add_error(
                    "action", _("Une recommandation acceptée appelle une action prévue.")
                )
            if not data.get("due_on"):
                self.add_error("due_on", _("Une recommandation acceptée appelle une échéance."))
        return data
