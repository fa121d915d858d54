"""The outbox tasks: delivery once and only once, retries, the flush after a broker outage,
and the daily and weekly digests."""

import smtplib
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from caflab.notifications import services
from caflab.notifications.models import MAX_ATTEMPTS, Notification, OutboxMail
from caflab.notifications.services import notify
from caflab.notifications.tasks import (
    flush_outbox,
    send_digests,
    send_outbox_mail,
    send_outbox_mails,
)
from tests.notifications.factories import OutboxMailFactory

pytestmark = pytest.mark.django_db


def age(mails, seconds: int) -> None:
    """Pretend the mails were created `seconds` ago."""
    OutboxMail.objects.filter(pk__in=[m.pk for m in mails]).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


# --- send_outbox_mail -----------------------------------------------------------------------


def test_sending_the_same_mail_twice_sends_it_once(mailoutbox):
    mail = OutboxMailFactory()
    assert send_outbox_mail.delay(mail.pk).get() == "sent"
    assert send_outbox_mail.delay(mail.pk).get() == "skipped"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [mail.recipient.email]
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT
    assert mail.attempts == 1
    assert mail.sent_at is not None


def test_a_missing_mail_id_is_a_no_op(mailoutbox):
    assert send_outbox_mail.delay(987654).get() == "skipped"
    assert mailoutbox == []


def test_the_address_is_read_from_the_user_at_send_time(mailoutbox):
    mail = OutboxMailFactory()
    mail.recipient.email = "nouvelle.adresse@example.org"
    mail.recipient.save(update_fields=["email"])
    send_outbox_mail.delay(mail.pk)
    assert mailoutbox[0].to == ["nouvelle.adresse@example.org"]


def test_a_mail_to_a_deactivated_account_is_dropped(mailoutbox):
    mail = OutboxMailFactory(recipient__is_active=False)
    assert send_outbox_mail.delay(mail.pk).get() == "failed"
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.FAILED
    assert mailoutbox == []


def test_a_temporary_smtp_error_is_recorded_without_personal_data_and_retried(mail_server):
    mail = OutboxMailFactory(recipient__email="destinataire@example.org")
    mail_server.fail(smtplib.SMTPServerDisconnected("lost destinataire@example.org"))
    with pytest.raises(Retry):
        send_outbox_mail(mail.pk)  # called as a worker would: Celery is asked to retry
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.PENDING
    assert mail.attempts == 1
    assert mail.last_error == "SMTPServerDisconnected"
    assert mail.last_attempt_at is not None


def test_in_eager_mode_a_temporary_smtp_error_leaves_the_mail_for_the_flush(mail_server):
    mail = OutboxMailFactory()
    mail_server.fail(smtplib.SMTPConnectError(421, "busy"))
    assert send_outbox_mail.delay(mail.pk).get() == "retry"
    assert mail_server.sends == 1  # no synchronous retry loop inside a request
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.PENDING


def test_a_mail_is_marked_failed_after_the_last_attempt(mail_server):
    mail = OutboxMailFactory(attempts=MAX_ATTEMPTS - 1)
    mail_server.fail(smtplib.SMTPServerDisconnected())
    assert send_outbox_mail.delay(mail.pk).get() == "failed"
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.FAILED
    assert mail.attempts == MAX_ATTEMPTS
    assert send_outbox_mail.delay(mail.pk).get() == "skipped"  # a late retry does nothing


def test_a_refused_recipient_fails_at_once(mail_server):
    mail = OutboxMailFactory(recipient__email="inconnu@example.org")
    refused = smtplib.SMTPRecipientsRefused({"inconnu@example.org": (550, b"unknown")})
    mail_server.fail(refused)
    assert send_outbox_mail.delay(mail.pk).get() == "failed"
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.FAILED
    assert mail.last_error == "SMTPRecipientsRefused"


# --- broker outage and flush_outbox -------------------------------------------------------


