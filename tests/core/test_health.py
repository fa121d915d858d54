"""Health that tells the truth: liveness (/healthz) is down only without the database; Redis
being down degrades it; readiness (/readyz) also wants every migration and the broker; the
worker's heartbeat; the "Exploitation" page for administrators."""

import os
import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.core import health
from caflab.core.models import Heartbeat
from caflab.core.tasks import HEARTBEAT_EXPIRES_SECONDS, record_heartbeat
from caflab.notifications.models import OutboxMail
from tests.accounts.factories import UserFactory
from tests.notifications.factories import OutboxMailFactory
from tests.queries import assert_flat_query_count

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
LOCAL_REDIS = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")


@pytest.fixture(autouse=True)
def _fresh_migration_state() -> Iterator[None]:
    """Readiness caches "fully migrated" per process: each test checks for itself."""
    health.forget_migration_state()
    yield
    health.forget_migration_state()


@pytest.fixture
def frozen_redis() -> Iterator[str]:
    """A port that accepts TCP connections and never answers, like a Redis stopped with
    SIGSTOP: the kernel completes the handshake, nothing ever replies."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def closed_port_connection() -> BaseDatabaseWrapper:
    """A real PostgreSQL connection object to a port nobody listens on."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "caflab_absent",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "1",
                "OPTIONS": {"connect_timeout": 1},
            }
        }
    )
    return handler["default"]


@pytest.fixture
def unreachable_database(db) -> Iterator[None]:
    """The default connection replaced by a real PostgreSQL connection to a closed port (so
    every query fails like a database that went away), put back afterwards."""
    broken = closed_port_connection()
    with pytest.raises(OperationalError):  # the failure is the closed port, nothing else
        broken.ensure_connection()
    original = connections["default"]
    connections["default"] = broken
    try:
        yield
    finally:
        connections["default"] = original
        broken.close()


def get_health(client):
    started = time.monotonic()
    response = client.get(reverse("core:health"))
    return response, time.monotonic() - started


# --- liveness ---------------------------------------------------------------------------------


