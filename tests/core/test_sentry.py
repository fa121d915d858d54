"""Error tracking: what an event keeps and what it loses before it leaves the server — on a
realistic event dict, and in a real round trip to a local stand-in for Sentry's ingestion."""

import copy
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest

from caflab.core.sentry import before_send

ROOT = Path(__file__).resolve().parents[2]
RESET_PATH = "/comptes/mot-de-passe/reinitialiser/MTI/c8k2lz-0123456789abcdef0123456789abcdef/"
TOKEN = "c8k2lz-0123456789abcdef0123456789abcdef"
EMAIL = "agent.a@caf38.example"
COOKIE = "sessionid=s3ss10n-c00k1e-value; csrftoken=csrf-c00k1e-value"
BEARER = "Bearer api-s3cr3t-value"


def django_event() -> dict:
    """An event as sentry-sdk's Django integration builds it for a failing request."""
    return {
        "level": "error",
        "transaction": "/comptes/mot-de-passe/reinitialiser/{uidb64}/{token}/",
        "exception": {
            "values": [
                {
                    "type": "OperationalError",
                    "value": f"no such table while serving {RESET_PATH}",
                    "stacktrace": {"frames": []},
                }
            ]
        },
        "logentry": {"message": "Internal Server Error: %s", "params": [RESET_PATH]},
        "request": {
            "url": f"https://caflab.example{RESET_PATH}",
            "method": "GET",
            "query_string": f"email={EMAIL}",
            "cookies": {"sessionid": "s3ss10n-c00k1e-value"},
            "data": {"new_password1": "Un-nouveau-mot-de-passe"},
            "env": {"REMOTE_ADDR": "203.0.113.7", "SERVER_NAME": "caflab.example"},
            "headers": {
                "Cookie": COOKIE,
                "Authorization": BEARER,
                "User-Agent": "Mozilla/5.0",
                "Referer": f"https://caflab.example{RESET_PATH}?email={EMAIL}",
                "X-Forwarded-For": "203.0.113.7",
            },
        },
        "user": {"id": "12", "email": EMAIL, "ip_address": "203.0.113.7", "username": EMAIL},
        "breadcrumbs": {
            "values": [
                {
                    "category": "httplib",
                    "data": {"url": f"https://caflab.example{RESET_PATH}", "http.query": "a=b"},
                },
                {"category": "django.request", "message": f"Not Found: {RESET_PATH}"},
            ]
        },
    }


SECRETS = (TOKEN, "/MTI/", EMAIL, "s3ss10n", "csrf-c00k1e", "api-s3cr3t", "203.0.113.7")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} would be sent to Sentry"


def test_before_send_strips_cookies_credentials_query_email_and_token_paths():
    event = before_send(copy.deepcopy(django_event()), {})
    assert_no_secret(json.dumps(event))
    assert "Un-nouveau-mot-de-passe" not in json.dumps(event)
    # what helps to debug stays
    assert event["request"]["url"] == (
        "https://caflab.example/comptes/mot-de-passe/reinitialiser/<uidb64>/<token>/"
    )
    assert event["request"]["headers"]["User-Agent"] == "Mozilla/5.0"
    assert event["user"] == {"id": "12"}
    assert event["exception"]["values"][0]["type"] == "OperationalError"


class _Ingestion(BaseHTTPRequestHandler):
    """Plays Sentry's envelope endpoint: keeps every body received, decompressed."""

    received: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.server.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def ingestion():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ingestion)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# A real failure (the database has no table), a request carrying a cookie, a bearer token, a
# query string with an e-mail and a reset token in its path.
CHILD = f"""
import io, sentry_sdk
from wsgiref.util import setup_testing_defaults
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()  # the WSGI entry point gunicorn calls
environ = {{
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "{RESET_PATH}",
    "QUERY_STRING": "email={EMAIL}",
    "HTTP_HOST": "127.0.0.1",
    "HTTP_COOKIE": "{COOKIE}",
    "HTTP_AUTHORIZATION": "{BEARER}",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
    "REMOTE_ADDR": "203.0.113.7",
    "wsgi.input": io.BytesIO(),
}}
setup_testing_defaults(environ)
statuses = []
b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
assert statuses[0].startswith("500"), statuses
sentry_sdk.flush(timeout=10)
"""


def test_a_real_error_reaches_sentry_without_cookie_email_or_token(ingestion):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "sqlite://:memory:",  # no table: the reset view fails for real
        "SENTRY_DSN": f"http://public@127.0.0.1:{ingestion.server_port}/1",
        "SENTRY_ENVIRONMENT": "tests",
        "LOG_LEVEL": "CRITICAL",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert child.returncode == 0, child.stderr.decode()[-2000:]

    sent = b"\n".join(ingestion.received).decode()
    events = [
        json.loads(line)
        for line in sent.splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert events, f"no error event received: {sent[:500]}"
    for event in events:  # the view's failure, then the session's on the way out
        assert event["environment"] == "tests"
        assert event["exception"]["values"][-1]["type"] == "OperationalError"
        assert event["request"]["url"].endswith(
            "/comptes/mot-de-passe/reinitialiser/<uidb64>/<token>/"
        )
        assert "Cookie" not in event["request"].get("headers", {})
    assert_no_secret(sent)