def test_a_broker_outage_keeps_the_mail_pending_until_the_flush_sends_it_once(
    immediate_user, mailoutbox, django_capture_on_commit_callbacks, caplog, dead_broker
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications = notify(
            recipients=[immediate_user], kind="idea.commented", title="Nouveau commentaire"
        )
    dead_broker.back()
    assert len(notifications) == 1  # the service (and the request around it) succeeded
    mail = OutboxMail.objects.get()
    assert mail.status == OutboxMail.Status.PENDING
    assert mailoutbox == []
    assert "not queued" in caplog.text
    assert immediate_user.email not in caplog.text

    assert flush_outbox() == 0  # too recent: its message may still be on its way
    age([mail], 120)
    assert flush_outbox() == 1
    assert len(mailoutbox) == 1
    assert flush_outbox() == 0
    assert len(mailoutbox) == 1
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT


def test_the_flush_stops_at_the_first_broker_error(mailoutbox, settings, dead_broker, caplog):
    settings.OUTBOX_FLUSH_BATCH_SIZE = 2
    mails = OutboxMailFactory.create_batch(5)
    age(mails, 120)
    assert flush_outbox() == 0
    assert caplog.text.count("send_outbox_mails") == 1  # one publish tried, then it stopped
    assert "not queued" in caplog.text


def test_the_flush_queues_the_mails_in_batches(mailoutbox, settings, published_tasks):
    settings.OUTBOX_FLUSH_BATCH_SIZE = 2
    mails = OutboxMailFactory.create_batch(5)
    age(mails, 120)
    assert flush_outbox() == 5
    assert [len(ids) for (ids,) in published_tasks.of(send_outbox_mails)] == [2, 2, 1]


def test_the_flush_leaves_alone_a_mail_in_its_retry_backoff(mailoutbox):
    retrying = OutboxMailFactory(attempts=2, last_attempt_at=timezone.now())
    forgotten = OutboxMailFactory(attempts=2, last_attempt_at=timezone.now() - timedelta(hours=1))
    sent = OutboxMailFactory(status=OutboxMail.Status.SENT)
    failed = OutboxMailFactory(status=OutboxMail.Status.FAILED)
    age([retrying, forgotten, sent, failed], 3600)
    assert flush_outbox() == 1
    assert [m.subject for m in mailoutbox] == [forgotten.subject]


# --- the claim, its lease and the Message-ID (issue 20) --------------------------------------


def expire_lease(mail) -> None:
    """The clock: the worker that claimed the mail stopped answering a while ago."""
    OutboxMail.objects.filter(pk=mail.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )


def test_every_attempt_at_a_mail_carries_the_same_message_id_and_each_mail_its_own(
    mailoutbox, mail_server
):
    mail, other = OutboxMailFactory.create_batch(2)
    mail_server.fail(smtplib.SMTPServerDisconnected(), times=1)
    assert send_outbox_mail.delay(mail.pk).get() == "retry"
    mail.refresh_from_db()
    first_id = mail.message_id
    assert first_id.startswith(f"<outbox-{mail.pk}.")
    assert first_id.endswith("@caf.example>")
    send_outbox_mails.delay([mail.pk, other.pk])
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        first_id,
        other.build_message_id(),
    ]
    assert mailoutbox[0].message()["Message-ID"] == first_id
    mail.refresh_from_db()
    assert (mail.message_id, mail.attempts) == (first_id, 2)


def test_the_claim_is_committed_before_the_mail_is_sent(mailoutbox, mail_server):
    mail = OutboxMailFactory()
    seen = {}

    def send(messages):
        # What another worker or the flush sees while the SMTP exchange is under way.
        row = OutboxMail.objects.get(pk=mail.pk)
        seen.update(status=row.status, claimed_until=row.claimed_until)

    mail_server.during_send(send)
    assert send_outbox_mail.delay(mail.pk).get() == "sent"
    assert seen["status"] == OutboxMail.Status.SENDING
    assert seen["claimed_until"] > timezone.now() + timedelta(minutes=4)
    mail.refresh_from_db()
    assert (mail.status, mail.claimed_until, mail.attempts) == (OutboxMail.Status.SENT, None, 1)


