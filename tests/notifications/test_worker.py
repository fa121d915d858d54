"""A real Celery worker, in its own process, delivers the outbox: the task is queued after the
commit, reads the committed row, sends the mail once, and a duplicate delivery or a flush sends
nothing more.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab .venv/bin/pytest -m real_broker
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from caflab.accounts.models import EmailFrequency
from caflab.celery import app as celery_app
from caflab.notifications.models import OutboxMail
from caflab.notifications.services import notify
from caflab.notifications.tasks import flush_outbox, send_outbox_mail
from tests.accounts.factories import UserFactory

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
WAIT_SECONDS = 30

pytestmark = [
    pytest.mark.real_broker,
    pytest.mark.skipif(
        not BROKER_URL, reason="needs CELERY_BROKER_URL (Redis) to start a real Celery worker"
    ),
]


def wait_until(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    worker_log = log.read_text() if log.exists() else "(no worker log)"
    pytest.fail(f"Timed out after {WAIT_SECONDS}s waiting for {what}.\n{worker_log[-4000:]}")


def shared_database_url() -> str:
    """The URL of the *test* database, which the worker process must share."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """Route our tasks to a queue of their own and publish for real (not eagerly), so that only
    the worker started here consumes them."""
    queue = f"caflab-test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_routes)
    conf.task_always_eager = False
    conf.task_routes = {"caflab.notifications.tasks.*": {"queue": queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # rebuilt from the new routes
    try:
        yield queue
    finally:
        conf.task_always_eager, conf.task_routes = saved
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)  # leave no binding behind in Redis


@pytest.fixture
def worker(worker_queue, tmp_path) -> Iterator[dict]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: set DATABASE_URL=postgres://…")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    node = f"caflab-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
        # The production settings, not tests.settings (which forces eager mode).
        "DJANGO_SETTINGS_MODULE": "caflab.settings",
        "DEBUG": "0",
        "SECRET_KEY": "tests-only-worker-key",
        "DATABASE_URL": shared_database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        # The production profile refuses to start half-configured (caflab.core.checks).
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
        worker_queue,
        "-n",
        node,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    with log.open("w") as output:  # the worker logs to stderr
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
        yield {"mail_dir": mail_dir, "log": log, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_mail_of_an_immediate_user_exactly_once(worker):
    user = UserFactory(
        email="worker.immediat@example.org",
        citizen=True,
        email_frequency=EmailFrequency.IMMEDIATE,
    )
    mail_dir, log = worker["mail_dir"], worker["log"]

    notify(recipients=[user], kind="idea.accepted", title="Idea accepted", url="/projets/1/")
    mail = OutboxMail.objects.get(recipient=user)

    def is_sent() -> bool:
        mail.refresh_from_db()
        return mail.status == OutboxMail.Status.SENT

    wait_until(is_sent, "the outbox mail to be sent", log)
    files = list(mail_dir.iterdir())
    assert len(files) == 1
    content = files[0].read_text()
    assert "To: worker.immediat@example.org" in content
    assert "Subject: [CafLab] Idea accepted" in content
    assert "http://127.0.0.1:8000/projets/1/" in content

    # A duplicate delivery (acks_late redelivers after a worker crash) and the periodic flush,
    # both run by the worker: nothing more is sent.
    send_outbox_mail.apply_async(args=(mail.pk,))
    flush_outbox.apply_async(kwargs={"older_than_seconds": 0})
    wait_until(
        lambda: (
            '"result": "skipped"' in log.read_text()
            and '"task": "caflab.notifications.tasks.flush_outbox"' in log.read_text()
            and log.read_text().count('"outcome": "success"') >= 3
        ),
        "the duplicate and the flush to run",
        log,
    )
    assert len(list(mail_dir.iterdir())) == 1
    mail.refresh_from_db()
    assert mail.attempts == 1
