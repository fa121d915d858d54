"""Invitations: an account created by an import or an administrator has no password; its owner
is mailed a link to choose one (or, when the agents' identity provider is configured, to sign in
with it).

The link holds a token built like Django's password-reset token, with its own key salt and a
14-day validity. Nothing is stored: the token is a hash of the account's password hash, last
login and invitation date, so it stops working once the password is set (single use), once the
person signs in, and when a newer invitation is sent.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from caflab.accounts.models import BatchInvitation, InvitationBatch, User
from caflab.core import jobs
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

INVITATION_DAYS = 14
# A batch renews its lease (and saves its progress) every this many people.
HEARTBEAT_EVERY = 50


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "caflab.accounts.invitations.InvitationTokenGenerator"
    timeout = INVITATION_DAYS * 24 * 60 * 60

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # The invitation date is part of the hash: sending a new invitation voids the older.
        invited = "" if user.invited_at is None else int(user.invited_at.timestamp())
        return f"{super()._make_hash_value(user, timestamp)}{invited}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        """As Django's, with this generator's own validity instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            expected = self._make_token_with_timestamp(user, timestamp, secret)
            if constant_time_compare(expected, token):
                break
        else:
            return False
        return self._num_seconds(self._now()) - timestamp <= self.timeout


invitation_tokens = InvitationTokenGenerator()


def may_be_invited(user: User) -> bool:
    """An active account that has never had a password of its own."""
    return user.is_active and not user.has_usable_password() and not user.is_erased


def invitation_url(user: User) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return settings.SITE_URL + path


def agents_sso_configured() -> bool:
    return bool(settings.SSO_PROVIDERS.get("agents", {}).get("discovery_url"))


def invitation_user(uidb64: str, token: str) -> User | None:
    """The account a link invites, or None when the link is unknown, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not may_be_invited(user) or not invitation_tokens.check_token(user, token):
        return None
    return user


def invitation_send(*, user_id: int) -> bool:
    """Mail `user_id` its invitation (called by the task, ids only). The invitation date is set
    first: the link is built from it."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not may_be_invited(user):
        return False
    user.invited_at = timezone.now().replace(microsecond=0)
    User.objects.filter(pk=user.pk).update(invited_at=user.invited_at)
    context = {
        "user": user,
        "url": invitation_url(user),
        "days": INVITATION_DAYS,
        "sso_label": settings.SSO_PROVIDERS["agents"]["label"] if agents_sso_configured() else "",
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "site_url": settings.SITE_URL,
    }
    mail_build(
        subject=_("Votre compte CafLab vous attend"),
        text=render_to_string("accounts/invitation_email.txt", context),
        to=[user.email],
        reason=_("un compte a été créé pour vous sur CafLab par les administrateurs du réseau."),
        action=MailAction(_("Choisir mon mot de passe"), context["url"]),
    ).send()
    return True


def invitations_queue(users: list[User]) -> int:
    """Queue the invitation of each account that may be invited (after the commit); the number
    queued."""
    from caflab.accounts import tasks

    invited = [user for user in users if may_be_invited(user)]
    for user in invited:
        enqueue_on_commit(tasks.send_invitation, user.pk)
    return len(invited)


# --- the invitations of an import: one leased job per batch ---------------------------------


class BatchResult:
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"


Outcome = BatchInvitation.Outcome


def invitation_batch_create(
    *,
    user_ids: list[int],
    by: User | None,
    label: str = "",
    retry_of: InvitationBatch | None = None,
) -> InvitationBatch:
    """Record a batch inviting `user_ids` (one row per person) and queue it after the commit.
    Call inside the transaction that created the accounts."""
    from caflab.accounts import tasks

    with transaction.atomic():
        batch = InvitationBatch.objects.create(
            requested_by=by, label=label[:255], total=len(user_ids), retry_of=retry_of
        )
        BatchInvitation.objects.bulk_create(
            (BatchInvitation(batch=batch, user_id=pk) for pk in user_ids), batch_size=1000
        )
    enqueue_on_commit(tasks.send_invitation_batch, batch.pk)
    return batch


def _invite_once(entry_pk: int, user_id: int) -> str:
    """Mail one person of a batch, at most once: the row is marked in the transaction that
    sends, so a second run (or a worker that lost its lease) finds it handled and skips it.
    Returns the outcome, "taken" when another run had it, or raises the sending's error."""
    with transaction.atomic():
        claimed = BatchInvitation.objects.filter(pk=entry_pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.SENT, handled_at=timezone.now()
        )
        if not claimed:
            return "taken"
        if invitation_send(user_id=user_id):
            return Outcome.SENT
        BatchInvitation.objects.filter(pk=entry_pk).update(outcome=Outcome.SKIPPED)
        return Outcome.SKIPPED
    # A worker killed between the SMTP server's acceptance and the COMMIT leaves the row
    # pending: that one person may be mailed twice (a newer link, which voids the older).


def _counts(batch_id: int) -> dict[str, int]:
    return BatchInvitation.objects.filter(batch_id=batch_id).aggregate(
        sent_count=Count("pk", filter=Q(outcome=Outcome.SENT)),
        skipped_count=Count("pk", filter=Q(outcome=Outcome.SKIPPED)),
    )