def test_a_mail_being_sent_is_left_to_its_worker_until_its_lease_runs_out(mailoutbox):
    mail = OutboxMailFactory(
        status=OutboxMail.Status.SENDING,
        attempts=1,
        claimed_until=timezone.now() + timedelta(minutes=5),
    )
    age([mail], 3600)
    assert send_outbox_mail.delay(mail.pk).get() == "skipped"
    assert flush_outbox() == 0
    assert mailoutbox == []


def test_a_mail_whose_worker_died_after_claiming_it_is_sent_again_with_the_same_message_id(
    mailoutbox, caplog
):
    mail = OutboxMailFactory()
    mail.message_id = mail.build_message_id()
    mail.status, mail.attempts = OutboxMail.Status.SENDING, 1
    mail.save()
    expire_lease(mail)
    assert flush_outbox() == 1  # the beat's flush finds it
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [mail.message_id]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.claimed_until) == (OutboxMail.Status.SENT, 2, None)
    assert "lease expired" in caplog.text
    assert flush_outbox() == 0
    assert len(mailoutbox) == 1


def test_a_mail_that_kills_its_worker_every_time_ends_failed(mailoutbox):
    mail = OutboxMailFactory(status=OutboxMail.Status.SENDING, attempts=MAX_ATTEMPTS)
    expire_lease(mail)
    assert send_outbox_mail.delay(mail.pk).get() == "failed"
    mail.refresh_from_db()
    assert (mail.status, mail.last_error) == (OutboxMail.Status.FAILED, "LeaseExpired")
    assert mailoutbox == []


def test_a_worker_that_records_after_losing_its_lease_leaves_the_row_to_the_new_owner(
    caplog, mail_server
):
    mail = OutboxMailFactory()
    sent: list[str] = []

    def slow_send(messages):
        sent.append(messages[0].extra_headers["Message-ID"])
        if len(sent) == 1:
            # The first worker stalls past its lease; a second one claims and sends the mail.
            expire_lease(mail)
            assert services.outbox_mail_deliver(mail_id=mail.pk) == "sent"

    mail_server.during_send(slow_send).during_send(slow_send)
    assert services.outbox_mail_deliver(mail_id=mail.pk) == "sent"
    assert len(sent) == 2
    assert len(set(sent)) == 1  # a duplicate the receiver can recognise
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboxMail.Status.SENT, 2)
    assert "sent after its lease ran out" in caplog.text


def test_the_admin_resend_leaves_alone_a_mail_being_sent(
    mailoutbox, django_capture_on_commit_callbacks, published_tasks
):
    being_sent = OutboxMailFactory(
        status=OutboxMail.Status.SENDING, claimed_until=timezone.now() + timedelta(minutes=5)
    )
    orphaned = OutboxMailFactory(status=OutboxMail.Status.SENDING, attempts=MAX_ATTEMPTS)
    expire_lease(orphaned)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_mails_requeue(mails=OutboxMail.objects.all()) == 1
    assert published_tasks.of(send_outbox_mails) == [([orphaned.pk],)]
    orphaned.refresh_from_db()
    assert (orphaned.status, orphaned.attempts) == (OutboxMail.Status.PENDING, 0)
    being_sent.refresh_from_db()
    assert being_sent.status == OutboxMail.Status.SENDING


# --- digests --------------------------------------------------------------------------------


def tell(user, title: str, **kwargs) -> Notification:
    return notify(recipients=[user], kind="project.updated", title=title, **kwargs)[0]


