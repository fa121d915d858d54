"""enqueue(): a broker outage is logged and swallowed, never raised into a request."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import Celery, signals
from django.core.signals import request_finished, request_started

from caflab.celery import app as celery_app
from caflab.celery import use_patient_broker_timeouts
from caflab.core import queueing
from caflab.core.queueing import enqueue, enqueue_on_commit
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


@contextmanager
def broker_back(probe) -> Iterator[list[tuple]]:
    """The probe's broker answers again (an in-memory one): yields the args of each message
    then published to it, filled as they go."""
    app = probe.app
    app.conf.broker_url = "memory://localhost/"
    app._pool = None
    app.amqp._producer_pool = None
    published: list[tuple] = []

    def record(sender=None, body=None, **kwargs):
        if sender == probe.name:
            published.append(tuple(body[0]))

    signals.after_task_publish.connect(record, weak=False)
    try:
        yield published
    finally:
        signals.after_task_publish.disconnect(record)


def test_enqueue_returns_false_and_logs_when_the_broker_is_unreachable(
    unreachable_broker_app, caplog
):
    started = time.monotonic()
    assert enqueue(unreachable_broker_app, 42) is False
    assert time.monotonic() - started < 10  # short timeouts: a request is not held up
    assert "tests.outage_probe(42,) not queued" in caplog.text


def test_enqueue_publishes_the_ids_and_returns_true(published_tasks):
    assert enqueue(send_outbox_mail, 42, countdown=5) is True
    assert published_tasks.messages == [(send_outbox_mail.name, (42,))]
    assert published_tasks.options[0]["eta"] is not None  # the countdown went along


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


# --- one bounded attempt per request (issue 20) -------------------------------------------


@pytest.fixture
def in_a_request(db):
    """The budget a request gets from `request_started`, closed by `request_finished`."""
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_after_a_failed_publish_the_request_skips_the_broker_at_once(
    unreachable_broker_app, in_a_request, caplog
):
    assert enqueue(unreachable_broker_app, 1) is False
    with broker_back(unreachable_broker_app) as published:
        started = time.monotonic()
        for item_id in range(2, 52):
            assert enqueue(unreachable_broker_app, item_id) is False
        # Trying would cost at least the connect timeout (0.05 s) each, 2.5 s for the 50;
        # 0.5 s leaves room for a loaded CI machine descheduling the test.
        assert time.monotonic() - started < 0.5
    assert published == []  # not even tried, although the broker was back
    assert "tests.outage_probe(51,) not queued; it will be picked up again later" in caplog.text


def test_a_request_whose_publishes_spent_the_budget_skips_the_next_ones(
    unreachable_broker_app, in_a_request
):
    def slow_publish(**kwargs):  # a broker that answers, slowly
        time.sleep(queueing.REQUEST_BROKER_BUDGET_SECONDS + 0.01)

    probe = unreachable_broker_app
    signals.before_task_publish.connect(slow_publish, weak=False)
    try:
        with broker_back(probe) as published:
            assert enqueue(probe, 1) is True
            assert enqueue(probe, 2) is False
    finally:
        signals.before_task_publish.disconnect(slow_publish)
    assert published == [(1,)]


def test_the_next_request_tries_the_broker_again(unreachable_broker_app, in_a_request):
    assert enqueue(unreachable_broker_app, 1) is False
    request_finished.send(sender=None)
    request_started.send(sender=None)
    with broker_back(unreachable_broker_app) as published:
        assert enqueue(unreachable_broker_app, 2) is True
    assert published == [(2,)]


def test_outside_a_request_every_publish_is_tried(unreachable_broker_app):
    assert enqueue(unreachable_broker_app, 1) is False
    with broker_back(unreachable_broker_app) as published:
        assert enqueue(unreachable_broker_app, 2) is True
    assert published == [(2,)]


def test_the_web_publishes_with_short_timeouts_and_the_worker_with_patient_ones(settings):
    web = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # One attempt (connect + reply) fits in the request's budget; no retry of the check.
    assert web["socket_connect_timeout"] + web["socket_timeout"] <= 0.2
    assert web["max_retries"] == 0
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    saved = celery_app.conf.broker_transport_options
    try:
        use_patient_broker_timeouts()  # what the worker and beat run at start
        worker = celery_app.conf.broker_transport_options
    finally:
        celery_app.conf.broker_transport_options = saved
    # Longer than kombu's 1 s BRPOP, so that a consuming worker never times out its own wait.
    assert worker["socket_timeout"] > 1
    assert worker["interval_max"] == web["interval_max"]  # the rest is kept
