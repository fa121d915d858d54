"""Slow clients cannot starve the site (issue 20): behind the shipped nginx configuration, 50
sockets that send one header line every 2 s leave gunicorn's few threads free for everybody
else; straight against gunicorn, the same sockets take every thread (the control, which shows
that this test can fail).

Debian's nginx runs as this test's own subprocess (`nginx -p PREFIX -c CONF`, on a free port),
with a configuration generated from deploy/nginx/caflab.conf: the HTTPS server's directives
(timeouts, buffering, limits) and its `location /` proxy directives, copied from the shipped
file, so that the test checks that file and not a copy of it. gunicorn runs with
gunicorn.conf.py, one worker and two threads, on the test database.
"""

import contextlib
import os
import re
import selectors
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.faults.servers import (
    ROOT,
    fetch,
    free_port,
    gunicorn,
    require_postgresql,
    shared_database_url,
    stop,
)

SHIPPED_CONF = ROOT / "deploy" / "nginx" / "caflab.conf"
SLOW_SOCKETS = 50
LINE_EVERY_SECONDS = 2.0
HOLD_SECONDS = 14  # longer than client_header_timeout: nginx drops them, they come back
FAST_ENOUGH_SECONDS = 1.0

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def nginx_binary() -> str:
    """Debian's nginx; its absence fails the run in CI (CI=true) and skips it elsewhere."""
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required in CI (apt-get install nginx): .ci/run installs it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


# --- the shipped configuration, taken apart ---------------------------------------------------


