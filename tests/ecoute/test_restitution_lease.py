"""The restitution's e-mails go out in a leased job (`RestitutionMailing`, caflab.core.jobs): a
run whose worker died is taken again by the per-minute requeue once its lease expires and mails
only the addresses not told yet; after JOB_MAX_ATTEMPTS it is failed in French and the
consultation's dashboard offers "Relancer"."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from caflab.core import jobs
from caflab.notifications.models import Notification
from ecoute.models import HearBackRequest, RestitutionEmail, RestitutionMailing
from ecoute.services.common import AlreadyDone
from ecoute.services.restitution import (
    restitution_mailing_request,
    restitution_mailing_retry,
    restitution_mailing_run,
    restitution_mailings_requeue,
    restitution_publish,
)
from tests.ecoute.test_restitution import _draft, closed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
EXPIRED = datetime.timedelta(seconds=-1)
ADDRESSES = [f"personne{n}@example.org" for n in range(4)]


@pytest.fixture
def published(closed, lab_staff):  # noqa: F811
    for email in ADDRESSES:
        HearBackRequest.objects.create(questionnaire=closed.questionnaire, email=email)
    _draft(closed, lab_staff)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the message is lost
        return restitution_publish(consultation=closed, by=lab_staff)


def killed_after(restitution, told: int, *, attempts: int = 1) -> RestitutionMailing:
    """As a worker killed mid-run leaves it: running, lease expired, `told` addresses mailed."""
    mailing = restitution.mailings.get()
    for hear_back in HearBackRequest.objects.order_by("pk")[:told]:
        RestitutionEmail.objects.create(restitution=restitution, hear_back=hear_back)
    RestitutionMailing.objects.filter(pk=mailing.pk).update(
        status="running",
        attempts=attempts,
        sent_count=told,
        lease_expires_at=timezone.now() + EXPIRED,
    )
    return mailing


def untold(restitution) -> list[str]:
    """The addresses the killed run had not reached (hear-back ids do not follow creation)."""
    told = RestitutionEmail.objects.filter(restitution=restitution)
    return sorted(set(ADDRESSES) - set(told.values_list("hear_back__email", flat=True)))


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def test_publishing_records_one_mailing_that_tells_each_address_once(published, mailoutbox):
    mailing = published.mailings.get()
    assert (mailing.status, mailing.total) == ("queued", 4)
    assert restitution_mailing_run(mailing_id=mailing.pk) == 4
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.attempts) == ("ready", 4, 1)
    published.refresh_from_db()
    assert published.emails_done_at is not None
    assert restitution_mailing_run(mailing_id=mailing.pk) == 0  # a redelivered message
    assert recipients(mailoutbox) == ADDRESSES


def test_a_mailing_whose_worker_died_tells_only_the_addresses_left(published, mailoutbox):
    mailing = killed_after(published, 1)
    expected = untold(published)
    assert restitution_mailings_requeue() == 1  # tasks run in-process in tests: sent at once
    mailing.refresh_from_db()
    assert (mailing.status, mailing.attempts, mailing.sent_count) == ("ready", 2, 4)
    assert recipients(mailoutbox) == expected


def test_a_mailing_under_a_live_lease_is_left_to_its_worker(published, mailoutbox):
    mailing = published.mailings.get()
    RestitutionMailing.objects.filter(pk=mailing.pk).update(
        status="running",
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    assert restitution_mailings_requeue() == 0
    assert restitution_mailing_run(mailing_id=mailing.pk) == 0
    assert mailoutbox == []


def test_a_worker_that_lost_its_lease_stops_at_its_next_step(published, mailoutbox, settings):
    mailing = published.mailings.get()
    attempt = jobs.claim(RestitutionMailing, mailing.pk)
    RestitutionMailing.objects.filter(pk=mailing.pk).update(
        lease_expires_at=timezone.now() + EXPIRED
    )
    assert restitution_mailings_requeue() == 1
    with pytest.raises(jobs.LeaseLost):
        jobs.heartbeat(RestitutionMailing, mailing.pk, attempt)
    assert recipients(mailoutbox) == ADDRESSES


def test_after_the_last_attempt_the_mailing_fails_in_french_and_its_publisher_is_told(
    published, lab_staff, mailoutbox, settings
):
    mailing = killed_after(published, 1, attempts=settings.JOB_MAX_ATTEMPTS)
    assert restitution_mailings_requeue() == 0
    mailing.refresh_from_db()
    assert mailing.status == "failed"
    assert mailing.error == jobs.exhausted_message(settings.JOB_MAX_ATTEMPTS)
    assert mailoutbox == []
    told = Notification.objects.get(recipient=lab_staff, kind="ecoute.restitution_mailing_failed")
    assert "a échoué" in told.title


def test_the_dashboard_shows_the_failure_and_relancer_mails_the_rest(
    client, published, lab_staff, mailoutbox, settings, django_capture_on_commit_callbacks
):
    consultation = published.consultation
    killed_after(published, 2, attempts=settings.JOB_MAX_ATTEMPTS)
    restitution_mailings_requeue()
    expected = untold(published)
    client.force_login(lab_staff)
    page = client.get(consultation.get_manage_url()).content.decode()
    assert "L’envoi des e-mails aux personnes qui ont demandé un retour a échoué." in page
    assert "interrompu 3 fois" in page
    retry = reverse("ecoute:restitution-mailing-retry", kwargs={"pk": consultation.pk})
    assert retry in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert "est relancé" in response.content.decode()
    assert recipients(mailoutbox) == expected
    fresh = published.mailings.first()
    assert (fresh.status, fresh.total, fresh.sent_count) == ("ready", 2, 2)
    page = client.get(consultation.get_manage_url()).content.decode()
    assert "E-mails envoyés\u00a0: 2 personnes prévenues." in page
    # a second click: nothing failed any more, nothing is sent
    again = client.post(retry, follow=True).content.decode()
    assert "il n’y a rien à relancer" in again
    assert len(mailoutbox) == 2


def test_relancer_while_a_mailing_is_stuck_starts_a_fresh_one(published, lab_staff):
    stuck = killed_after(published, 1)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the fresh one is not run
        fresh = restitution_mailing_retry(restitution=published, by=lab_staff)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", jobs.abandoned_message())
    assert fresh.pk != stuck.pk
    assert (fresh.status, fresh.total) == ("queued", 3)
    # asking again while the fresh one waits returns it
    assert restitution_mailing_request(restitution=published, by=lab_staff) == fresh
    with pytest.raises(AlreadyDone):
        restitution_mailing_retry(restitution=published, by=lab_staff)


def test_relancer_is_a_post_of_the_consultation_s_managers(client, published, agent_b):
    retry = reverse("ecoute:restitution-mailing-retry", kwargs={"pk": published.consultation.pk})
    client.force_login(agent_b)
    assert client.post(retry).status_code in (403, 404)
    assert client.get(retry).status_code == 405
    assert published.mailings.count() == 1


def test_the_requeue_runs_every_minute_in_the_beat_schedule():
    from caflab.celery import app

    entries = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert entries["ecoute.tasks.requeue_restitution_mailings"]["schedule"] == 60.0
