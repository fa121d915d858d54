"""Notification flows: notify people, follow objects, deliver the outbox, build the digests.

What other apps call:
- `notify(recipients=…, kind=…, title=…, url=…, actor=…, own_contribution=…, key=…)`: more
  than NOTIFY_FANOUT_THRESHOLD recipients are told by a task (`fanout_run`), off the request
- `follow(user=…, obj=…)`, `unfollow(user=…, obj=…)`, `is_following(user=…, obj=…)`,
  `followers_of(obj)` (a User QuerySet, to pass to `notify`)
- `caflab.core.queueing.enqueue_on_commit(task, *ids)` for their own tasks.
"""

import logging
import smtplib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.accounts.models import EmailFrequency
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue, enqueue_on_commit
from caflab.notifications import tasks
from caflab.notifications.models import MAX_ATTEMPTS, FanOut, Follow, Notification, OutboxMail
from caflab.notifications.unsubscribe import unsubscribe_url

if TYPE_CHECKING:
    from caflab.accounts.models import User, UserQuerySet

logger = logging.getLogger(__name__)

# A pending mail attempted this long ago is no longer in a retry chain: flush_outbox takes it
# again (the task's backoff never waits longer than this).
RETRY_STALE_AFTER = timedelta(minutes=15)
RETRY_BACKOFF_MAX_SECONDS = 600
# A mail claimed for sending belongs to its worker this long: well over one SMTP exchange
# (EMAIL_TIMEOUT per step). Past it without a recorded outcome, the worker is taken for dead and
# the mail is sent again (see outbox_mail_deliver).
SENDING_LEASE = timedelta(minutes=5)
# A pending fan-out untouched this long (its task was lost, or its worker died) is queued again
# by flush_outbox; a running one touches its row at every batch, well under a second apart.
FANOUT_STALE_AFTER = timedelta(minutes=2)
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
    return _delivery(user.email_frequency, own_contribution=own_contribution)


def _delivery(email_frequency: str, *, own_contribution: bool) -> str:
    if own_contribution or email_frequency == EmailFrequency.IMMEDIATE:
        return Notification.Delivery.IMMEDIATE
    if email_frequency in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
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
    key: str = "",
) -> list[Notification]:
    """Notify each recipient in-app, and by e-mail as their preference says.

    The actor is never notified of their own action; inactive and duplicate recipients are
    skipped. Immediate e-mails go to the outbox and are queued after the commit; digest ones
    wait for `digests_send`.

    More than NOTIFY_FANOUT_THRESHOLD recipients (the followers of a popular object) are told
    by a task after the commit, batch by batch (`fanout_run`): the request only writes one
    `FanOut` row, and this returns an empty list. `key` names the event (e.g.
    "project.gate_decided:12"): a second fan-out with the same key is ignored.
    """
    if url and not is_site_path(url):
        raise ValueError("A notification links to a same-site relative path only.")
    people = _unique_recipients(recipients, actor=actor)
    if not people:
        return []
    if len(people) > settings.NOTIFY_FANOUT_THRESHOLD:
        _fanout_create(
            recipient_ids=[pk for pk, _frequency, _user in people],
            kind=kind,
            title=title,
            body=body,
            url=url,
            actor=actor,
            own_contribution=own_contribution,
            key=key,
        )
        return []
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        Notification(
            **({"recipient": user} if user is not None else {"recipient_id": pk}),
            actor=actor,
            kind=kind,
            title=title,
            body=body,
            url=url,
            is_own_contribution=own_contribution,
            email_delivery=_delivery(frequency, own_contribution=own_contribution),
            created_at=now,
        )
        for pk, frequency, user in people
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
        # One broker message for the whole call, whatever the number of mails: a request
        # publishes once, and a broker that does not answer costs it one bounded attempt
        # (queueing.enqueue). If the message is lost, flush_outbox sends the mails.
        enqueue_on_commit(tasks.send_outbox_mails, [mail.pk for mail in mails])
    return notifications


def _fanout_create(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    title: str,
    body: str,
    url: str,
    actor: "User | None",
    own_contribution: bool,
    key: str,
) -> FanOut:
    """Record who is to be told (ids only) and queue the task after the commit."""
    ids = sorted(set(recipient_ids) - ({actor.pk} if actor is not None else set()))
    fanout, created = FanOut.objects.get_or_create(
        key=key or f"{kind}:{uuid.uuid4().hex}",
        defaults={
            "kind": kind,
            "title": title,
            "body": body,
            "url": url,
            "actor": actor,
            "is_own_contribution": own_contribution,
            "recipients_packed": FanOut.pack(ids),
            "total": len(ids),
        },
    )
    if created:
        enqueue_on_commit(tasks.fan_out, fanout.pk)
    return fanout


