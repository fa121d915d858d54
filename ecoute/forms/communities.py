"""Community forms: create or edit one, invite someone by e-mail, and the explicit consent asked
before joining."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.network.models import Caf
from ecoute.models import Community


def _helper(label: str, *, action: str = "") -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    if action:
        helper.form_action = action
    return helper


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name", "description", "caf", "is_open", "consent_text"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_lab_staff or user.is_moderator:
            self.fields["caf"].queryset = Caf.objects.all()
        else:
            del self.fields["caf"]  # a correspondent's community is their Caf's
        self.helper = _helper(_("Créer la communauté"))


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne invitée"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Elle reçoit un lien, valable 14 jours, pour accepter l’invitation."),
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Envoyer l’invitation"), action=action)


class ConsentForm(forms.Form):
    """The explicit consent a member gives: a checkbox never ticked in advance."""

    consent = forms.BooleanField(
        label=_("J’ai lu le texte ci-dessus et j’accepte de rejoindre la communauté."),
        required=True,
        error_messages={"required": _("Cochez la case pour donner votre consentement.")},
    )

    def __init__(self, *args: Any, action: str = "", submit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit or _("Rejoindre la communauté"), action=action)
