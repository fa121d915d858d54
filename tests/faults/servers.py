"""Real servers for the fault tests: a gunicorn started with gunicorn.conf.py on the test
database, real Celery workers on the test broker, free ports, and plain HTTP requests that
measure how long they took."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from caflab.celery import app as celery_app

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


# --- real Celery workers ---

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
requires_broker = pytest.mark.skipif(
    not BROKER_URL, reason="needs CELERY_BROKER_URL (Redis) to start a real Celery worker"
)
# The lease of the workers that a test kills: short, so that their job comes back in seconds.
LEASE_SECONDS = 3
# From the kill to the finished job: lease + a fresh worker's start + the requeue + the job.
RECOVERY_BOUND_SECONDS = 60


def wait_until(
    condition: Callable[[], bool], what: str, logs: Iterable[Path], seconds: float = 30
) -> None:
    """Poll `condition` until it holds; past `seconds`, fail with the tail of each log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"Timed out after {seconds}s waiting for {what}.\n{tails}")


class Workers:
    """Starts real workers on a queue of the test's own, with the production settings (not
    tests.settings, which forces eager mode) on the test database. Each runs in its own process
    group, so that a SIGKILL of the group reaches a prefork worker's main and pool processes."""

    def __init__(
        self, tmp_path: Path, settings, queue: str, *, pool: str, env: dict[str, str]
    ) -> None:
        self.tmp_path, self.settings, self.queue = tmp_path, settings, queue
        self.pool, self.env = pool, env
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, name: str, **extra_env: str) -> subprocess.Popen:
        """Start worker `name` and wait until it answers a ping."""
        log = self.tmp_path / f"worker-{name}.log"
        node = f"caflab-test-{name}-{uuid.uuid4().hex[:8]}@localhost"
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")
            },
            "DJANGO_SETTINGS_MODULE": "caflab.settings",
            "DEBUG": "0",
            "SECRET_KEY": "tests-only-worker-key",
            "DATABASE_URL": shared_database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": BROKER_URL,
            "PRIVATE_MEDIA_ROOT": self.settings.PRIVATE_MEDIA_ROOT,
            # The production profile refuses a backend that delivers nothing (caflab.core.checks).
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.tmp_path / "mail"),
            "ALLOW_FILE_EMAIL": "1",
            "SITE_URL": self.settings.SITE_URL,
            **self.env,
            **extra_env,
        }
        command = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "caflab",
            "worker",
            f"--pool={self.pool}",
            "--concurrency=1",
            "-Q",
            self.queue,
            "-n",
            node,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        with log.open("w") as output:  # the worker logs to stderr
            process = subprocess.Popen(
                command,
                cwd=self.settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        self.logs.append(log)
        wait_until(
            lambda: (
                process.poll() is None
                and bool(celery_app.control.ping(destination=[node], timeout=0.5))
            ),
            f"worker {name} to answer a ping",
            self.logs,
        )
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@contextmanager
def celery_workers(
    tmp_path: Path,
    settings,
    tasks: Iterable[str],
    *,
    pool: str = "prefork",
    lease_seconds: int | None = None,
) -> Iterator[Workers]:
    """Publish the `tasks` (name patterns: "evaluation.tasks.*") for real to a queue of their
    own, which only the workers started with the yielded `Workers` consume; the private media
    are a directory shared with them. `lease_seconds` sets JOB_LEASE_SECONDS in the test and
    the workers. On exit: the workers stopped, the routes restored, the queue deleted."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: set DATABASE_URL=postgres://…")
    queue = f"caflab-test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_routes)
    conf.task_always_eager = False
    conf.task_routes = {pattern: {"queue": queue} for pattern in tasks}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # rebuilt from the new routes
    private = tmp_path / "private-media"
    private.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(private)
    env = {}
    if lease_seconds is not None:
        settings.JOB_LEASE_SECONDS = lease_seconds
        env["JOB_LEASE_SECONDS"] = str(lease_seconds)
    started = Workers(tmp_path, settings, queue, pool=pool, env=env)
    try:
        yield started
    finally:
        started.stop_all()
        conf.task_always_eager, conf.task_routes = saved
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)  # leave no binding behind in Redis


def pool_processes(worker: subprocess.Popen) -> list[int]:
    """The pool processes of a prefork worker (its children)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]
