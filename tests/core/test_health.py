"""The health check: database and broker, 200 when all is well, 503 otherwise, never cached."""

from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_healthy_without_a_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_database_failure_answers_503(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    with mock.patch("caflab.core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("core:health"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_unreachable_broker_is_an_error(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("core:health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


def test_reachable_broker_is_ok(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_health_check_is_public_and_read_only(client, db):
    assert client.get(reverse("core:health")).status_code in (200, 503)
    assert client.post(reverse("core:health")).status_code == 405
