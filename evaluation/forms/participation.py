"""Forms of the participation part: surveys and their waves, invitations, testimonies, the
effects register. Validation in French next to each field; crispy for the layout only."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import Role, User
from caflab.core.forms import DateInput
from evaluation.models import Effect, StakeholderGroup, Survey, SurveyWave, Testimony
from evaluation.services.participation import MAX_INVITATIONS_PER_BATCH
from projects.models import Project


def _helper(label: Any) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


def _groups_of(project: Project):
    return StakeholderGroup.objects.filter(plan__project=project).order_by("kind", "name")


class SurveyForm(forms.ModelForm):
    intro = forms.CharField(
        label=_("Introduction pour les répondants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Survey
        fields = ["title", "stakeholder_group"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder_group"].queryset = _groups_of(project)
        self.fields["stakeholder_group"].empty_label = _("— Aucune en particulier —")
        self.helper = _helper(_("Créer l’enquête"))


class WaveForm(forms.ModelForm):
    class Meta:
        model = SurveyWave
        fields = ["kind", "label", "opens_on", "closes_on"]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}
        help_texts = {
            "label": _("Facultatif, par exemple « Avant l’expérimentation »."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ouvrir la vague"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("La clôture doit suivre l’ouverture."))
        return data

    def validate_constraints(self, exclude=None) -> None:
        """The date order is checked in clean(), with the message next to the field."""


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("Adresses électroniques des personnes à inviter"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Une adresse par ligne (ou séparées par des virgules). Chacune reçoit un lien "
            "personnel, utilisable une seule fois ; l’adresse est effacée dès la réponse."
        ),
        error_messages={"required": _("Indiquez au moins une adresse.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Envoyer les invitations"))

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        emails = [line.strip() for line in raw.splitlines() if line.strip()]
        wrong = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                wrong.append(email)
        if wrong:
            raise ValidationError(
                _("Adresses non valides : %(emails)s.") % {"emails": ", ".join(wrong[:10])}
            )
        if len(emails) > MAX_INVITATIONS_PER_BATCH:
            raise ValidationError(
                _("%(n)s adresses au plus par envoi.") % {"n": MAX_INVITATIONS_PER_BATCH}
            )
        return emails


class TestimonyForm(forms.ModelForm):
    class Meta:
        model = Testimony
        fields = ["text", "tone", "stakeholder_group", "caf", "consent_to_quote", "collected_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "tone": forms.RadioSelect,
            "collected_on": DateInput(),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder_group"].queryset = _groups_of(project)
        self.fields["caf"].empty_label = _("— Aucune —")
        self.helper = _helper(_("Enregistrer le témoignage"))


def owner_choices(project: Project):
    """Who may own an effect: the project's lead and team, and the lab."""
    return (
        User.objects.active()
        .filter(
            Q(pk=project.lead_id) | Q(project_memberships__project=project) | Q(role=Role.LAB_STAFF)
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class EffectForm(forms.ModelForm):
    class Meta:
        model = Effect
        fields = [
            "nature",
            "description",
            "affected",
            "severity",
            "likelihood",
            "mitigation",
            "owner",
            "caf",
        ]
        widgets = {
            "nature": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "severity": forms.RadioSelect,
            "likelihood": forms.RadioSelect,
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(project)
        self.fields["owner"].empty_label = _("— À désigner —")
        self.fields["caf"].empty_label = _("— Aucune en particulier —")
        self.fields["severity"].help_text = _(
            "Un effet négatif « grave » encore ouvert bloque un « go » à la prochaine revue "
            "de passage."
        )
        self.helper = _helper(_("Inscrire l’effet au registre"))


class EffectTransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Nouveau statut"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le nouveau statut.")},
    )
    comment = forms.CharField(
        label=_("Raison du changement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Expliquez ce changement de statut.")},
    )

    def __init__(self, *args: Any, effect: Effect, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = effect.next_statuses
        self.helper = _helper(_("Changer le statut"))
        self.helper.form_action = action
