"""Community flows: invite someone by e-mail (a signed, single-use link), join with consent
(by invitation, or freely when the community is open), leave at any time, and invite a
community's members to a consultation (once per consultation and member)."""

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from ecoute.models import (
    Community,
    CommunityConsultationInvite,
    CommunityInvitation,
    Consultation,
    Membership,
)
from ecoute.services.common import AlreadyDone

INVITATION_SALT = "ecoute.community-invitation"
# How long an invitation link stays valid.
INVITATION_MAX_AGE = 60 * 60 * 24 * 14


class InvalidInvitation(errors.DomainError):
    """The invitation link is tampered with, expired or already used."""


class WrongInvitee(InvalidInvitation):
    """The signed-in account is not the one invited."""


# --- invitations to join ---------------------------------------------------------------------


def invitation_token(invitation: CommunityInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: CommunityInvitation) -> str:
    path = reverse("ecoute:community-invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str) -> CommunityInvitation:
    """The pending invitation a link names. Raises InvalidInvitation when the signature is
    wrong, the link has expired, or the invitation was already used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidInvitation(_("Ce lien d’invitation a expiré.")) from exc
    except signing.BadSignature as exc:
        raise InvalidInvitation(_("Ce lien d’invitation n’est pas valide.")) from exc
    invitation = (
        CommunityInvitation.objects.select_related("community")
        .filter(pk=data.get("i") if isinstance(data, dict) else None)
        .first()
    )
    if invitation is None:
        raise InvalidInvitation(_("Ce lien d’invitation n’est pas valide."))
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("Ce lien d’invitation a déjà été utilisé."))
    return invitation


@transaction.atomic
def community_invite(*, community: Community, email: str, by: Any) -> CommunityInvitation:
    """Invite `email` to join `community`: one pending invitation per address, mailed after the
    commit. Raises AlreadyDone when the person is already a member or already invited."""
    email = User.objects.normalize_email(email)
    if Membership.objects.active().filter(community=community, user__email=email).exists():
        raise AlreadyDone(_("Cette personne est déjà membre de la communauté."))
    try:
        with transaction.atomic():
            invitation, created = CommunityInvitation.objects.pending().get_or_create(
                community=community, email=email, defaults={"invited_by": by}
            )
    except IntegrityError as exc:  # the same address, invited twice at once
        raise AlreadyDone(_("Une invitation attend déjà la réponse de cette personne.")) from exc
    if not created:
        raise AlreadyDone(_("Une invitation attend déjà la réponse de cette personne."))
    from ecoute import tasks

    enqueue_on_commit(tasks.send_community_invitation, invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Mail the invitation's link (the task's work). Sends once: a sent or accepted invitation
    is skipped, so a task run twice does not mail twice (a crash between sending and recording
    may, at worst, send again: at least once)."""
    invitation = (
        CommunityInvitation.objects.select_related("community")
        .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    context = {
        "community": invitation.community,
        "url": invitation_url(invitation),
        "days": INVITATION_MAX_AGE // 86400,
        "site_url": settings.SITE_URL,
    }
    mail_build(
        subject=_("Invitation à rejoindre la communauté « %(name)s »")
        % {"name": invitation.community.name},
        text=render_to_string("ecoute/communities/invitation_email.txt", context),
        to=[invitation.email],
        reason=_("vous avez été invité(e) à rejoindre la communauté « %(name)s ».")
        % {"name": invitation.community.name},
        action=MailAction(_("Rejoindre la communauté"), context["url"]),
    ).send()
    CommunityInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def invitations_purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the invitations never accepted whose link has expired: their address is kept no
    longer than the invitation can be used. Returns how many went."""
    limit = (now or timezone.now()) - datetime.timedelta(seconds=INVITATION_MAX_AGE)
    deleted, _by_model = CommunityInvitation.objects.pending().filter(created_at__lt=limit).delete()
    return deleted


# --- joining and leaving ---------------------------------------------------------------------


def _create_membership(
    *, community: Community, user: Any, via: str, now: datetime.datetime
) -> Membership:
    try:
        with transaction.atomic():
            return Membership.objects.create(
                community=community,
                user=user,
                via=via,
                consent_given_at=now,
                consent_version=community.consent_version,
                joined_at=now,
            )
    except IntegrityError as exc:
        raise AlreadyDone(_("Vous êtes déjà membre de cette communauté.")) from exc


@transaction.atomic
def membership_join(
    *, community: Community, user: Any, consent: bool, now: datetime.datetime | None = None
) -> Membership:
    """Join an open community, with the explicit consent the form asked for."""
    if not community.is_open:
        raise errors.InvalidState(_("Cette communauté se rejoint sur invitation."))
    if not consent:
        raise errors.InvalidState(_("Cochez la case pour donner votre consentement."))
    return _create_membership(
        community=community, user=user, via=Membership.Via.SELF, now=now or timezone.now()
    )


@transaction.atomic
def invitation_accept(
    *,
    invitation: CommunityInvitation,
    user: Any,
    consent: bool,
    now: datetime.datetime | None = None,
) -> Membership:
    """Accept an invitation as `user`, whose address must be the one invited. Single use: the
    invitation row is locked and stamped, so a second click (or a race) is refused."""
    if not consent:
        raise errors.InvalidState(_("Cochez la case pour donner votre consentement."))
    now = now or timezone.now()
    locked = CommunityInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvalidInvitation(_("Ce lien d’invitation a déjà été utilisé."))
    if User.objects.normalize_email(user.email) != locked.email:
        raise WrongInvitee(
            _(
                "Cette invitation a été envoyée à une autre adresse e-mail : connectez-vous "
                "avec le compte de l’adresse invitée."
            )
        )
    membership = Membership.objects.active().filter(community=locked.community, user=user).first()
    if membership is None:
        membership = _create_membership(
            community=locked.community, user=user, via=Membership.Via.INVITATION, now=now
        )
    locked.accepted_at = now
    locked.membership = membership
    locked.save(update_fields=["accepted_at", "membership"])
    return membership


def membership_leave(*, membership: Membership, now: datetime.datetime | None = None) -> None:
    """Leave at once. A conditional UPDATE: a double click raises AlreadyDone."""
    left = Membership.objects.filter(pk=membership.pk, left_at__isnull=True).update(
        left_at=now or timezone.now()
    )
    if not left:
        raise AlreadyDone(_("Vous avez déjà quitté cette communauté."))


# --- inviting a community to a consultation ---------------------------------------------------


def consultation_invite_community(*, consultation: Consultation, by: Any) -> None:
    """Queue the invitation of every active member of the consultation's communities. Raises
    InvalidState when the consultation is not a published community consultation."""
    if consultation.access != Consultation.Access.COMMUNITY:
        raise errors.InvalidState(_("Seule une consultation réservée à une communauté s’y prête."))
    if consultation.status not in (Consultation.Status.SCHEDULED, Consultation.Status.OPEN):
        raise errors.InvalidState(
            _("Publiez la consultation avant d’y inviter les membres de la communauté.")
        )
    if not consultation.communities.exists():
        raise errors.InvalidState(_("Choisissez d’abord la communauté invitée."))
    from ecoute import tasks

    enqueue_on_commit(tasks.invite_community_to_consultation, consultation.pk)


def community_members_invite(*, consultation_id: int) -> int:
    """Tell each active member of the consultation's communities that it awaits their answer
    (in-app, and by e-mail as their preference says). Once per consultation and member: the
    CommunityConsultationInvite row, created in the same transaction as the notification, is
    the record. Returns how many members were invited by this run."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or consultation.access != Consultation.Access.COMMUNITY:
        return 0
    already = CommunityConsultationInvite.objects.filter(consultation=consultation).values(
        "user_id"
    )
    members = (
        User.objects.active()
        .filter(
            community_memberships__community__consultations=consultation,
            community_memberships__left_at__isnull=True,
        )
        .exclude(pk__in=already)
        .distinct()
        .order_by("pk")
    )
    title = _("Vous êtes invité(e) à la consultation « %(title)s »") % {"title": consultation.title}
    body = consultation.summary
    invited = 0
    for member in members.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                CommunityConsultationInvite.objects.create(consultation=consultation, user=member)
                notify(
                    recipients=[member],
                    kind="ecoute.community_invite",
                    title=title,
                    body=body,
                    url=consultation.get_absolute_url(),
                )
        except IntegrityError:  # a concurrent run invited this member first
            continue
        invited += 1
    return invited
