"""PostgreSQL stopped for 10 s (issue 20): a TCP relay of this module stands between a real
gunicorn (gunicorn.conf.py, the production profile) and the test database; cutting it closes
every connection and refuses new ones, as a stopped server does.

While it is cut, pages answer the calm French 503 page with Retry-After and an idea sent is
refused with 503 and not recorded; once it is back, the same gunicorn (never restarted: its
persistent connections are dead, CONN_HEALTH_CHECKS replaces them) answers 200 within a few
seconds and takes the same submission, once.
"""

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from tests.faults.servers import fetch, free_port, gunicorn, require_postgresql, shared_database_url

OUTAGE_SECONDS = 10
BACK_WITHIN_SECONDS = 5

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Relay:
    """A TCP forwarder from a local port to PostgreSQL that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._open = threading.Event()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        self._open.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections (the port is closed) and drop every open one."""
        self._open.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        while self._open.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by cut()
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relay() -> Iterator[Relay]:
    require_postgresql()
    db = connection.settings_dict
    relay = Relay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    relay.start()
    yield relay
    relay.cut()


def signed_in_cookies(user) -> dict:
    """A session for `user`, written in the shared test database (the server has the same
    SECRET_KEY, so it accepts it)."""
    client = Client()
    client.force_login(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def test_pages_answer_503_while_the_database_is_stopped_then_200_without_a_restart(
    tmp_path, relay, agent_a
):
    database_url = shared_database_url(host="127.0.0.1", port=relay.port)
    ideas_page = reverse("ideas:idea-list")
    create_page = reverse("ideas:idea-create")
    cookies = signed_in_cookies(agent_a)
    with gunicorn(
        tmp_path, database_url=database_url, extra_env={"SECRET_KEY": settings.SECRET_KEY}
    ) as port:

        def get(path: str, timeout: float = 10):
            return fetch(port, path, timeout=timeout, headers={"Cookie": cookie_header(cookies)})

        # Before: the form, its CSRF token and cookie; both threads hold a live connection.
        form = get(create_page)
        assert form.status == 200, form.body[-2000:]
        cookies.update(re.findall(r"(csrftoken)=([^;]+)", form.headers.get("set-cookie", "")))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)
        assert get(ideas_page).status == 200
        title = "Un simulateur de droits pendant la panne"
        submission = (
            f"csrfmiddlewaretoken={token}&title={title.replace(' ', '+')}"
            "&problem=Les+familles+ne+savent+pas+ce+qu%27elles+peuvent+demander."
            f"&caf={agent_a.caf_id}"
        )

        def post():
            return fetch(
                port,
                create_page,
                method="POST",
                body=submission,
                timeout=10,
                headers={
                    "Cookie": cookie_header(cookies),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{port}{create_page}",
                },
            )

        relay.cut()
        cut_at = time.monotonic()
        outage_pages = []
        while time.monotonic() - cut_at < OUTAGE_SECONDS - 2:
            outage_pages += [get(ideas_page), get(reverse("core:home"))]
            time.sleep(0.5)
        refused = post()
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
        relay.restore()
        restored_at = time.monotonic()
        while (back := get(ideas_page, timeout=5)).status != 200:
            assert time.monotonic() - restored_at < BACK_WITHIN_SECONDS, back.status
            time.sleep(0.2)
        back_after = time.monotonic() - restored_at
        accepted = post()

    assert {page.status for page in outage_pages} == {503}, [p.status for p in outage_pages]
    for page in outage_pages:
        assert page.headers["retry-after"] == "120"
        assert "Service momentanément indisponible" in page.body
        assert page.seconds < 5  # a fast answer, not a hang until the client gives up
    assert refused.status == 503
    assert "Votre envoi n’a pas été enregistré." in refused.body
    # The same server, never restarted, is back within seconds and takes the same idea once.
    assert back_after < BACK_WITHIN_SECONDS
    assert accepted.status == 302, accepted.body[-2000:]
    assert Idea.objects.filter(title=title).count() == 1
    print(
        f"cut {OUTAGE_SECONDS}s: {len(outage_pages)} pages, all 503 (slowest "
        f"{max(p.seconds for p in outage_pages):.2f}s); back in {back_after:.2f}s"
    )
