"""Redis down: pages and forms keep working, mail waits in the outbox, and goes once it is back.

No mock here: the Celery app really publishes, to a broker address where nothing listens.
"""

import time

import pytest
from django.urls import reverse

from caflab.celery import app as celery_app
from caflab.notifications.models import OutboxMail
from caflab.notifications.services import notify
from caflab.notifications.tasks import flush_outbox

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch):
    """Point the app at a closed port and publish for real (not eagerly)."""
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=DEAD_BROKER, task_always_eager=False)
    celery_app._pool = None
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None


def test_pages_answer_quickly_while_the_broker_is_down(client, agent_a, broker_down, settings):
    settings.CELERY_BROKER_URL = DEAD_BROKER
    client.force_login(agent_a)
    for name in ("core:home", "notifications:list", "accounts:profile"):
        started = time.monotonic()
        assert client.get(reverse(name)).status_code == 200
        assert time.monotonic() - started < 5
    # Degraded, not down: a load balancer keeps the node, monitoring sees the broker.
    health = client.get(reverse("core:health"))
    assert health.status_code == 200
    assert health.json()["broker"] == "unavailable"
    assert health.json()["status"] == "degraded"


def test_a_notification_made_while_the_broker_is_down_is_mailed_once_it_is_back(
    agent_a, broker_down, mailoutbox, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent_a], kind="test.outage", title="Votre idée a avancé", url="/")
    assert time.monotonic() - started < 5, "a broker outage must not hang the request"
    mail = OutboxMail.objects.get()
    assert mail.status == OutboxMail.Status.PENDING
    assert mailoutbox == []

    # Redis is back: the periodic flush (here in-process) sends the waiting mail, once.
    celery_app.conf.task_always_eager = True
    flush_outbox(older_than_seconds=0)
    flush_outbox(older_than_seconds=0)
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [agent_a.email]
