"""Notification flows: notify people, follow objects, deliver the outbox, build the digests.

What other apps call:
- `notify(recipients=…, kind=…, title=…, url=…, actor=…, own_contribution=…)`
- `follow(user=…, obj=…)`, `unfollow(user=…, obj=…)`, `is_following(user=…, obj=…)`,
  `followers_of(obj)` (a User QuerySet, to pass to `notify`)
- `caflab.notifications.queueing.enqueue_on_commit(task, *ids)` for their own tasks.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.accounts.models import EmailFrequency
from caflab.notifications import tasks
from caflab.notifications.models import MAX_ATTEMPTS, Follow, Notification, OutboxMail
from caflab.notifications.queueing import enqueue, enqueue_on_commit

if TYPE_CHECKING:
    from caflab.accounts.models import User, UserQuerySet

logger = logging.getLogger(__name__)

# A pending mail attempted this long ago is no longer in a retry chain: flush_outbox takes it
# again (the task's backoff never waits longer than this).
RETRY_STALE_AFTER = timedelta(minutes=15)
RETRY_BACKOFF_MAX_SECONDS = 600
# A digest lists at most this many notifications, then says how many more are waiting.
DIGEST_MAX_ITEMS = 50


class DeliveryResult:
    SENT = "sent"
    SKIPPED = "skipped"  # missing, already sent or failed, or being sent by another worker
    RETRY = "retry"  # temporary error, recorded; try again later
    FAILED = "failed"  # permanent error or too many attempts, recorded


# --- notify ---------------------------------------------------------------------------------


def email_delivery_for(user: "User", *, own_contribution: bool) -> str:
    """How `user` is e-mailed about a new notification. Events about their own contribution are
    always delivered at once, whatever their preference."""
    if own_contribution or user.email_frequency == EmailFrequency.IMMEDIATE:
        return Notification.Delivery.IMMEDIATE
    if user.email_frequency in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
        return Notification.Delivery.DIGEST
    return Notification.Delivery.NONE


def is_site_path(url: str) -> bool:
    """A same-site relative path ("/projets/12/"), the only kind of link a notification holds."""
    return url.startswith("/") and not url.startswith(("//", "/\\")) and "\n" not in url


@transaction.atomic
def notify(
    *,
    recipients: Iterable["User"],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: "User | None" = None,
    own_contribution: bool = False,
) -> list[Notification]:
    """Notify each recipient in-app, and by e-mail as their preference says.

    The actor is never notified of their own action; inactive and duplicate recipients are
    skipped. Immediate e-mails go to the outbox and are queued after the commit; digest ones
    wait for `digests_send`.
    """
    if url and not is_site_path(url):
        raise ValueError("A notification links to a same-site relative path only.")
    users = _unique_recipients(recipients, actor=actor)
    if not users:
        return []
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            actor=actor,
            kind=kind,
            title=title,
            body=body,
            url=url,
            is_own_contribution=own_contribution,
            email_delivery=email_delivery_for(user, own_contribution=own_contribution),
            created_at=now,
        )
        for user in users
    )
    immediate = [n for n in notifications if n.email_delivery == Notification.Delivery.IMMEDIATE]
    if immediate:
        subject, text = _render_notification_mail(title=title, body=body, url=url)
        mails = OutboxMail.objects.bulk_create(
            OutboxMail(
                recipient_id=n.recipient_id,
                notification=n,
                kind=OutboxMail.Kind.IMMEDIATE,
                subject=subject,
                body=text,
                created_at=now,
            )
            for n in immediate
        )
        for mail in mails:
            enqueue_on_commit(tasks.send_outbox_mail, mail.pk)
    return notifications


def _unique_recipients(recipients: Iterable["User"], *, actor: "User | None") -> list["User"]:
    seen: set[int] = set()
    if actor is not None:
        seen.add(actor.pk)  # never tell someone about their own action
    users = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    return users


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def _subject(text: str) -> str:
    # Header injection: a subject is one line.
    line = " ".join(text.split())
    return _("[CafLab] %(text)s") % {"text": line[:230]}


def _render_notification_mail(*, title: str, body: str, url: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "title": title,
            "body": body,
            "link": _absolute(url) if url else "",
            "centre_link": _absolute(reverse("notifications:list")),
        }
        return _subject(title), render_to_string("notifications/email/notification.txt", context)


# --- outbox delivery ------------------------------------------------------------------------


def _locked_mail(mail_id: int) -> OutboxMail | None:
    """The mail row, locked for this transaction; None if it is missing or another worker holds
    it (SQLite has no row locks: there the status check alone guards)."""
    queryset = OutboxMail.objects.select_related("recipient").filter(pk=mail_id)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.first()


def outbox_mail_deliver(*, mail_id: int) -> str:
    """Send one outbox mail, once. Safe to run twice and concurrently: the row is locked while
    it is sent and a mail that is no longer pending is skipped."""
    try:
        with transaction.atomic():
            mail = _locked_mail(mail_id)
            if mail is None or mail.status != OutboxMail.Status.PENDING:
                return DeliveryResult.SKIPPED
            recipient = mail.recipient
            now = timezone.now()
            if not recipient.is_active or not recipient.email:
                mail.status = OutboxMail.Status.FAILED
                mail.last_error = "RecipientInactive"
                mail.last_attempt_at = now
                mail.save(update_fields=["status", "last_error", "last_attempt_at", "updated_at"])
                logger.info("Outbox mail %s dropped: recipient inactive.", mail.pk)
                return DeliveryResult.FAILED
            message = EmailMultiAlternatives(
                subject=mail.subject,
                body=mail.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[recipient.email],
                headers={"Auto-Submitted": "auto-generated"},
            )
            message.send()
            mail.status = OutboxMail.Status.SENT
            mail.sent_at = mail.last_attempt_at = now
            mail.attempts += 1
            mail.last_error = ""
            mail.save(
                update_fields=[
                    "status",
                    "sent_at",
                    "last_attempt_at",
                    "attempts",
                    "last_error",
                    "updated_at",
                ]
            )
            return DeliveryResult.SENT
    except DatabaseError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        return _record_failure(mail_id, exc, permanent=True)
    except OSError as exc:  # SMTPException, refused connection, timeout: try again later
        return _record_failure(mail_id, exc, permanent=False)
    except Exception as exc:  # a malformed message will not improve by retrying
        return _record_failure(mail_id, exc, permanent=True)


def _record_failure(mail_id: int, exc: BaseException, *, permanent: bool) -> str:
    """Record a failed attempt outside the rolled-back transaction. Only the exception type is
    kept: SMTP messages may quote the address."""
    error = type(exc).__name__
    pending = OutboxMail.objects.pending().filter(pk=mail_id)
    pending.update(
        attempts=F("attempts") + 1,
        last_attempt_at=timezone.now(),
        last_error=error,
        updated_at=timezone.now(),
    )
    failed = Q(attempts__gte=MAX_ATTEMPTS) if not permanent else Q()
    exhausted = pending.filter(failed).update(status=OutboxMail.Status.FAILED)
    logger.warning("Outbox mail %s not sent (%s).", mail_id, error)
    return DeliveryResult.FAILED if exhausted else DeliveryResult.RETRY


def outbox_flush(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Queue again the pending mails nobody is handling: never attempted although older than
    `older_than_seconds` (their message was lost, typically while Redis was down), or whose
    retry chain went quiet. Returns how many were queued; stops at the first broker error."""
    now = timezone.now()
    ids = list(
        OutboxMail.objects.pending()
        .filter(
            created_at__lte=now - timedelta(seconds=older_than_seconds),
            attempts__lt=MAX_ATTEMPTS,
        )
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - RETRY_STALE_AFTER))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for mail_id in ids:
        if not enqueue(tasks.send_outbox_mail, mail_id):
            break
        queued += 1
    if ids:
        logger.info("Outbox flush: %s of %s pending mails queued again.", queued, len(ids))
    return queued


