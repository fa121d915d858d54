"""Answer exports hold a lease (caflab.core.jobs): an export whose worker died is built again
once its lease expires, at most JOB_MAX_ATTEMPTS times, then shown failed with "Relancer";
asking again while one is stuck starts a fresh one. The real killed worker is in
tests/faults/test_worker_killed.py."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caflab.core import jobs
from ecoute.models import ExportJob
from ecoute.services import export_build, export_request
from ecoute.services.exports import exports_requeue_stale
from tests.ecoute.test_exports import survey  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=10)


def running(survey, user, *, lease_in: datetime.timedelta, attempts: int = 1) -> ExportJob:  # noqa: F811
    """An export a worker claimed, its lease ending in `lease_in` (negative: expired)."""
    return ExportJob.objects.create(
        questionnaire=survey,
        requested_by=user,
        format="csv",
        status=ExportJob.Status.RUNNING,
        progress=40,
        attempts=attempts,
        lease_expires_at=timezone.now() + lease_in,
    )


def test_claiming_gives_a_lease_that_each_progress_step_extends(survey, lab_staff, settings):  # noqa: F811
    settings.JOB_LEASE_SECONDS = 120
    job = ExportJob.objects.create(questionnaire=survey, requested_by=lab_staff, format="csv")
    before = timezone.now()
    attempt = jobs.claim(ExportJob, job.pk)
    job.refresh_from_db()
    assert attempt == 1
    assert job.status == "running"
    assert job.lease_expires_at >= before + datetime.timedelta(seconds=120)
    first_lease = job.lease_expires_at
    jobs.heartbeat(ExportJob, job.pk, attempt, progress=60, row_count=500)
    job.refresh_from_db()
    assert job.progress == 60
    assert job.lease_expires_at > first_lease


def test_an_export_whose_worker_died_is_built_again_once_its_lease_expired(survey, lab_staff):  # noqa: F811
    job = running(survey, lab_staff, lease_in=datetime.timedelta(seconds=-1))
    assert exports_requeue_stale() == 1  # tasks run in-process in tests: built at once
    job.refresh_from_db()
    assert job.status == "ready"
    assert job.attempts == 2
    assert job.lease_expires_at is None
    with job.file.open("rb") as stored:
        assert stored.read().startswith(b"\xef\xbb\xbf")  # the CSV's BOM


def test_an_export_under_a_live_lease_is_left_to_its_worker(survey, lab_staff):  # noqa: F811
    job = running(survey, lab_staff, lease_in=datetime.timedelta(minutes=2))
    assert exports_requeue_stale() == 0
    # A redelivered message (the broker's own retry) is skipped while the lease is live.
    assert export_build(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_after_the_last_attempt_the_export_fails_in_french_and_its_requester_is_told(
    survey,  # noqa: F811
    lab_staff,
    settings,
):
    settings.JOB_MAX_ATTEMPTS = 3
    job = running(survey, lab_staff, lease_in=datetime.timedelta(seconds=-1), attempts=3)
    assert exports_requeue_stale() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "Le traitement a été interrompu 3 fois (le serveur qui s’en chargeait s’est arrêté)\u00a0; "
        "relancez-le."
    )
    assert job.finished_at is not None
    notice = lab_staff.notifications.get(kind="ecoute.export_failed")
    assert notice.url == job.get_absolute_url()
    # A late redelivery changes nothing.
    assert export_build(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_redelivered_message_after_the_last_attempt_fails_the_export_at_once(
    survey,  # noqa: F811
    lab_staff,
    settings,
):
    settings.JOB_MAX_ATTEMPTS = 2
    job = running(survey, lab_staff, lease_in=datetime.timedelta(seconds=-1), attempts=2)
    assert export_build(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == "failed"
    assert "interrompu 2 fois" in job.error


def test_a_worker_that_lost_its_lease_cannot_finish_the_export(survey, lab_staff, settings):  # noqa: F811
    """A paused worker outlived its lease; another attempt took the job over: the first one's
    heartbeat and result are refused, so the file is the second attempt's."""
    settings.JOB_LEASE_SECONDS = 0
    job = ExportJob.objects.create(questionnaire=survey, requested_by=lab_staff, format="csv")
    first = jobs.claim(ExportJob, job.pk)
    second = jobs.claim(ExportJob, job.pk)  # lease of 0 s: expired at once
    assert (first, second) == (1, 2)
    with pytest.raises(jobs.LeaseLost):
        jobs.heartbeat(ExportJob, job.pk, first, progress=50)
    assert not jobs.complete(ExportJob, job.pk, first, row_count=1)
    assert jobs.complete(ExportJob, job.pk, second, row_count=2)
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("ready", 2)


