"""The invitations of an import are one leased job (caflab.core.jobs): a batch whose worker died
is taken again once its lease expires, mails only the people not mailed yet, at most
JOB_MAX_ATTEMPTS times, then is shown failed in French with "Relancer" on the import page. The
real killed worker is in tests/faults/test_invitations_killed.py."""

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.importing import people_import_file
from caflab.accounts.invitations import (
    invitation_batch_create,
    invitation_batch_retry,
    invitation_batch_send,
    invitation_batches_requeue,
)
from caflab.accounts.models import BatchInvitation, InvitationBatch, Role, User
from caflab.core import jobs
from caflab.notifications.models import Notification
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
Outcome = BatchInvitation.Outcome
EXPIRED = datetime.timedelta(seconds=-1)


@pytest.fixture
def admin(db) -> User:
    return UserFactory(email="admin@cnaf.example", admin=True)


@pytest.fixture
def newcomers(caf_a) -> list[User]:
    people = [
        UserFactory(email=f"nouveau{n}@caf38.example", role=Role.AGENT, caf=caf_a) for n in range(5)
    ]
    for person in people:
        person.set_unusable_password()
        person.save()
    return people


def batch_for(people, by=None, **fields) -> InvitationBatch:
    """A batch recorded without running it (its message is "in the broker")."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        batch = invitation_batch_create(user_ids=[p.pk for p in people], by=by, label="test")
    if fields:
        InvitationBatch.objects.filter(pk=batch.pk).update(**fields)
        batch.refresh_from_db()
    return batch


def killed_after(batch, mailed) -> None:
    """As a worker killed mid-batch leaves it: running, lease expired, `mailed` already mailed."""
    BatchInvitation.objects.filter(batch=batch, user__in=mailed).update(
        outcome=Outcome.SENT, handled_at=timezone.now()
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status="running", attempts=1, progress=40, lease_expires_at=timezone.now() + EXPIRED
    )


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def test_an_import_records_one_batch_that_mails_each_new_account_once(
    caf_a, admin, mailoutbox, django_capture_on_commit_callbacks
):
    data = (
        "e-mail;prénom;nom;rôle;Caf\n"
        "un@caf38.example;Un;Agent;agent;38\n"
        "deux@caf38.example;Deux;Agent;agent;38\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = people_import_file(data=data, filename="a.csv", by=admin)
    batch = report.invitation_batch
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.sent_count, batch.attempts) == ("ready", 2, 2, 1)
    assert batch.requested_by == admin
    assert recipients(mailoutbox) == ["deux@caf38.example", "un@caf38.example"]
    assert set(batch.invitations.values_list("outcome", flat=True)) == {Outcome.SENT}
    # the message again (Redis redelivers it after its visibility timeout): nobody re-mailed
    assert invitation_batch_send(batch_id=batch.pk) == "skipped"
    assert len(mailoutbox) == 2


def test_a_batch_whose_worker_died_mails_only_the_people_not_mailed_yet(newcomers, mailoutbox):
    batch = batch_for(newcomers)
    killed_after(batch, newcomers[:2])
    assert invitation_batches_requeue() == 1  # tasks run in-process in tests: sent at once
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.sent_count, batch.progress) == ("ready", 2, 5, 100)
    assert recipients(mailoutbox) == sorted(p.email for p in newcomers[2:])


def test_a_batch_under_a_live_lease_is_left_to_its_worker(newcomers, mailoutbox):
    batch = batch_for(newcomers)
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status="running",
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    assert invitation_batches_requeue() == 0
    assert invitation_batch_send(batch_id=batch.pk) == "skipped"  # a redelivered message
    assert mailoutbox == []


def test_after_the_last_attempt_the_batch_fails_in_french_and_its_requester_is_told(
    newcomers, admin, mailoutbox, settings
):
    batch = batch_for(newcomers, by=admin)
    killed_after(batch, newcomers[:1])
    InvitationBatch.objects.filter(pk=batch.pk).update(attempts=settings.JOB_MAX_ATTEMPTS)
    assert invitation_batches_requeue() == 0
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.error == jobs.exhausted_message(settings.JOB_MAX_ATTEMPTS)
    assert "interrompu 3 fois" in batch.error
    assert mailoutbox == []
    told = Notification.objects.get(recipient=admin, kind="accounts.invitations_failed")
    assert "a échoué" in told.title


def test_a_worker_that_lost_its_lease_mails_nobody_the_new_attempt_mailed(newcomers, mailoutbox):
    batch = batch_for(newcomers)
    first = jobs.claim(InvitationBatch, batch.pk)
    # Its lease expires (a long pause), the beat gives the batch to a second worker, which
    # mails everyone; the first one comes back and finds every row handled.
    InvitationBatch.objects.filter(pk=batch.pk).update(lease_expires_at=timezone.now() + EXPIRED)
    assert invitation_batches_requeue() == 1
    assert len(mailoutbox) == 5
    with pytest.raises(jobs.LeaseLost):
        jobs.heartbeat(InvitationBatch, batch.pk, first)
    assert invitation_batch_send(batch_id=batch.pk) == "skipped"
    assert len(mailoutbox) == 5


def test_a_row_handled_by_another_run_is_never_mailed_twice(newcomers, mailoutbox):
    """The per-person claim alone (without the lease): two runs of one batch mail once."""
    from caflab.accounts.invitations import _invite_once

    batch = batch_for(newcomers[:1])
    entry = batch.invitations.get()
    assert _invite_once(entry.pk, entry.user_id) == Outcome.SENT
    assert _invite_once(entry.pk, entry.user_id) == "taken"
    assert len(mailoutbox) == 1


def test_someone_who_chose_a_password_meanwhile_is_skipped(newcomers, mailoutbox):
    newcomers[0].set_password("un mot de passe assez long")
    newcomers[0].save()
    batch = batch_for(newcomers)
    assert invitation_batch_send(batch_id=batch.pk) == "ready"
    batch.refresh_from_db()
    assert (batch.sent_count, batch.skipped_count) == (4, 1)
    assert newcomers[0].email not in recipients(mailoutbox)


def test_a_mail_server_error_stops_the_batch_failed_with_what_is_left(
    newcomers, mailoutbox, mail_server
):
    batch = batch_for(newcomers)
    mail_server.fail(ConnectionRefusedError("SMTP down"), times=1, after=2)
    assert invitation_batch_send(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.sent_count == 2
    assert "ConnectionRefusedError" in batch.error
    assert "3 invitation(s) restent à envoyer" in batch.error
    assert len(mailoutbox) == 2


def test_relancer_on_the_import_page_mails_only_the_people_not_reached(
    client, newcomers, admin, mailoutbox, django_capture_on_commit_callbacks
):
    batch = batch_for(newcomers, by=admin)
    killed_after(batch, newcomers[:2])
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status="failed", lease_expires_at=None, error=jobs.exhausted_message(3), sent_count=2
    )
    client.force_login(admin)
    page = client.get(reverse("accounts:import")).content.decode()
    assert "L’envoi des invitations a échoué (2 sur 5 envoyées)" in page
    assert "interrompu 3 fois" in page
    retry = reverse("accounts:invitation-batch-retry", kwargs={"pk": batch.pk})
    assert retry in page
    assert "Relancer l’envoi des invitations" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    fresh = InvitationBatch.objects.get(retry_of=batch)
    assert response.redirect_chain[-1][0] == reverse(
        "accounts:invitation-batch", kwargs={"pk": fresh.pk}
    )
    assert "relancé pour les 3 personne(s)" in response.content.decode()
    fresh.refresh_from_db()
    assert (fresh.status, fresh.total, fresh.sent_count) == ("ready", 3, 3)
    assert recipients(mailoutbox) == sorted(p.email for p in newcomers[2:])
    # the old batch's unsent rows were handed over: its worker, if it came back, mails nobody
    assert batch.invitations.filter(outcome=Outcome.PENDING).count() == 0
    assert batch.invitations.filter(outcome=Outcome.MOVED).count() == 3
    # a second click on the old batch's button starts nothing more
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
    assert InvitationBatch.objects.count() == 2
    assert len(mailoutbox) == 3


def test_relancer_on_a_stuck_batch_abandons_it_and_starts_a_fresh_one(newcomers, admin):
    batch = batch_for(newcomers, by=admin)
    killed_after(batch, newcomers[:1])
    with TestCase.captureOnCommitCallbacks(execute=False):  # the fresh batch is not run
        fresh = invitation_batch_retry(batch=batch, by=admin)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.error == jobs.abandoned_message()
    assert (fresh.retry_of, fresh.total, fresh.status) == (batch, 4, "queued")
    # asking again while the fresh one waits returns it
    assert invitation_batch_retry(batch=batch, by=admin) == fresh


def test_relancer_on_a_batch_that_did_not_fail_changes_nothing(client, newcomers, admin):
    batch = batch_for(newcomers, by=admin)
    client.force_login(admin)
    retry = reverse("accounts:invitation-batch-retry", kwargs={"pk": batch.pk})
    page = client.post(retry, follow=True).content.decode()
    assert "il n’y a rien à relancer" in page
    assert InvitationBatch.objects.count() == 1


def test_relancer_is_a_post_for_who_may_import_only(client, newcomers, admin, agent_a):
    batch = batch_for(newcomers, by=admin, status="failed")
    retry = reverse("accounts:invitation-batch-retry", kwargs={"pk": batch.pk})
    detail = reverse("accounts:invitation-batch", kwargs={"pk": batch.pk})
    assert client.post(retry).status_code == 302  # to the login page
    assert InvitationBatch.objects.count() == 1
    client.force_login(agent_a)
    assert client.post(retry).status_code == 403
    assert client.get(detail).status_code == 403
    client.force_login(admin)
    assert client.get(retry).status_code == 405
    assert InvitationBatch.objects.count() == 1


def test_the_batch_page_shows_progress_and_says_when_it_is_stuck(client, newcomers, admin):
    batch = batch_for(newcomers, by=admin)
    client.force_login(admin)
    detail = reverse("accounts:invitation-batch", kwargs={"pk": batch.pk})
    assert "5 invitations en attente d’envoi" in client.get(detail).content.decode()
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status="running", attempts=1, sent_count=2, lease_expires_at=timezone.now() + EXPIRED
    )
    page = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "ne progresse plus" in page
    assert "<h1" not in page  # the htmx fragment only


def test_the_requeue_runs_every_minute_in_the_beat_schedule():
    from caflab.celery import app

    entries = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert entries["caflab.accounts.tasks.requeue_invitation_batches"]["schedule"] == 60.0
