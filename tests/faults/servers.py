"""Real servers for the fault tests: a gunicorn started with gunicorn.conf.py on the test
database, free ports, and plain HTTP requests that measure how long they took."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

# `EagerResult.get()` of a task run in the test process (a beat task called by hand). Another
# test may have started a worker in this process, which leaves Celery's "joining a task would
# block" guard on: the task here runs eagerly, so nothing can block.
IN_TEST = {"disable_sync_subtasks": False}

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_database_url(host: str | None = None, port: int | None = None) -> str:
    """The URL of the *test* database, which a server process must share (optionally through
    another host and port: a relay)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = host or db["HOST"] or "127.0.0.1"
    port = port or db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the server process must share the test database: DATABASE_URL=postgres://…")


@dataclass
class Answer:
    status: int | None  # None: no answer in time
    seconds: float
    headers: dict
    body: str


def fetch(
    port: int,
    path: str,
    *,
    timeout: float = 2.0,
    method: str = "GET",
    body: str | None = None,
    headers: dict | None = None,
) -> Answer:
    """One request on a fresh connection; a timeout or a refused connection is an answer
    with no status, never an exception."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        content = response.read().decode("utf-8", "replace")
        return Answer(
            response.status,
            time.monotonic() - started,
            {key.lower(): value for key, value in response.getheaders()},
            content,
        )
    except (TimeoutError, OSError, http.client.HTTPException):
        return Answer(None, time.monotonic() - started, {}, "")
    finally:
        conn.close()


def wait_for(port: int, path: str, process: subprocess.Popen, log: Path, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped (code {process.returncode}):\n{log.read_text()}")
        if fetch(port, path, timeout=1).status is not None:
            return
        time.sleep(0.2)
    pytest.fail(f"the server did not answer {path} within {seconds}s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(
    tmp_path: Path,
    *,
    database_url: str,
    workers: int = 1,
    threads: int = 2,
    extra_env: dict | None = None,
) -> Iterator[int]:
    """gunicorn with gunicorn.conf.py and the production profile (DEBUG=0) on a free port;
    yields the port. Static files come from the finders (no collectstatic in a test)."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE", "REDIS", "CELERY", "SENTRY", "PYTEST", "DJANGO"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        DEBUG="0",
        SECRET_KEY="faults-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        DATABASE_URL=database_url,
        # No broker: tasks run in-process after the commit; mails go to files.
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        ALLOW_FILE_EMAIL="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
        LOG_LEVEL="WARNING",
    )
    env.update(extra_env or {})
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(GUNICORN_CONF),
        "caflab.wsgi",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(port, "/robots.txt", process, log)
        yield port
    finally:
        stop(process)