@transaction.atomic
def outbox_mails_requeue(*, mails: models.QuerySet[OutboxMail]) -> int:
    """Give unsent mails a fresh set of attempts and queue them (admin action "Renvoyer")."""
    ids = list(mails.exclude(status=OutboxMail.Status.SENT).values_list("pk", flat=True))
    OutboxMail.objects.filter(pk__in=ids).update(
        status=OutboxMail.Status.PENDING, attempts=0, last_error="", updated_at=timezone.now()
    )
    for mail_id in ids:
        enqueue_on_commit(tasks.send_outbox_mail, mail_id)
    return len(ids)


# --- digests --------------------------------------------------------------------------------


def digests_send(*, frequency: str) -> int:
    """Build one digest mail per user of this frequency who has unread notifications no digest
    carried yet, and queue it. Running it twice sends nothing more: each notification is claimed
    by exactly one digest. Returns the number of digests built."""
    if frequency not in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
        raise ValueError(f"No digest for frequency {frequency!r}.")
    user_ids = list(
        get_user_model()
        .objects.active()
        .filter(email_frequency=frequency)
        .filter(pk__in=Notification.objects.awaiting_digest().values("recipient_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    built = 0
    for user_id in user_ids:
        if _digest_build(user_id=user_id, frequency=frequency) is not None:
            built += 1
    logger.info("Digest %s: %s digests built.", frequency, built)
    return built


@transaction.atomic
def _digest_build(*, user_id: int, frequency: str) -> OutboxMail | None:
    now = timezone.now()
    waiting = Notification.objects.awaiting_digest().filter(
        recipient_id=user_id, created_at__lte=now
    )
    if connection.features.has_select_for_update_skip_locked:
        # A concurrent run skips what this one is claiming, so nothing goes out twice.
        waiting = waiting.select_for_update(skip_locked=True)
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return None
    mail = OutboxMail.objects.create(
        recipient_id=user_id, kind=OutboxMail.Kind.DIGEST, subject="-", body="-", created_at=now
    )
    Notification.objects.filter(pk__in=ids).update(digested_at=now, digest_mail=mail)
    items = list(Notification.objects.filter(pk__in=ids).order_by("-created_at", "-pk"))
    mail.subject, mail.body = _render_digest_mail(items=items, frequency=frequency)
    mail.save(update_fields=["subject", "body", "updated_at"])
    enqueue_on_commit(tasks.send_outbox_mail, mail.pk)
    return mail


def _render_digest_mail(*, items: list[Notification], frequency: str) -> tuple[str, str]:
    count = len(items)
    with translation.override(settings.LANGUAGE_CODE):
        if frequency == EmailFrequency.DAILY:
            subject = ngettext(
                "Votre récapitulatif du jour : %(count)d nouvelle notification",
                "Votre récapitulatif du jour : %(count)d nouvelles notifications",
                count,
            )
        else:
            subject = ngettext(
                "Votre récapitulatif de la semaine : %(count)d nouvelle notification",
                "Votre récapitulatif de la semaine : %(count)d nouvelles notifications",
                count,
            )
        shown = items[:DIGEST_MAX_ITEMS]
        context = {
            "count": count,
            "frequency": frequency,
            "items": [
                {"title": n.title, "body": n.body, "link": _absolute(n.url) if n.url else ""}
                for n in shown
            ],
            "more": count - len(shown),
            "centre_link": _absolute(reverse("notifications:list")),
        }
        return (
            _subject(subject % {"count": count}),
            render_to_string("notifications/email/digest.txt", context),
        )


# --- follows --------------------------------------------------------------------------------


def notifications_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Erase what is past its retention period: notifications older than
    NOTIFICATIONS_RETENTION_DAYS, and outbox e-mails (their text and address) sent or given up
    more than OUTBOX_RETENTION_DAYS ago. Pending e-mails are never erased. Safe to run twice."""
    now = now or timezone.now()
    notifications_before = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    mails_before = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    finished = [OutboxMail.Status.SENT, OutboxMail.Status.FAILED]
    mails, _ = (
        OutboxMail.objects.filter(status__in=finished)
        .filter(Q(sent_at__lt=mails_before) | Q(sent_at__isnull=True, updated_at__lt=mails_before))
        .delete()
    )
    # A pending mail outlives its notification: it points at it with SET_NULL.
    notifications, _ = Notification.objects.filter(created_at__lt=notifications_before).delete()
    return {"notifications": notifications, "mails": mails}


def follow(*, user: "User", obj: models.Model) -> Follow:
    """`user` follows `obj`. Idempotent: one row per user and object (a unique constraint)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    # get_or_create turns the IntegrityError of a concurrent duplicate into a get.
    follow_row, _created = Follow.objects.get_or_create(
        user=user, content_type=content_type, object_id=obj.pk
    )
    return follow_row


def unfollow(*, user: "User", obj: models.Model) -> bool:
    """`user` stops following `obj`; False if they were not following it."""
    deleted, _detail = Follow.objects.of(obj).filter(user=user).delete()
    return bool(deleted)


def is_following(*, user: "User", obj: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.of(obj).filter(user=user).exists()


def followers_of(obj: models.Model) -> "UserQuerySet":
    """The active users following `obj`, as a QuerySet to pass to `notify(recipients=…)`."""
    return (
        get_user_model()
        .objects.active()
        .filter(pk__in=Follow.objects.of(obj).values("user_id"))
        .order_by("pk")
    )
