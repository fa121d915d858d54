"""A Celery worker killed with SIGKILL in the middle of an impact report (its pool process and
its main process, as when the host or the container dies): the report does not stay "running
40 %" for an hour. Its lease (caflab.core.jobs) expires, the beat's requeue task queues it
again, a fresh worker builds it, and the requester's page shows the PDF.

The message of the killed run stays unacknowledged in Redis for the visibility timeout (an
hour): only the lease brings the report back within minutes, which the test checks first.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab_h2 \
    .venv/bin/pytest -m faults tests/faults/test_worker_killed.py
"""

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from evaluation.services.reports import report_request
from evaluation.tasks import requeue_stale_reports
from tests.evaluation.factories import evaluated_project
from tests.faults.servers import (
    IN_TEST,
    LEASE_SECONDS,
    RECOVERY_BOUND_SECONDS,
    Workers,
    celery_workers,
    pool_processes,
    requires_broker,
    wait_until,
)

pytestmark = [pytest.mark.real_broker, pytest.mark.faults, requires_broker]


@pytest.fixture
def workers(tmp_path, settings) -> Iterator[Workers]:
    """Prefork workers (a main process and a pool process), as in production."""
    with celery_workers(
        tmp_path,
        settings,
        ["evaluation.tasks.*", "caflab.notifications.tasks.*"],
        lease_seconds=LEASE_SECONDS,
    ) as started:
        yield started


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_whose_worker_was_killed_mid_build_is_finished_by_a_fresh_worker(workers, client):
    project = evaluated_project()
    # The first worker holds each job step for a minute: it is killed during that pause.
    first = workers.start("killed", JOB_TEST_PAUSE_SECONDS="60")
    with transaction.atomic():
        report = report_request(project=project, by=project.lead)

    def report_is(status: str, progress: int | None = None) -> Callable[[], bool]:
        def check() -> bool:
            report.refresh_from_db()
            return report.status == status and progress in (None, report.progress)

        return check

    wait_until(report_is("running", 40), "the report to reach 40 %", workers.logs, 60)
    assert report.attempts == 1
    pool = pool_processes(first)
    assert pool, "a prefork worker runs its task in a pool process"
    os.killpg(first.pid, signal.SIGKILL)  # the pool process and the main process, at once
    first.wait(timeout=10)
    killed_at = time.monotonic()

    def gone(pid: int) -> bool:
        status = Path(f"/proc/{pid}/status")
        try:
            return "State:\tZ" in status.read_text()
        except FileNotFoundError:
            return True

    wait_until(lambda: all(gone(pid) for pid in pool), "the pool process to die", workers.logs, 10)

    workers.start("fresh")

    # Nothing brings the report back before its lease expires: the killed run's message is
    # unacknowledged in Redis for an hour, and a fresh worker alone does not take it.
    def lease_expired() -> bool:
        report.refresh_from_db()
        return report.is_stuck

    wait_until(lease_expired, "the lease to expire", workers.logs, 30)
    time.sleep(2)  # the fresh worker had its chance: the report is still stuck
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == ("running", 40, 1)

    # The beat's entry (every minute in production). Run here, where the test's routes send
    # the build to the fresh worker's queue (a worker would publish to the default queue).
    assert requeue_stale_reports.apply().get(**IN_TEST) == 1
    wait_until(report_is("ready"), "the report to be finished", workers.logs, 60)
    recovered_in = time.monotonic() - killed_at
    assert recovered_in < RECOVERY_BOUND_SECONDS
    assert report.attempts == 2
    with report.pdf.open("rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-")
    assert b"%%EOF" in content[-1024:]

    client.force_login(project.lead)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Rapport prêt depuis le" in page
    assert reverse("evaluation:report-download", kwargs={"pk": report.pk}) in page
    assert "Indicateurs\u00a0: référence, cible et résultats" in page
    print(f"\nreport recovered {recovered_in:.1f} s after SIGKILL (lease {LEASE_SECONDS} s)")