def invitation_batch_send(*, batch_id: int) -> str:
    """Send a batch's invitations (called by the task, ids only). Safe to run twice: a finished
    batch, or one a live worker holds, is skipped; a batch whose worker died (lease expired) is
    claimed again and mails only the people not mailed yet. The first sending error (the mail
    server is down) stops the batch: failed, with "Relancer"."""
    attempt = jobs.claim(InvitationBatch, batch_id)
    if attempt is None:
        return BatchResult.SKIPPED
    total = InvitationBatch.objects.values_list("total", flat=True).get(pk=batch_id)
    counts = _counts(batch_id)
    pending = (
        BatchInvitation.objects.filter(batch_id=batch_id, outcome=Outcome.PENDING)
        .order_by("pk")
        .values_list("pk", "user_id")
    )

    def save_progress() -> None:
        handled = counts["sent_count"] + counts["skipped_count"]
        percent = min(99, int(100 * handled / total)) if total else 0
        jobs.heartbeat(InvitationBatch, batch_id, attempt, progress=percent, **counts)

    last = 0
    try:
        while chunk := list(pending.filter(pk__gt=last)[:HEARTBEAT_EVERY]):
            for entry_pk, user_id in chunk:
                try:
                    outcome = _invite_once(entry_pk, user_id)
                except Exception as exc:
                    logger.exception("Invitation batch %s: user %s not invited.", batch_id, user_id)
                    save_progress()
                    jobs.fail(
                        InvitationBatch, batch_id, attempt, error=_stopped_message(exc, batch_id)
                    )
                    return BatchResult.FAILED
                if outcome == Outcome.SENT:
                    counts["sent_count"] += 1
                elif outcome == Outcome.SKIPPED:
                    counts["skipped_count"] += 1
            last = chunk[-1][0]
            save_progress()
    except jobs.LeaseLost:
        logger.warning("Invitation batch %s: attempt %s lost its lease.", batch_id, attempt)
        return BatchResult.SKIPPED
    if not jobs.complete(InvitationBatch, batch_id, attempt, **_counts(batch_id)):
        return BatchResult.SKIPPED
    return BatchResult.READY


def _stopped_message(exc: Exception, batch_id: int) -> str:
    left = BatchInvitation.objects.filter(batch_id=batch_id, outcome=Outcome.PENDING).count()
    return _(
        "L’envoi s’est arrêté : le serveur d’e-mails a refusé une invitation (%(error)s). "
        "%(n)s invitation(s) restent à envoyer ; relancez l’envoi."
    ) % {"error": type(exc).__name__, "n": left}


def invitation_batches_requeue(now=None) -> int:
    """Run by the beat every minute: queue again the batches whose worker died (lease expired)
    or whose message was lost; those out of attempts are marked failed, their requester told."""
    from caflab.accounts import tasks

    return jobs.requeue_expired(
        InvitationBatch, tasks.send_invitation_batch, now=now, on_exhausted=_tell_batch_failed
    )


def _tell_batch_failed(batch_id: int) -> None:
    from caflab.notifications.services import notify

    batch = InvitationBatch.objects.select_related("requested_by").get(pk=batch_id)
    if batch.requested_by is None:  # the command line: its log says it
        return
    notify(
        recipients=[batch.requested_by],
        kind="accounts.invitations_failed",
        title=_("L’envoi des invitations de votre import a échoué"),
        body=batch.error,
        url=reverse("accounts:import"),
        own_contribution=True,
    )


@transaction.atomic
def invitation_batch_retry(*, batch: InvitationBatch, by: User) -> InvitationBatch:
    """ "Relancer" a failed batch, or one whose worker stopped answering: a fresh batch for the
    people it did not reach (the old one stays, as a record). Their rows in the old batch are
    marked "moved" under a row lock, so its worker, should it come back, cannot mail them too.
    Returns the batch to follow: the fresh one, the one already relaunched, or `batch`."""
    locked = InvitationBatch.objects.select_for_update().get(pk=batch.pk)
    jobs.abandon_stuck(InvitationBatch.objects.filter(pk=locked.pk))
    locked.refresh_from_db()
    if locked.status != InvitationBatch.Status.FAILED:
        return locked
    # Relaunched already (a second click, another administrator): follow that batch; if it
    # failed in turn, it is the one to relaunch.
    relaunched = locked.retries.order_by("-created_at", "-pk").first()
    if relaunched is not None:
        return relaunched
    # FOR UPDATE waits for a send in flight and re-reads its row: what it mailed is not moved.
    entries = list(
        locked.invitations.select_for_update()
        .filter(outcome=Outcome.PENDING)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    BatchInvitation.objects.filter(pk__in=[pk for pk, _user in entries]).update(
        outcome=Outcome.MOVED, handled_at=timezone.now()
    )
    return invitation_batch_create(
        user_ids=[user_id for _pk, user_id in entries],
        by=by,
        label=locked.label,
        retry_of=locked,
    )