def fanout_run(*, fanout_id: int) -> int:
    """Carry out a fan-out to the end, one transaction per batch of NOTIFY_FANOUT_BATCH_SIZE
    recipients; returns the number of notifications created by this run.

    Safe to run twice and concurrently: each batch locks the row, starts from its cursor and
    moves it in the same transaction, so a batch is done once or not at all (a worker dying
    mid-batch leaves it for the next run)."""
    created = 0
    while True:
        done, count = _fanout_batch(fanout_id=fanout_id)
        created += count
        if done:
            return created


@transaction.atomic
def _fanout_batch(*, fanout_id: int) -> tuple[bool, int]:
    queryset = FanOut.objects.filter(pk=fanout_id)
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding the row carries the fan-out on: leave it.
        queryset = queryset.select_for_update(skip_locked=True)
    fanout = queryset.first()
    if fanout is None or fanout.status != FanOut.Status.PENDING:
        return True, 0
    batch = fanout.recipient_ids[fanout.processed : fanout.processed + _batch_size()]
    subject, text = _render_notification_mail(title=fanout.title, body=fanout.body, url=fanout.url)
    if connection.vendor == "postgresql":
        notified, mail_ids = _fanout_insert_sql(fanout, batch, subject=subject, text=text)
    else:
        notified, mail_ids = _fanout_insert_orm(fanout, batch, subject=subject, text=text)
    if mail_ids:
        # One broker message for the whole batch; if it is lost, flush_outbox sends them.
        enqueue_on_commit(tasks.send_outbox_mails, mail_ids)
    fanout.processed += len(batch)
    fanout.notified += notified
    fanout.mailed += len(mail_ids)
    if fanout.processed >= fanout.total:
        fanout.status = FanOut.Status.DONE
        fanout.finished_at = timezone.now()
    fanout.save(
        update_fields=["processed", "notified", "mailed", "status", "finished_at", "updated_at"]
    )
    return fanout.status == FanOut.Status.DONE, notified


def _fanout_insert_orm(
    fanout: FanOut, batch: list[int], *, subject: str, text: str
) -> tuple[int, list[int]]:
    """Create a batch's notifications and immediate mails through the ORM (SQLite)."""
    users = (
        get_user_model()
        .objects.filter(pk__in=batch, is_active=True)
        .exclude(pk=fanout.actor_id)
        .only("pk", "email_frequency")
        .order_by("pk")
    )
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user.pk,
            actor_id=fanout.actor_id,
            kind=fanout.kind,
            title=fanout.title,
            body=fanout.body,
            url=fanout.url,
            is_own_contribution=fanout.is_own_contribution,
            email_delivery=email_delivery_for(user, own_contribution=fanout.is_own_contribution),
            fanout=fanout,
            created_at=fanout.created_at,
        )
        for user in users
    )
    now = timezone.now()
    mails = OutboxMail.objects.bulk_create(
        OutboxMail(
            recipient_id=n.recipient_id,
            notification=n,
            kind=OutboxMail.Kind.IMMEDIATE,
            subject=subject,
            body=text,
            created_at=now,
        )
        for n in notifications
        if n.email_delivery == Notification.Delivery.IMMEDIATE
    )
    return len(notifications), [mail.pk for mail in mails]


