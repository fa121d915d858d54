"""A database outage answers a calm 503, not a 500 that promises what nobody does (issue 20).

Django runs in a subprocess with the production profile (DEBUG=0) and DATABASE_URL on a closed
port: PostgreSQL is really unreachable, nothing is mocked."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

# Static URLs without a collected manifest (collectstatic with compression takes a minute);
# everything else is the production profile.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }}
).enable()
client = Client(raise_request_exception=False)
out = {}
for name, method, path in json.loads(sys.argv[1]):
    if method == "post":
        response = client.post(path, {"username": "agent@caf.fr", "password": "un-secret"})
    else:
        response = client.get(path)
    out[name] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "cache": response.get("Cache-Control"),
        "body": response.content.decode(),
    }
print(json.dumps(out))
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def outage() -> dict:
    paths = [
        ("robots", "get", reverse("core:robots")),
        ("consultations", "get", reverse("ecoute:index")),
        ("sign_in", "post", reverse("accounts:login")),
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE", "REDIS", "CELERY", "SENTRY", "PYTEST", "DJANGO"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="caflab.settings",
        DEBUG="0",
        SECRET_KEY="outage-test-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        SITE_URL="http://testserver",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/caflab",
        LOG_LEVEL="CRITICAL",
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_page_that_needs_the_database_answers_503_with_retry_after(outage):
    page = outage["consultations"]
    assert page["status"] == 503
    assert page["retry_after"] == "120"
    assert "no-store" in page["cache"]
    assert "Service momentanément indisponible" in page["body"]
    assert "Réessayez dans 2 minutes" in page["body"]
    assert '<html lang="fr">' in page["body"]
    # No false promise, and no "your submission was refused" on a mere visit.
    assert "en est informée" not in page["body"]
    assert "pas été enregistré" not in page["body"]


def test_a_refused_submission_says_that_nothing_was_recorded(outage):
    page = outage["sign_in"]
    assert page["status"] == 503
    assert "Votre envoi n’a pas été enregistré." in page["body"]
    assert 'role="alert"' in page["body"]


def test_what_needs_no_database_still_answers(outage):
    assert outage["robots"]["status"] == 200


def _wrapped_sqlite_error():
    from django.db import OperationalError

    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM missing")
    except sqlite3.OperationalError as exc:
        raise OperationalError(str(exc)) from exc


def test_a_bug_is_not_an_outage():
    from django.db import OperationalError

    from caflab.core.outage import is_database_outage

    with pytest.raises(OperationalError) as raised:
        _wrapped_sqlite_error()
    assert not is_database_outage(raised.value)
    assert not is_database_outage(ValueError("x"))
    assert not is_database_outage(None)
