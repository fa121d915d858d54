"""Essaimage forms: declare a Caf's interest, move a deployment, log an adaptation."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User
from caflab.core.forms import DateInput
from caflab.core.typeahead import TypeaheadChoiceField
from caflab.network.models import Caf
from projects.models import Adaptation, Deployment, Project

Status = Deployment.Status
ENDED = (Status.DECLINED, Status.STOPPED)


def _helper(submit_label: str, *, action: str = "", form_id: str = "") -> FormHelper:
    helper = FormHelper()
    helper.form_action = action
    helper.form_id = form_id
    helper.add_input(Submit("submit", submit_label))
    return helper


class CafChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Caf) -> str:
        return f"{obj.code} – {obj.name}"


class DeploymentDeclareForm(forms.Form):
    """A correspondent declares for their own Caf (no choice); the lab picks the Caf."""

    caf = CafChoiceField(
        label=_("Caf"),
        queryset=Caf.objects.order_by("position"),
        empty_label=_("Choisissez une Caf"),
        error_messages={"required": _("Choisissez la Caf intéressée.")},
    )
    comment = forms.CharField(
        label=_("Message à l’équipe du projet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : votre contexte, vos questions."),
    )

    def __init__(self, *args: Any, user: User, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_lab_staff:
            self.fields["caf"].initial = user.caf_id
        else:
            del self.fields["caf"]
        self.helper = _helper(
            _("Déclarer l’intérêt de ma Caf")
            if "caf" not in self.fields
            else _("Déclarer l’intérêt de cette Caf"),
            action=action,
            form_id="form-declarer",
        )

    def chosen_caf(self) -> Caf:
        """The Caf declared for: always the user's own, except for the lab."""
        return self.cleaned_data["caf"] if "caf" in self.fields else self.user.caf


class DeploymentMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un renoncement ou un arrêt."),
    )

    def __init__(self, *args: Any, deployment: Deployment, action: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deployment = deployment
        # The current status stays a valid choice: submitting it twice is "already done".
        self.fields["status"].choices = [
            (value, _("%(status)s (statut actuel)") % {"status": label})
            if value == deployment.status
            else (value, label)
            for value, label in Status.choices
        ]
        self.fields["status"].initial = deployment.status
        self.helper = _helper(_("Changer le statut"), action=action, form_id="form-statut")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") in ENDED and not data.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif du renoncement ou de l’arrêt."))
        return data


class AdaptationForm(forms.ModelForm):
    is_faithful = forms.TypedChoiceField(
        label=_("Fidélité au modèle"),
        choices=[
            (True, _("Fidèle au modèle")),
            (False, _("S’écarte du modèle")),
        ],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )

    class Meta:
        model = Adaptation
        fields = ["made_on", "what", "why", "kind", "is_faithful"]
        widgets = {
            "made_on": DateInput(),
            "what": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ajouter l’adaptation"), action=action, form_id="form-adaptation")


class MapFilterForm(forms.Form):
    """The network map's project filter (GET)."""

    # A type-ahead, not a <select> of every project deployed somewhere (hundreds nationally).
    projet = TypeaheadChoiceField(
        label=_("Innovation"),
        queryset=Project.objects.none(),
        source="projets-essaimes",
        required=False,
        help_text=_("Code ou mots du titre ; laissez vide pour toutes les innovations."),
    )

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["projet"].queryset = projects