def _fanout_insert_sql(
    fanout: FanOut, batch: list[int], *, subject: str, text: str
) -> tuple[int, list[int]]:
    """Create a batch's notifications and immediate mails in two INSERT … SELECT statements
    (PostgreSQL): a thousand rows in tens of milliseconds, where building as many model
    instances takes a second. Same rules as `notify`/`email_delivery_for`: active recipients
    only, never the actor, immediate e-mail for their own contribution or by preference."""
    user_table = get_user_model()._meta.db_table
    now = timezone.now()
    delivery = Notification.Delivery
    params = {
        "ids": batch,
        "actor": fanout.actor_id,
        "not_actor": fanout.actor_id or 0,
        "kind": fanout.kind,
        "title": fanout.title,
        "body": fanout.body,
        "url": fanout.url,
        "own": fanout.is_own_contribution,
        "fanout": fanout.pk,
        "created": fanout.created_at,
        "immediate": delivery.IMMEDIATE,
        "digest": delivery.DIGEST,
        "none": delivery.NONE,
        "by_immediate": EmailFrequency.IMMEDIATE,
        "by_digest": [EmailFrequency.DAILY, EmailFrequency.WEEKLY],
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table}
                (recipient_id, actor_id, kind, title, body, url, is_own_contribution,
                 email_delivery, fanout_id, created_at)
            SELECT u.id, %(actor)s, %(kind)s, %(title)s, %(body)s, %(url)s, %(own)s,
                   CASE WHEN %(own)s OR u.email_frequency = %(by_immediate)s THEN %(immediate)s
                        WHEN u.email_frequency = ANY(%(by_digest)s) THEN %(digest)s
                        ELSE %(none)s END,
                   %(fanout)s, %(created)s
            FROM {user_table} u
            WHERE u.id = ANY(%(ids)s) AND u.is_active AND u.id <> %(not_actor)s
            ORDER BY u.id
            ON CONFLICT (fanout_id, recipient_id) WHERE fanout_id IS NOT NULL DO NOTHING
            RETURNING id, email_delivery
            """,  # noqa: S608 (table names from the models, values as parameters)
            params,
        )
        rows = cursor.fetchall()
        immediate = [pk for pk, how in rows if how == delivery.IMMEDIATE]
        if not immediate:
            return len(rows), []
        cursor.execute(
            f"""
            INSERT INTO {OutboxMail._meta.db_table}
                (recipient_id, notification_id, kind, subject, body, status, attempts,
                 last_error, created_at, updated_at)
            SELECT n.recipient_id, n.id, %(kind)s, %(subject)s, %(body)s, %(status)s, 0, '',
                   %(now)s, %(now)s
            FROM {Notification._meta.db_table} n
            WHERE n.id = ANY(%(ids)s)
            ORDER BY n.id
            RETURNING id
            """,  # noqa: S608
            {
                "ids": immediate,
                "kind": OutboxMail.Kind.IMMEDIATE,
                "subject": subject,
                "body": text,
                "status": OutboxMail.Status.PENDING,
                "now": now,
            },
        )
        return len(rows), [row[0] for row in cursor.fetchall()]


def _batch_size() -> int:
    return max(1, settings.NOTIFY_FANOUT_BATCH_SIZE)


def fanouts_resume(*, now: datetime | None = None, limit: int = 100) -> int:
    """Queue again the fan-outs left unfinished (task lost while Redis was down, worker died).
    Returns how many were queued; stops at the first broker error."""
    now = now or timezone.now()
    ids = list(
        FanOut.objects.filter(
            status=FanOut.Status.PENDING, updated_at__lte=now - FANOUT_STALE_AFTER
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    return _enqueue_each(tasks.fan_out, ids, "Fan-out resume: %s of %s unfinished fan-outs")


def _unique_recipients(
    recipients: Iterable["User"], *, actor: "User | None"
) -> list[tuple[int, str, "User | None"]]:
    """(pk, e-mail frequency, user or None) of each active recipient once, never the actor.

    A QuerySet is read as tuples in one query, not as model instances: the followers of a
    popular object are tens of thousands of rows, and only their ids go to the fan-out."""
    seen: set[int] = set()
    if actor is not None:
        seen.add(actor.pk)  # never tell someone about their own action
    if isinstance(recipients, QuerySet):
        rows = (
            (pk, frequency, None)
            # By id: the models' default ordering (names) costs a sort of every row.
            for pk, is_active, frequency in recipients.order_by("pk").values_list(
                "pk", "is_active", "email_frequency"
            )
            if is_active
        )
    else:
        rows = (
            (user.pk, user.email_frequency, user)
            for user in recipients
            if user is not None and user.is_active
        )
    people = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        people.append(row)
    return people


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


def outbox_mail_deliver(*, mail_id: int) -> str:
    """Send one outbox mail, exactly once as far as SMTP allows. Safe to run twice and
    concurrently.

    1. Claim: one conditional UPDATE moves the row from pending to "sending" until now +
       SENDING_LEASE, counts the attempt and fixes the Message-ID; it commits at once, so no
       row lock is held while talking to SMTP, and a second worker finds the row taken.
    2. Send, outside any transaction, with the row's stable Message-ID.
    3. Record "sent" (or the error) only if the claim is still ours.

    Retry decision: a row still "sending" past its lease means the worker died between the
    claim and the record (killed, out of memory, database gone): the SMTP server may or may
    not have accepted the mail, and nothing on our side can tell. We send it again, with the
    same Message-ID: at-least-once. A lost e-mail (a decision someone never hears of) is worse
    than a rare duplicate that mail stores can recognise by its Message-ID, and the window is
    only the time between the server's acceptance and our UPDATE. Each claim counts as an
    attempt, so a mail that kills its worker every time ends failed after MAX_ATTEMPTS.
    """
    now = timezone.now()
    mail = OutboxMail.objects.select_related("recipient", "notification").filter(pk=mail_id).first()
    if mail is None or not mail.is_claimable(now):
        return DeliveryResult.SKIPPED
    recipient = mail.recipient
    unclaimed = OutboxMail.objects.claimable(now).filter(pk=mail.pk, attempts=mail.attempts)
    if not recipient.is_active or not recipient.email or mail.attempts >= MAX_ATTEMPTS:
        error = "RecipientInactive" if mail.attempts < MAX_ATTEMPTS else "LeaseExpired"
        if not unclaimed.update(
            status=OutboxMail.Status.FAILED,
            claimed_until=None,
            last_error=error,
            last_attempt_at=now,
            updated_at=now,
        ):
            return DeliveryResult.SKIPPED
        logger.info("Outbox mail %s dropped (%s).", mail.pk, error)
        return DeliveryResult.FAILED
    lease = now + SENDING_LEASE
    message_id = mail.message_id or mail.build_message_id()
    claimed = unclaimed.update(
        status=OutboxMail.Status.SENDING,
        claimed_until=lease,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        message_id=message_id,
        updated_at=now,
    )
    if not claimed:  # another worker claimed it between the read and the update
        return DeliveryResult.SKIPPED
    if mail.status == OutboxMail.Status.SENDING:
        logger.warning(
            "Outbox mail %s: its last attempt ended without an outcome (lease expired); "
            "sending it again with the same Message-ID.",
            mail.pk,
        )
    try:
        # Built inside the try: a mail that cannot be rendered is recorded as failed, never
        # left "sending" until its lease runs out.
        _outbox_message(mail, message_id=message_id).send()
    except smtplib.SMTPRecipientsRefused as exc:
        return _record_failure(mail.pk, exc, lease=lease, permanent=True)
    except OSError as exc:  # SMTPException, refused connection, timeout: try again later
        return _record_failure(mail.pk, exc, lease=lease, permanent=False)
    except Exception as exc:  # a malformed message will not improve by retrying
        return _record_failure(mail.pk, exc, lease=lease, permanent=True)
    recorded = OutboxMail.objects.filter(
        pk=mail.pk, status=OutboxMail.Status.SENDING, claimed_until=lease
    ).update(
        status=OutboxMail.Status.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        last_error="",
        updated_at=timezone.now(),
    )
    if not recorded:
        # Sent after the lease ran out, and another worker took the row over: it sends a
        # duplicate with the same Message-ID, which the receiver recognises.
        logger.warning("Outbox mail %s sent after its lease ran out.", mail.pk)
    return DeliveryResult.SENT


def _outbox_message(mail: OutboxMail, *, message_id: str) -> EmailMultiAlternatives:
    """The e-mail of an outbox row: its stored text, and the HTML layout with the action, the
    reason and, when the recipient's preference governs the mail, the unsubscribe link and
    headers. What concerns the recipient's own contribution is always sent (see
    `email_delivery_for`): it carries no unsubscribe, which would not stop it."""
    notification = mail.notification
    with translation.override(settings.LANGUAGE_CODE):
        if mail.kind == OutboxMail.Kind.DIGEST:
            optional = True
            reason = _("vous avez choisi de recevoir un récapitulatif de vos notifications CafLab.")
        elif notification is not None and notification.is_own_contribution:
            optional = False
            reason = _(
                "il concerne l’une de vos contributions sur CafLab : ces messages vous sont "
                "toujours envoyés."
            )
        else:
            optional = True
            reason = _("vous avez choisi de recevoir un e-mail à chaque notification CafLab.")
        if notification is not None and notification.url and mail.kind != OutboxMail.Kind.DIGEST:
            action = MailAction(_("Voir sur CafLab"), _absolute(notification.url))
        else:
            action = MailAction(
                _("Voir mes notifications"), _absolute(reverse("notifications:list"))
            )
    return mail_build(
        subject=mail.subject,
        text=mail.body,
        to=[mail.recipient.email],
        reason=reason,
        action=action,
        preferences_url=_absolute(reverse("accounts:profile")),
        unsubscribe_url=(
            unsubscribe_url(user_id=mail.recipient_id, kind=mail.kind) if optional else ""
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id},
        text_says_reason=True,  # the templates' signatures say it (notification.txt, digest.txt)
    )


def _record_failure(mail_id: int, exc: BaseException, *, lease: datetime, permanent: bool) -> str:
    """Record a failed attempt (already counted by the claim), if the claim is still ours. Only
    the exception type is kept: SMTP messages may quote the address."""
    error = type(exc).__name__
    now = timezone.now()
    ours = OutboxMail.objects.filter(
        pk=mail_id, status=OutboxMail.Status.SENDING, claimed_until=lease
    )
    given_up = ours if permanent else ours.filter(attempts__gte=MAX_ATTEMPTS)
    exhausted = given_up.update(
        status=OutboxMail.Status.FAILED, claimed_until=None, last_error=error, updated_at=now
    )
    if not exhausted:
        ours.update(
            status=OutboxMail.Status.PENDING, claimed_until=None, last_error=error, updated_at=now
        )
    logger.warning("Outbox mail %s not sent (%s).", mail_id, error)
    return DeliveryResult.FAILED if exhausted else DeliveryResult.RETRY


def outbox_mails_deliver(*, mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox mails (a fan-out batch), each once. At the first temporary error
    the batch stops: the rest stays pending and `flush_outbox` takes it again later."""
    results: dict[str, int] = {}
    for mail_id in mail_ids:
        result = outbox_mail_deliver(mail_id=mail_id)
        results[result] = results.get(result, 0) + 1
        if result == DeliveryResult.RETRY:
            break
    return results