def test_embedded_default_is_healthy_with_the_broker_not_configured(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response, _elapsed = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "not_configured"
    assert body["cache"] == "ok"
    assert body["worker"] == "not_configured"
    assert body["outbox_pending"] == 0
    assert body["outbox_oldest_pending_seconds"] is None
    assert "degraded" not in body


def test_health_is_never_cached_and_read_only(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("core:health"))
    assert "no-store" in response["Cache-Control"]
    assert client.post(reverse("core:health")).status_code == 405


def test_unreachable_broker_is_degraded_not_down_and_answers_quickly(client, db, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    response, elapsed = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"] == "unavailable"
    assert body["database"] == "ok"
    assert "broker" in body["degraded"]
    assert elapsed < 2


def test_frozen_broker_gives_up_after_about_a_second(client, db, settings, frozen_redis):
    settings.CELERY_BROKER_URL = frozen_redis
    response, elapsed = get_health(client)
    assert response.status_code == 200
    assert response.json()["broker"] == "unavailable"
    assert elapsed < 2


def test_unreachable_redis_cache_is_degraded_not_down(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    response, elapsed = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["cache"] == "unavailable"
    assert body["status"] == "degraded"
    assert body["degraded"] == ["cache"]
    assert elapsed < 2


def test_a_frozen_redis_as_broker_and_cache_still_answers_within_two_seconds(
    client, db, settings, frozen_redis
):
    settings.CELERY_BROKER_URL = frozen_redis
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": frozen_redis,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    Heartbeat.objects.create(name="worker", last_seen=timezone.now())
    response, elapsed = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] == ["broker", "cache"]
    assert body["worker_last_run_seconds"] <= 1  # read from the database, not the frozen cache
    assert elapsed < 2


def test_unreachable_database_answers_503(client, settings, unreachable_database):
    settings.CELERY_BROKER_URL = ""
    response, elapsed = get_health(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == "unavailable"
    assert elapsed < 3


def test_database_check_fails_on_a_closed_port_connection(db):
    assert health.check_database(closed_port_connection()) == "unavailable"
    assert health.check_database() == "ok"


def test_a_configured_broker_without_a_worker_heartbeat_is_degraded_until_the_task_runs(
    client, db, settings
):
    settings.CELERY_BROKER_URL = "memory://"
    body = client.get(reverse("core:health")).json()
    assert body["broker"] == "ok"
    assert body["worker"] == "stale"
    assert body["worker_last_run_seconds"] is None
    assert body["status"] == "degraded"

    record_heartbeat.delay()

    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"] == "ok"
    assert body["worker_last_run_seconds"] <= 1


def test_a_heartbeat_older_than_five_minutes_is_stale(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    Heartbeat.objects.create(name="worker", last_seen=timezone.now() - timedelta(minutes=6))
    body = client.get(reverse("core:health")).json()
    assert body["worker"] == "stale"
    assert body["worker_last_run_seconds"] >= 360


def test_outbox_backlog_is_counted_without_any_personal_data(client, db, settings, agent_a):
    settings.CELERY_BROKER_URL = ""
    OutboxMailFactory(
        recipient=agent_a,
        subject="Votre dossier confidentiel",
        created_at=timezone.now() - timedelta(minutes=10),
    )
    OutboxMailFactory(recipient=agent_a)
    OutboxMailFactory(recipient=agent_a, status=OutboxMail.Status.SENT)
    response = client.get(reverse("core:health"))
    body = response.json()
    assert body["outbox_pending"] == 2
    assert body["outbox_oldest_pending_seconds"] >= 600
    content = response.content.decode()
    assert agent_a.email not in content
    assert "confidentiel" not in content


@pytest.mark.skipif(not LOCAL_REDIS, reason="needs CELERY_BROKER_URL or REDIS_URL (Redis)")
def test_reachable_redis_broker_is_ok_and_reports_its_queue_length(client, db, settings):
    settings.CELERY_BROKER_URL = LOCAL_REDIS
    record_heartbeat.delay()
    body = client.get(reverse("core:health")).json()
    assert body["broker"] == "ok"
    assert body["status"] == "ok"
    assert isinstance(body["broker_queue_length"], int)


# --- readiness --------------------------------------------------------------------------------


def test_ready_when_migrated_without_a_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "broker": "not_configured",
    }
    assert "no-store" in response["Cache-Control"]


def core_leaf_migration() -> tuple[str, str]:
    """The core app's latest migration: recorded unapplied, it is what a deploy has not run."""
    from django.db.migrations.loader import MigrationLoader

    (leaf,) = MigrationLoader(connections["default"]).graph.leaf_nodes("core")
    return leaf


def test_an_unapplied_migration_makes_the_node_not_ready(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    app, name = core_leaf_migration()
    MigrationRecorder(connections["default"]).record_unapplied(app, name)
    assert health.unapplied_migrations() == [f"{app}.{name}"]
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    assert response.json()["status"] == "not_ready"


def test_being_fully_migrated_is_remembered_once_true(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    assert client.get(reverse("core:readyz")).status_code == 200
    # Recorded as unapplied afterwards: the process does not look again (migrations are not
    # rolled back under a running node).
    MigrationRecorder(connections["default"]).record_unapplied(*core_leaf_migration())
    assert client.get(reverse("core:readyz")).status_code == 200


def test_an_unreachable_broker_makes_the_node_not_ready(client, db, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    started = time.monotonic()
    response = client.get(reverse("core:readyz"))
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_an_unreachable_database_makes_the_node_not_ready(client, settings, unreachable_database):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["migrations"] == "unavailable"


# --- the heartbeat task -----------------------------------------------------------------------


def test_the_heartbeat_task_updates_one_row_and_the_cache(db):
    record_heartbeat.delay()
    first = Heartbeat.objects.get(name="worker")
    record_heartbeat.delay()
    assert Heartbeat.objects.count() == 1
    second = Heartbeat.objects.get(name="worker")
    assert second.last_seen >= first.last_seen
    assert timezone.now() - second.last_seen < timedelta(seconds=5)
    assert second.published_at is None  # run eagerly: nothing dates a publishing


def test_the_heartbeat_survives_a_cache_flush(db):
    from django.core.cache import cache

    record_heartbeat.delay()
    cache.clear()
    heartbeat = health.heartbeat_read("worker")
    assert heartbeat is not None
    assert heartbeat.last_seen == Heartbeat.objects.get().last_seen


def test_the_heartbeat_dates_its_publishing_from_the_expiry_beat_sets(db):
    published = timezone.now() - timedelta(seconds=3)
    expires = published + timedelta(seconds=HEARTBEAT_EXPIRES_SECONDS)
    # What a worker sees for a message published with `expires=55`: an absolute ISO time.
    record_heartbeat.push_request(expires=expires.isoformat())
    try:
        record_heartbeat.run()
    finally:
        record_heartbeat.pop_request()
    heartbeat = Heartbeat.objects.get(name="worker")
    assert abs((heartbeat.published_at - published).total_seconds()) < 0.01
    assert 3 <= heartbeat.queue_latency < 5


def test_the_beat_schedule_runs_the_heartbeat_every_minute():
    from caflab.celery import app

    entry = app.conf.beat_schedule["core-heartbeat"]
    assert entry["task"] == record_heartbeat.name
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] == HEARTBEAT_EXPIRES_SECONDS


# --- the "Exploitation" page ------------------------------------------------------------------


@pytest.mark.parametrize(
    "traits",
    [
        {"admin": True},
        {"is_staff": True},
        {"role": Role.ADMIN, "caf": None},
    ],
    ids=["superuser", "staff", "admin-role"],
)
def test_administrators_see_the_operations_page(client, db, settings, traits):
    settings.CELERY_BROKER_URL = ""
    client.force_login(UserFactory(**traits))
    response = client.get(reverse("core:operations"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert "<caption" in content
    assert "Non configuré" in content
    assert "no-store" in response["Cache-Control"]


def test_lab_staff_without_staff_access_get_403(client, lab_staff):
    client.force_login(lab_staff)
    assert client.get(reverse("core:operations")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("core:operations"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_operations_page_shows_the_backlog_and_links_failed_mails_to_the_admin(
    client, db, settings, agent_a
):
    settings.CELERY_BROKER_URL = ""
    settings.APP_VERSION = "abc1234"
    OutboxMailFactory(recipient=agent_a, created_at=timezone.now() - timedelta(hours=2))
    OutboxMailFactory(recipient=agent_a, status=OutboxMail.Status.FAILED)
    record_heartbeat.delay()
    client.force_login(UserFactory(admin=True))
    content = client.get(reverse("core:operations")).content.decode()
    failed_url = reverse("admin:notifications_outboxmail_changelist") + "?status__exact=failed"
    assert f'href="{failed_url}"' in content
    assert "1 e-mail en échec" in content
    assert "il y a 2" in content  # the oldest pending mail, "il y a 2 heures"
    assert "abc1234" in content
    assert "Exports de réponses (écoute)" in content
    assert agent_a.email not in content


def test_operations_page_costs_a_fixed_number_of_queries(client, db, settings, agent_a):
    settings.CELERY_BROKER_URL = ""
    record_heartbeat.delay()
    client.force_login(UserFactory(admin=True))

    def add_mails(n: int) -> None:
        for i in range(n):
            status = OutboxMail.Status.FAILED if i % 2 else OutboxMail.Status.PENDING
            OutboxMailFactory(recipient=agent_a, status=status)

    assert_flat_query_count(client, reverse("core:operations"), add_mails)


def test_the_admin_index_links_to_the_operations_page(client, db):
    client.force_login(UserFactory(admin=True))
    content = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("core:operations")}"' in content