def _blocks(text: str) -> list[tuple[str, list[str], list]]:
    """nginx's configuration as a tree: (head, simple directives, child blocks)."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r"[{};]|[^{};]+", text)
    root: tuple[str, list[str], list] = ("", [], [])
    stack = [root]
    pending = ""
    for token in tokens:
        if token == "{":
            block = (" ".join(pending.split()), [], [])
            stack[-1][2].append(block)
            stack.append(block)
            pending = ""
        elif token == "}":
            stack.pop()
            pending = ""
        elif token == ";":
            stack[-1][1].append(" ".join(pending.split()))
            pending = ""
        else:
            pending += token
    return root[2]


def shipped_directives() -> dict[str, list[str]]:
    """From deploy/nginx/caflab.conf: the upstream's keepalive, the HTTPS server's own
    directives (less TLS, names and addresses) and its `location /` directives (less the
    upstream's address, which the test replaces)."""
    blocks = _blocks(SHIPPED_CONF.read_text())
    (upstream,) = [b for b in blocks if b[0].startswith("upstream ")]
    (https,) = [b for b in blocks if b[0] == "server" and any("443" in d for d in b[1])]
    (proxied,) = [b for b in https[2] if b[0] == "location /"]
    server = [d for d in https[1] if not d.startswith(("listen", "server_name", "ssl_", "http2"))]
    return {
        "upstream": [d for d in upstream[1] if not d.startswith("server ")],
        "server": server,
        "location": [d for d in proxied[1] if not d.startswith("proxy_pass ")],
    }


def generated_conf(prefix: Path, *, listen: int, upstream: int) -> str:
    shipped = shipped_directives()
    lines = [
        # Running as root (CI), the workers stay root: the temporary files live in the prefix.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        f"pid {prefix}/nginx.pid;",
        f"error_log {prefix}/error.log warn;",
        "events { worker_connections 1024; }",
        "http {",
        "    access_log off;",
        *(
            f"    {kind}_temp_path {prefix}/{kind}_temp;"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
        "    upstream caflab_gunicorn {",
        f"        server 127.0.0.1:{upstream};",
        *(f"        {d};" for d in shipped["upstream"]),
        "    }",
        "    server {",
        f"        listen 127.0.0.1:{listen};",
        *(f"        {d};" for d in shipped["server"]),
        "        location / {",
        "            proxy_pass http://caflab_gunicorn;",
        *(f"            {d};" for d in shipped["location"]),
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, None: 1, "m": 60}[unit]


def shipped_value(name: str) -> str:
    (value,) = [d.split(None, 1)[1] for d in shipped_directives()["server"] if d.split()[0] == name]
    return value


@contextmanager
def nginx(tmp_path: Path, *, upstream: int) -> Iterator[int]:
    binary = nginx_binary()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(generated_conf(prefix, listen=port, upstream=upstream))
    error_log = prefix / "error.log"
    # -e: the error log before the configuration is read (Debian's default is /var/log).
    base = [binary, "-p", str(prefix), "-e", str(error_log), "-c", str(conf)]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*base, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while fetch(port, "/robots.txt", timeout=1).status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start:\n{error_log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        stop(process)


# --- slow clients -------------------------------------------------------------------------


class SlowClients:
    """`count` sockets that each send a request line, then one header line every
    `LINE_EVERY_SECONDS`, never finishing; a socket the server closes is replaced at once
    (the attacker's pressure stays constant) and its lifetime recorded."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.lifetimes: list[float] = []
        self._stop = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "SlowClients":
        for _ in range(self.count):
            self._open()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()

    def _open(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ, time.monotonic())

    def _run(self) -> None:
        line = 0
        next_line = time.monotonic() + LINE_EVERY_SECONDS
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.1):
                # Readable: the server answered (408) or closed; either way, it let go.
                self._selector.unregister(key.fileobj)
                key.fileobj.close()
                self.lifetimes.append(time.monotonic() - key.data)
                if not self._stop.is_set():
                    self._open()
            if time.monotonic() >= next_line:
                line += 1
                for key in list(self._selector.get_map().values()):
                    # Closed by the server: the selector reports it.
                    with contextlib.suppress(OSError):
                        key.fileobj.send(f"X-Slow-{line}: {line}\r\n".encode())
                next_line += LINE_EVERY_SECONDS


def normal_requests(port: int, duration: float) -> list:
    """A visitor's requests for `duration` seconds: robots.txt (no database) and /healthz
    (the database), each on a fresh connection."""
    answers = []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        for path in ("/robots.txt", "/healthz"):
            answers.append((path, fetch(port, path, timeout=3)))
        time.sleep(0.1)
    return answers


def test_the_shipped_proxy_config_has_timeouts_and_buffering():
    shipped = shipped_directives()
    assert seconds(shipped_value("client_header_timeout")) <= 15
    assert seconds(shipped_value("client_body_timeout")) <= 60
    assert "proxy_request_buffering on" in shipped["server"]
    assert "proxy_buffering on" in shipped["server"]


def test_slow_clients_do_not_starve_gunicorn_behind_nginx(tmp_path):
    require_postgresql()
    header_timeout = seconds(shipped_value("client_header_timeout"))
    with gunicorn(tmp_path, database_url=shared_database_url(), workers=1, threads=2) as app:
        with nginx(tmp_path, upstream=app) as proxy, SlowClients(proxy, SLOW_SOCKETS) as slow:
            time.sleep(LINE_EVERY_SECONDS)  # every socket is mid-header
            answers = normal_requests(proxy, HOLD_SECONDS)
            lifetimes = list(slow.lifetimes)

        slowest = max(answer.seconds for _, answer in answers)
        failed = [(path, a.status) for path, a in answers if a.status != 200]
        assert not failed, f"requests failed behind nginx: {failed[:10]}"
        assert slowest < FAST_ENOUGH_SECONDS, f"slowest answer behind nginx: {slowest:.2f}s"
        assert len(answers) > 40
        # nginx dropped the slow sockets once the shipped client_header_timeout was over.
        assert len(lifetimes) >= SLOW_SOCKETS, lifetimes
        assert all(header_timeout - 1 <= life <= header_timeout + 3 for life in lifetimes)

        # The control: the same sockets straight against gunicorn take both of its threads.
        with SlowClients(app, SLOW_SOCKETS):
            time.sleep(1)
            starved = fetch(app, "/robots.txt", timeout=3)
        assert starved.status is None, "gunicorn answered despite the slow sockets"
        print(
            f"behind nginx: {len(answers)} requests, slowest {slowest:.3f}s, "
            f"{len(lifetimes)} slow sockets dropped after {min(lifetimes):.1f}-"
            f"{max(lifetimes):.1f}s; straight to gunicorn: no answer in {starved.seconds:.1f}s"
        )