def test_asking_again_while_an_export_is_stuck_starts_a_fresh_one(
    survey,  # noqa: F811
    lab_staff,
    django_capture_on_commit_callbacks,
):
    stuck = running(survey, lab_staff, lease_in=datetime.timedelta(seconds=-1))
    with django_capture_on_commit_callbacks(execute=True):
        fresh = export_request(questionnaire=survey, by=lab_staff, fmt="csv")
    assert fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert (
        stuck.error == "Le traitement ne répondait plus\u00a0; une nouvelle demande l’a remplacé."
    )
    fresh.refresh_from_db()
    assert fresh.status == "ready"


def test_asking_again_while_an_export_progresses_returns_it(survey, lab_staff):  # noqa: F811
    alive = running(survey, lab_staff, lease_in=datetime.timedelta(minutes=2))
    assert export_request(questionnaire=survey, by=lab_staff, fmt="csv") == alive
    assert ExportJob.objects.count() == 1


def test_a_stuck_export_says_it_will_be_relaunched(client, survey, lab_staff):  # noqa: F811
    job = running(survey, lab_staff, lease_in=datetime.timedelta(seconds=-1))
    client.force_login(lab_staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "il sera relancé automatiquement dans quelques minutes" in page


def failed(survey, user) -> ExportJob:  # noqa: F811
    return ExportJob.objects.create(
        questionnaire=survey,
        requested_by=user,
        format="xlsx",
        status=ExportJob.Status.FAILED,
        attempts=3,
        error=jobs.exhausted_message(3),
        finished_at=timezone.now(),
    )


def test_the_failed_export_page_offers_relancer_which_builds_a_fresh_one(
    survey,  # noqa: F811
    lab_staff,
    django_capture_on_commit_callbacks,
):
    job = failed(survey, lab_staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(lab_staff)
    page = client.get(job.get_absolute_url()).content.decode()
    retry_url = reverse("ecoute:export-retry", kwargs={"pk": job.pk})
    assert f'action="{retry_url}"' in page
    assert "Relancer l’export" in page
    assert "interrompu 3 fois" in page
    assert client.post(retry_url).status_code == 403  # no CSRF token
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, {"csrfmiddlewaretoken": token})
    fresh = ExportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302
    assert response["Location"] == fresh.get_absolute_url()
    assert (fresh.format, fresh.status, fresh.attempts) == ("xlsx", "ready", 1)
    job.refresh_from_db()
    assert job.status == "failed"  # kept, as a record


def test_relancer_is_a_post_of_the_requester_still_managing_the_consultation(
    client,
    survey,  # noqa: F811
    lab_staff,
    agent_a,
    correspondent_a,
):
    job = failed(survey, lab_staff)
    retry_url = reverse("ecoute:export-retry", kwargs={"pk": job.pk})
    client.force_login(lab_staff)
    assert client.get(retry_url).status_code == 405
    for other in (agent_a, correspondent_a):  # someone else's export: 404
        client.force_login(other)
        assert client.post(retry_url).status_code == 404
    assert ExportJob.objects.count() == 1


def test_relancer_is_refused_to_a_requester_who_no_longer_manages_it(client, survey, agent_a):  # noqa: F811
    job = failed(survey, agent_a)  # agent_a does not manage this consultation
    client.force_login(agent_a)
    response = client.post(reverse("ecoute:export-retry", kwargs={"pk": job.pk}))
    assert response.status_code in (403, 404)
    assert ExportJob.objects.count() == 1


def test_relancer_on_an_export_that_did_not_fail_changes_nothing(client, survey, lab_staff):  # noqa: F811
    job = running(survey, lab_staff, lease_in=datetime.timedelta(minutes=2))
    client.force_login(lab_staff)
    response = client.post(reverse("ecoute:export-retry", kwargs={"pk": job.pk}), follow=True)
    assert "Cet export n’a pas échoué" in response.content.decode()
    assert ExportJob.objects.count() == 1
