"""A real Celery worker, in its own process, builds an impact report queued after the commit,
from the committed snapshot; a redelivered message for a RUNNING report (the worker died)
rebuilds the same report; one for a READY report changes nothing.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab_evalreport \
    .venv/bin/pytest -m real_broker tests/evaluation/test_reports_worker.py
"""

from collections.abc import Iterator

import pytest
from django.db import transaction

from evaluation.models import ImpactReport
from evaluation.services.reports import report_request
from evaluation.tasks import build_report
from tests.evaluation.factories import evaluated_project
from tests.faults.servers import Workers, celery_workers, requires_broker, wait_until

pytestmark = [pytest.mark.real_broker, requires_broker]


@pytest.fixture
def report_worker(tmp_path, settings) -> Iterator[Workers]:
    with celery_workers(
        tmp_path,
        settings,
        ["evaluation.tasks.*", "caflab.notifications.tasks.*"],
        pool="solo",
    ) as workers:
        workers.start("reports")
        yield workers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_the_report_and_a_redelivery_rebuilds_the_same(report_worker):
    logs = report_worker.logs
    project = evaluated_project()
    with transaction.atomic():
        report = report_request(project=project, by=project.lead)

    def status_is(status: str):
        def check() -> bool:
            report.refresh_from_db()
            return report.status == status

        return check

    wait_until(status_is(ImpactReport.Status.READY), "the report to be ready", logs)
    first_html = report.html
    assert "Indicateurs\u00a0: référence, cible et résultats" in first_html
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # A redelivered message after the worker died mid-build: the report is RUNNING again.
    ImpactReport.objects.filter(pk=report.pk).update(status="running", html="")
    build_report.apply_async(args=(report.pk,))
    wait_until(status_is(ImpactReport.Status.READY), "the report to be rebuilt", logs)
    assert report.html == first_html

    # A duplicate for a READY report is skipped.
    finished_at = report.finished_at
    build_report.apply_async(args=(report.pk,))
    wait_until(
        lambda: '"result": "skipped"' in logs[0].read_text(), "the duplicate to be skipped", logs
    )
    report.refresh_from_db()
    assert report.finished_at == finished_at
