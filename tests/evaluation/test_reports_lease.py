"""Impact reports hold a lease (caflab.core.jobs): a report whose worker died is built again
once its lease expires, at most JOB_MAX_ATTEMPTS times, then shown failed with "Relancer";
asking again while one is stuck starts a fresh one. The real killed worker is in
tests/faults/test_worker_killed.py."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caflab.core import jobs
from evaluation.models import ImpactReport
from evaluation.services.reports import report_build, report_request, reports_requeue_stale
from tests.evaluation.factories import (
    EvaluationPlanFactory,
    ImpactReportFactory,
    evaluated_project,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db, caf_a):
    """A project with an evaluation plan (without one, no report can be asked for)."""
    project = ProjectFactory(pilot_caf=caf_a)
    EvaluationPlanFactory(project=project)
    return project


def running(project, *, lease_in: datetime.timedelta, attempts: int = 1) -> ImpactReport:
    """A report a worker claimed, its lease ending in `lease_in` (negative: expired)."""
    return ImpactReportFactory(
        project=project,
        status=ImpactReport.Status.RUNNING,
        progress=40,
        attempts=attempts,
        lease_expires_at=timezone.now() + lease_in,
    )


def failed(project) -> ImpactReport:
    return ImpactReportFactory(
        project=project,
        status=ImpactReport.Status.FAILED,
        attempts=3,
        error=jobs.exhausted_message(3),
        finished_at=timezone.now(),
    )


def test_a_report_whose_worker_died_is_built_again_from_its_snapshot(
    django_capture_on_commit_callbacks,
):
    project = evaluated_project()
    report = report_request(project=project, by=project.lead)  # queued, not built yet
    assert jobs.claim(ImpactReport, report.pk) == 1  # a worker takes it… and dies
    ImpactReport.objects.filter(pk=report.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert reports_requeue_stale() == 1  # tasks run in-process in tests
    report.refresh_from_db()
    assert (report.status, report.attempts, report.progress) == ("ready", 2, 100)
    assert "Indicateurs\u00a0: référence, cible et résultats" in report.html
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_report_under_a_live_lease_is_left_to_its_worker(project):
    report = running(project, lease_in=datetime.timedelta(minutes=2))
    assert reports_requeue_stale() == 0
    assert report_build(report_id=report.pk) == "skipped"  # a redelivered message
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("running", 1)


def test_after_the_last_attempt_the_report_fails_in_french_and_its_requester_is_told(
    project, settings
):
    settings.JOB_MAX_ATTEMPTS = 3
    report = running(project, lease_in=datetime.timedelta(seconds=-1), attempts=3)
    assert reports_requeue_stale() == 0
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("Le traitement a été interrompu 3 fois")
    assert report.error.endswith("relancez-le.")
    notice = project.lead.notifications.get(kind="evaluation.report_failed")
    assert notice.url == report.get_absolute_url()
    assert "Relancez-le depuis sa page" in notice.body


def test_asking_again_while_a_report_is_stuck_starts_a_fresh_one(project):
    stuck = running(project, lease_in=datetime.timedelta(seconds=-1))
    fresh = report_request(project=project, by=project.lead)
    assert fresh.pk != stuck.pk
    assert fresh.status == "queued"
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert "une nouvelle demande l’a remplacé" in stuck.error
    # …while one that progresses is returned as before.
    ImpactReport.objects.filter(pk=fresh.pk).update(
        status="running", lease_expires_at=timezone.now() + datetime.timedelta(minutes=2)
    )
    assert report_request(project=project, by=project.lead).pk == fresh.pk


def test_a_stuck_report_says_it_will_be_relaunched(client, project):
    report = running(project, lease_in=datetime.timedelta(seconds=-1))
    client.force_login(project.lead)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "elle sera relancée automatiquement dans quelques minutes" in page


def test_the_lead_relaunches_a_failed_report_from_its_page(django_capture_on_commit_callbacks):
    project = evaluated_project()
    report = failed(project)
    client = Client(enforce_csrf_checks=True)
    client.force_login(project.lead)
    page = client.get(report.get_absolute_url()).content.decode()
    retry_url = reverse("evaluation:report-retry", kwargs={"pk": report.pk})
    assert f'action="{retry_url}"' in page
    assert "Relancer la préparation" in page
    assert "interrompu 3 fois" in page
    assert client.post(retry_url).status_code == 403  # no CSRF token
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, {"csrfmiddlewaretoken": token})
    fresh = ImpactReport.objects.exclude(pk=report.pk).get()
    assert response["Location"] == fresh.get_absolute_url()
    fresh.refresh_from_db()
    assert (fresh.project, fresh.status, fresh.requested_by) == (project, "ready", project.lead)
    report.refresh_from_db()
    assert report.status == "failed"  # kept, as a record


def test_relancer_is_checked_like_the_request(client, project, agent_a, lab_staff):
    report = failed(project)
    retry_url = reverse("evaluation:report-retry", kwargs={"pk": report.pk})
    client.force_login(project.lead)
    assert client.get(retry_url).status_code == 405
    client.force_login(agent_a)  # does not see the unpublished report
    assert client.post(retry_url).status_code == 404
    assert ImpactReport.objects.count() == 1


def test_who_sees_a_failed_report_but_may_not_request_one_gets_no_button_and_a_403(
    client, project, agent_a
):
    report = failed(project)
    ImpactReport.objects.filter(pk=report.pk).update(requested_by=agent_a)  # asked, then left
    client.force_login(agent_a)
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    assert "Relancer la préparation" not in page.content.decode()
    response = client.post(reverse("evaluation:report-retry", kwargs={"pk": report.pk}))
    assert response.status_code in (403, 404)
    assert ImpactReport.objects.count() == 1


def test_relancer_on_a_report_that_did_not_fail_changes_nothing(client, project):
    report = running(project, lease_in=datetime.timedelta(minutes=2))
    client.force_login(project.lead)
    response = client.post(
        reverse("evaluation:report-retry", kwargs={"pk": report.pk}), follow=True
    )
    assert "Ce rapport n’a pas échoué" in response.content.decode()
    assert ImpactReport.objects.count() == 1
