"""Pending accounts: agents who signed in through the agents' identity provider from an
organisation no Caf claims (its SIRET is not one of a Caf's). The lab's administrators place
them in any Caf; a Caf's correspondents place them in their own Caf, as agents. The person is
told in the app and by e-mail. A role above "agent" is only ever given here, by a person."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import AccountChange, Role, SsoIdentity, User, UserQuerySet
from caflab.accounts.services import account_update
from caflab.core import errors
from caflab.network.models import Caf, CafSiret


class AlreadyAssigned(errors.AlreadyDone):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def assigns_any_caf(user: User) -> bool:
    """The lab's administrators place people in any Caf; correspondents only in their own."""
    return bool(user.is_lab_staff or (user.is_active and user.role == Role.ADMIN))


def pending_accounts() -> UserQuerySet:
    """Active pending accounts, oldest first, with what the provider said of their
    organisation (one query for the page, whatever its size)."""
    return (
        User.objects.active()
        .filter(role=Role.PENDING)
        .prefetch_related("sso_identities")
        .order_by("date_joined", "pk")
    )


class AssignForm(forms.Form):
    caf = forms.ModelChoiceField(
        label=gettext_lazy("Caf"),
        queryset=Caf.objects.order_by("position"),
        error_messages={"required": gettext_lazy("Choisissez la Caf de la personne.")},
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"),
        choices=[(Role.AGENT, Role.AGENT.label), (Role.CORRESPONDENT, Role.CORRESPONDENT.label)],
        initial=Role.AGENT,
    )
    remember_siret = forms.BooleanField(
        label=gettext_lazy(
            "Rattacher aussi ce SIRET à cette Caf (les prochains agents de cet "
            "établissement y seront placés d’eux-mêmes)"
        ),
        required=False,
    )

    def __init__(self, *args: Any, assigner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assigner = assigner
        self.helper = FormHelper()
        self.helper.form_tag = False
        if not assigns_any_caf(assigner):
            # A correspondent places people in their own Caf, as agents: nothing to choose.
            self.fields["caf"].queryset = Caf.objects.filter(pk=assigner.caf_id)
            self.fields["caf"].initial = assigner.caf_id
            self.fields["caf"].widget = forms.HiddenInput()
            self.fields["role"].choices = [(Role.AGENT, Role.AGENT.label)]
            self.fields["role"].widget = forms.HiddenInput()
            del self.fields["remember_siret"]

    def clean_caf(self) -> Caf:
        caf = self.cleaned_data["caf"]
        if not assigns_any_caf(self.assigner) and caf.pk != self.assigner.caf_id:
            raise forms.ValidationError(_("Vous ne pouvez rattacher quelqu’un qu’à votre Caf."))
        return caf


@transaction.atomic
def pending_assign(
    *, account: User, by: User, caf: Caf, role: str, remember_siret: bool = False
) -> User:
    """Place the pending `account` in `caf` with `role`. Raises AlreadyAssigned when someone
    else did it first (two correspondents at once: one wins, the other is told)."""
    from caflab.notifications.services import notify

    account = User.objects.select_for_update().get(pk=account.pk)
    if account.role != Role.PENDING or not account.is_active:
        raise AlreadyAssigned(
            _("Le compte de %(who)s a déjà été attribué (%(caf)s).")
            % {"who": account.email, "caf": account.caf or account.get_role_display()}
        )
    identity = account.sso_identities.filter(provider=SsoIdentity.Provider.AGENTS).first()
    reason = _("Attribué par %(by)s") % {"by": by.get_full_name() or by.email}
    account_update(
        user=account,
        by=by,
        source=AccountChange.Source.ASSIGNMENT,
        kind=AccountChange.Kind.ASSIGNED,
        reason=reason,
        role=role,
        caf=caf,
    )
    if remember_siret and assigns_any_caf(by) and identity is not None and identity.siret:
        CafSiret.objects.get_or_create(
            siret=identity.siret,
            defaults={"caf": caf, "label": identity.organisation[:120]},
        )
    notify(
        recipients=[account],
        kind="account_assigned",
        title=_("Votre compte CafLab est prêt"),
        body=_(
            "Vous êtes rattaché·e à la %(caf)s en tant que %(role)s. Vous pouvez maintenant "
            "proposer des idées et des initiatives, et suivre les projets du réseau."
        )
        % {"caf": caf, "role": Role(role).label.lower()},
        url="/",
        actor=by,
        own_contribution=True,  # about their own account: always e-mailed
    )
    return account
