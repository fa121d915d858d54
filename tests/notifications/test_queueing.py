"""enqueue(): a broker outage is logged and swallowed, never raised into a request."""

import time
from unittest import mock

import pytest
from celery import Celery

from caflab.notifications.queueing import enqueue, enqueue_on_commit
from caflab.notifications.tasks import send_outbox_mail


@pytest.fixture
def unreachable_broker_app(monkeypatch):
    """A Celery app with our settings (short broker timeouts) whose broker is a closed port:
    the real failure, not a mock of it."""
    # Celery prefers the environment variable to the configured URL.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    app = Celery("caflab-outage-probe", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # discard port: nothing listens
    app.conf.task_always_eager = False

    @app.task(name="tests.outage_probe", shared=False)
    def probe(item_id: int) -> int:  # pragma: no cover - never runs
        return item_id

    assert app.connection_for_write().port == 9
    yield probe
    app.close()


def test_enqueue_returns_false_and_logs_when_the_broker_is_unreachable(
    unreachable_broker_app, caplog
):
    started = time.monotonic()
    assert enqueue(unreachable_broker_app, 42) is False
    assert time.monotonic() - started < 10  # short timeouts: a request is not held up
    assert "tests.outage_probe(42,) not queued" in caplog.text


def test_enqueue_publishes_the_ids_and_returns_true():
    with mock.patch.object(send_outbox_mail, "apply_async") as apply_async:
        assert enqueue(send_outbox_mail, 42, countdown=5) is True
    apply_async.assert_called_once_with(args=(42,), countdown=5)


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(
    unreachable_broker_app, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(unreachable_broker_app, 7)
    assert "not queued" not in caplog.text
    assert len(callbacks) == 1
    callbacks[0]()
    assert "tests.outage_probe(7,) not queued" in caplog.text
