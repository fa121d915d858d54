"""A real Celery worker, in its own process, builds an impact report queued after the commit,
from the committed snapshot; a redelivered message for a RUNNING report (the worker died)
rebuilds the same report; one for a READY report changes nothing.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab_evalreport \
    .venv/bin/pytest -m real_broker tests/evaluation/test_reports_worker.py
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from caflab.celery import app as celery_app
from evaluation.models import ImpactReport
from evaluation.services.reports import report_request
from evaluation.tasks import build_report
from tests.evaluation.factories_reports import evaluated_project
from tests.notifications.test_worker import shared_database_url, wait_until

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.real_broker,
    pytest.mark.skipif(
        not BROKER_URL, reason="needs CELERY_BROKER_URL (Redis) to start a real Celery worker"
    ),
]


@pytest.fixture
def report_worker(tmp_path, settings) -> Iterator[dict]:
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
    settings.PRIVATE_MEDIA_ROOT = str(private)  # shared with the worker
    log = tmp_path / "worker.log"
    node = f"caflab-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "caflab.settings",
        "DEBUG": "0",
        "SECRET_KEY": "tests-only-worker-key",
        "DATABASE_URL": shared_database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER_URL,
        "PRIVATE_MEDIA_ROOT": str(private),
        # The production profile refuses a backend that delivers nothing (caflab.core.checks).
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "ALLOW_FILE_EMAIL": "1",
        "SITE_URL": settings.SITE_URL,
    }
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "caflab",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        node,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until(
            lambda: (
                process.poll() is None
                and bool(celery_app.control.ping(destination=[node], timeout=0.5))
            ),
            "the worker to answer a ping",
            log,
        )
        yield {"log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        conf.task_always_eager, conf.task_routes = saved
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_the_report_and_a_redelivery_rebuilds_the_same(report_worker):
    log = report_worker["log"]
    project = evaluated_project()
    with transaction.atomic():
        report = report_request(project=project, by=project.lead)

    def status_is(status: str):
        def check() -> bool:
            report.refresh_from_db()
            return report.status == status

        return check

    wait_until(status_is(ImpactReport.Status.READY), "the report to be ready", log)
    first_html = report.html
    assert "Indicateurs : référence, cible et résultats" in first_html
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # A redelivered message after the worker died mid-build: the report is RUNNING again.
    ImpactReport.objects.filter(pk=report.pk).update(status="running", html="")
    build_report.apply_async(args=(report.pk,))
    wait_until(status_is(ImpactReport.Status.READY), "the report to be rebuilt", log)
    assert report.html == first_html

    # A duplicate for a READY report is skipped.
    finished_at = report.finished_at
    build_report.apply_async(args=(report.pk,))
    wait_until(lambda: '"result": "skipped"' in log.read_text(), "the duplicate to be skipped", log)
    report.refresh_from_db()
    assert report.finished_at == finished_at