def test_the_daily_digest_sends_one_mail_listing_the_unread_notifications(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    tell(daily_user, "Le projet Simulateur passe en expérimentation", url="/projets/3/")
    tell(daily_user, "Nouvelle criée le 12 mars")
    tell(daily_user, "Déjà lue").mark_read()
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.delay("daily").get() == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [daily_user.email]
    assert message.subject == "[CafLab] Votre récapitulatif du jour : 2 nouvelles notifications"
    assert "Le projet Simulateur passe en expérimentation" in message.body
    assert "http://127.0.0.1:8000/projets/3/" in message.body
    assert "Nouvelle criée le 12 mars" in message.body
    assert "Déjà lue" not in message.body
    assert OutboxMail.objects.get().kind == OutboxMail.Kind.DIGEST


def test_running_the_daily_digest_twice_sends_nothing_more(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    tell(daily_user, "Une nouvelle idée sur votre thème")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.delay("daily")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.delay("daily").get() == 0
    assert len(mailoutbox) == 1
    assert OutboxMail.objects.count() == 1


def test_the_next_digest_carries_only_what_came_after_the_last_one(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    tell(daily_user, "Avant le premier récapitulatif")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.delay("daily")
    tell(daily_user, "Après le premier récapitulatif")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.delay("daily")
    assert len(mailoutbox) == 2
    assert "Avant le premier" not in mailoutbox[1].body
    assert "Après le premier" in mailoutbox[1].body
    assert "1 nouvelle notification" in mailoutbox[1].subject


def test_each_digest_goes_to_the_users_of_its_frequency_only(
    daily_user,
    weekly_user,
    never_user,
    immediate_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    for user in (daily_user, weekly_user, never_user, immediate_user):
        tell(user, "Un événement")
    mailoutbox.clear()  # the immediate user's own mail
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.delay("daily")
    assert [m.to for m in mailoutbox] == [[daily_user.email]]
    with django_capture_on_commit_callbacks(execute=True):
        send_digests.delay("weekly")
    assert [m.to for m in mailoutbox][1:] == [[weekly_user.email]]
    assert "semaine" in mailoutbox[1].subject


def test_an_own_contribution_mailed_at_once_is_not_repeated_in_the_digest(
    daily_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(daily_user, "Votre idée est acceptée", own_contribution=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.delay("daily").get() == 0
    assert len(mailoutbox) == 1


def test_there_is_no_digest_for_other_frequencies():
    with pytest.raises(ValueError, match="immediate"):
        send_digests("immediate")


# --- retention --------------------------------------------------------------------------------


def test_notifications_and_finished_mails_past_their_retention_are_erased_once(settings):
    from caflab.notifications.tasks import purge_notifications
    from tests.accounts.factories import UserFactory

    settings.NOTIFICATIONS_RETENTION_DAYS = 365
    settings.OUTBOX_RETENTION_DAYS = 30
    user = UserFactory()
    now = timezone.now()
    old, recent = (
        Notification.objects.create(recipient=user, kind="test", title=title, url="/")
        for title in ("Ancienne", "Récente")
    )
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=400))
    sent_long_ago = OutboxMailFactory(
        recipient=user, status="sent", sent_at=now - timedelta(days=40)
    )
    sent_lately = OutboxMailFactory(recipient=user, status="sent", sent_at=now - timedelta(days=3))
    pending = OutboxMailFactory(recipient=user, notification=old)
    OutboxMail.objects.filter(pk=pending.pk).update(created_at=now - timedelta(days=400))

    assert purge_notifications.delay().get() == {"notifications": 1, "mails": 1}
    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    assert set(OutboxMail.objects.values_list("pk", flat=True)) == {sent_lately.pk, pending.pk}
    pending.refresh_from_db()
    assert pending.notification_id is None  # a mail not yet sent is never lost
    assert purge_notifications.delay().get() == {"notifications": 0, "mails": 0}
    assert not OutboxMail.objects.filter(pk=sent_long_ago.pk).exists()


def test_the_purge_runs_every_day():
    from caflab.celery import app

    entry = app.conf.beat_schedule["notifications-purge"]
    assert entry["task"] == "caflab.notifications.tasks.purge_notifications"
