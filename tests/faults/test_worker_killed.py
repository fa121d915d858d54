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
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse

from caflab.celery import app as celery_app
from evaluation.services.reports import report_request
from evaluation.tasks import requeue_stale_reports
from tests.evaluation.factories_reports import evaluated_project
from tests.faults.servers import IN_TEST
from tests.notifications.test_worker import shared_database_url

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
LEASE_SECONDS = 3
# From the kill to the finished report: lease + a fresh worker's start + the requeue + the build.
RECOVERY_BOUND_SECONDS = 60

pytestmark = [
    pytest.mark.real_broker,
    pytest.mark.faults,
    pytest.mark.skipif(
        not BROKER_URL, reason="needs CELERY_BROKER_URL (Redis) to start a real Celery worker"
    ),
]


def wait_for(condition: Callable[[], bool], what: str, logs: list[Path], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"Timed out after {seconds}s waiting for {what}.\n{tails}")


class Workers:
    """Starts real workers (prefork: a main process and a pool process) on a queue of the
    test's own; each in its own process group, so that SIGKILL reaches both."""

    def __init__(self, tmp_path: Path, settings, queue: str) -> None:
        self.tmp_path, self.settings, self.queue = tmp_path, settings, queue
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, name: str, **extra_env: str) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{name}.log"
        node = f"caflab-test-{name}-{uuid.uuid4().hex[:8]}@localhost"
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")
            },
            "DJANGO_SETTINGS_MODULE": "caflab.settings",
            "DEBUG": "0",
            "SECRET_KEY": "tests-only-worker-key",
            "DATABASE_URL": shared_database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": BROKER_URL,
            "PRIVATE_MEDIA_ROOT": self.settings.PRIVATE_MEDIA_ROOT,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.tmp_path / "mail"),
            "ALLOW_FILE_EMAIL": "1",
            "SITE_URL": self.settings.SITE_URL,
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            **extra_env,
        }
        command = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "caflab",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            self.queue,
            "-n",
            node,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        with log.open("w") as output:
            process = subprocess.Popen(
                command,
                cwd=self.settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        self.logs.append(log)
        wait_for(
            lambda: (
                process.poll() is None
                and bool(celery_app.control.ping(destination=[node], timeout=0.5))
            ),
            f"worker {name} to answer a ping",
            self.logs,
            30,
        )
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def pool_processes(worker: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


@pytest.fixture
def workers(tmp_path, settings) -> Iterator[Workers]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: set DATABASE_URL=postgres://…")
    queue = f"caflab-test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_routes)
    conf.task_always_eager = False
    conf.task_routes = {
        "evaluation.tasks.*": {"queue": queue},
        "caflab.notifications.tasks.*": {"queue": queue},
    }
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)
    private = tmp_path / "private-media"
    private.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(private)  # shared with the workers
    settings.JOB_LEASE_SECONDS = LEASE_SECONDS
    started = Workers(tmp_path, settings, queue)
    try:
        yield started
    finally:
        started.stop_all()
        conf.task_always_eager, conf.task_routes = saved
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)


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

    wait_for(report_is("running", 40), "the report to reach 40 %", workers.logs, 60)
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

    wait_for(lambda: all(gone(pid) for pid in pool), "the pool process to die", workers.logs, 10)

    workers.start("fresh")

    # Nothing brings the report back before its lease expires: the killed run's message is
    # unacknowledged in Redis for an hour, and a fresh worker alone does not take it.
    def lease_expired() -> bool:
        report.refresh_from_db()
        return report.is_stuck

    wait_for(lease_expired, "the lease to expire", workers.logs, 30)
    time.sleep(2)  # the fresh worker had its chance: the report is still stuck
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == ("running", 40, 1)

    # The beat's entry (every minute in production). Run here, where the test's routes send
    # the build to the fresh worker's queue (a worker would publish to the default queue).
    assert requeue_stale_reports.apply().get(**IN_TEST) == 1
    wait_for(report_is("ready"), "the report to be finished", workers.logs, 60)
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
    assert "Indicateurs : référence, cible et résultats" in page
    print(f"\nreport recovered {recovered_in:.1f} s after SIGKILL (lease {LEASE_SECONDS} s)")