def outbox_mails_left(*, mail_ids: list[int]) -> list[int]:
    """Those of `mail_ids` still pending (a batch stopped by a temporary error), in order."""
    return list(
        OutboxMail.objects.pending()
        .filter(pk__in=mail_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def outbox_flush(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Queue again the mails nobody is handling: pending ones never attempted although older
    than `older_than_seconds` (their message was lost, typically while Redis was down) or whose
    retry chain went quiet, and "sending" ones past their lease (their worker died between
    sending and recording: sent again with the same Message-ID, see outbox_mail_deliver).
    settings.OUTBOX_FLUSH_BATCH_SIZE mails per broker message. Returns how many mails were
    queued; stops at the first broker error."""
    now = timezone.now()
    forgotten = OutboxMail.objects.pending().filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - RETRY_STALE_AFTER),
        created_at__lte=now - timedelta(seconds=older_than_seconds),
        attempts__lt=MAX_ATTEMPTS,
    )
    orphaned = OutboxMail.objects.lease_expired(now)
    ids = list(
        (forgotten | orphaned).order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    )
    return _enqueue_batches(tasks.send_outbox_mails, ids, "Outbox flush: %s of %s pending mails")


def _enqueue_batches(task, ids: list[int], what: str) -> int:
    """Queue `task(batch)` per settings.OUTBOX_FLUSH_BATCH_SIZE ids, stopping at the first
    broker error. Logs "<what> queued again" and returns how many ids were queued."""
    queued = 0
    size = settings.OUTBOX_FLUSH_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        if not enqueue(task, batch):
            break
        queued += len(batch)
    if ids:
        logger.info(what + " queued again.", queued, len(ids))
    return queued


def _enqueue_each(task, ids: list[int], what: str) -> int:
    """Queue `task` once per id, stopping at the first broker error (the next periodic run
    picks the rest up). Logs "<what> queued again" and returns how many were queued."""
    queued = 0
    for pk in ids:
        if not enqueue(task, pk):
            break
        queued += 1
    if ids:
        logger.info(what + " queued again.", queued, len(ids))
    return queued


@transaction.atomic
def outbox_mails_requeue(*, mails: models.QuerySet[OutboxMail]) -> int:
    """Give unsent mails a fresh set of attempts and queue them (admin action "Renvoyer"), in
    one broker message. A mail a worker is sending right now (within its lease) is left to it."""
    now = timezone.now()
    ids = list(
        mails.exclude(status=OutboxMail.Status.SENT)
        .exclude(status=OutboxMail.Status.SENDING, claimed_until__gt=now)
        .values_list("pk", flat=True)
    )
    OutboxMail.objects.filter(pk__in=ids).update(
        status=OutboxMail.Status.PENDING,
        attempts=0,
        last_error="",
        claimed_until=None,
        updated_at=now,
    )
    if ids:
        enqueue_on_commit(tasks.send_outbox_mails, ids)
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
                "Votre récapitulatif du jour : %(count)d nouvelle notification",
                "Votre récapitulatif du jour : %(count)d nouvelles notifications",
                count,
            )
        else:
            subject = ngettext(
                "Votre récapitulatif de la semaine : %(count)d nouvelle notification",
                "Votre récapitulatif de la semaine : %(count)d nouvelles notifications",
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
    # A finished fan-out only keeps the list of who was told: gone after the outbox delay.
    fanouts, _ = FanOut.objects.filter(
        status=FanOut.Status.DONE, finished_at__lt=mails_before
    ).delete()
    if fanouts:
        logger.info("Purge: %s finished fan-outs erased.", fanouts)
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
