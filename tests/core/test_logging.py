"""Structured logs: one JSON line per request and per task, and no secret in any line — the
links mailed to people (password reset, sign-up confirmation, invitations) are walked here
and their tokens looked for in what the request log and gunicorn's access log write."""

import datetime
import io
import json
import logging
import re
import runpy
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from gunicorn.config import Config

from caflab.core.logformat import JsonFormatter, ScrubFilter
from caflab.core.requestlog import secret_routes
from caflab.notifications.tasks import flush_outbox, send_digests
from ecoute.models import CommunityInvitation
from ecoute.services.communities import invitation_token
from tests.ecoute.factories import CommunityFactory

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class CapturedLogs:
    """What the console handler of LOGGING would write (same formatter and filter), as text
    and as parsed lines."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.handler.addFilter(ScrubFilter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self, logger: str | None = None) -> list[dict]:
        parsed = [json.loads(line) for line in self.text.splitlines() if line.strip()]
        return [line for line in parsed if logger is None or line["logger"] == logger]


@pytest.fixture
def logs():
    captured = CapturedLogs()
    root = logging.getLogger()
    root.addHandler(captured.handler)
    yield captured
    root.removeHandler(captured.handler)


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} written to the logs"


def render_gunicorn_access_line(raw_uri: str, fmt: str | None = None) -> str:
    """The line gunicorn's access log writes for `raw_uri`, through gunicorn.conf.py's logger
    class; the request carries a cookie, a referer and a forwarded address as well."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    cfg = Config()
    cfg.set("logger_class", conf["logger_class"])
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", fmt or conf["access_log_format"])
    gunicorn_logger = conf["logger_class"](cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    gunicorn_logger.access_log.handlers = [handler]
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_COOKIE": "sessionid=s3ss10n-c00k1e-value",
        "HTTP_REFERER": f"https://caflab.example{raw_uri}",
    }
    request = SimpleNamespace(
        headers=[
            ("COOKIE", environ["HTTP_COOKIE"]),
            ("REFERER", environ["HTTP_REFERER"]),
            ("X-FORWARDED-FOR", "198.51.100.9"),
        ]
    )
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Set-Cookie", "csrftoken=x")])
    gunicorn_logger.access(response, request, environ, datetime.timedelta(milliseconds=42))
    return stream.getvalue()


# --- one line per request ----------------------------------------------------------------------


def test_each_request_is_one_json_line_with_its_fields(client, agent_a, logs):
    client.force_login(agent_a)
    response = client.get(reverse("core:home") + "?q=une-recherche-personnelle")
    (line,) = logs.lines("caflab.requests")
    assert line["route"] == "core:home"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["path"] == "/"
    assert isinstance(line["duration_ms"], float)
    assert isinstance(line["queries"], int)
    assert line["queries"] > 0
    assert line["user_id"] == agent_a.pk
    assert re.fullmatch(r"[0-9a-f]{12}", line["client"])  # a keyed hash, not the address
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert response["X-Request-ID"] == line["request_id"]
    assert_no_secret(logs.text, "une-recherche-personnelle", agent_a.email, "127.0.0.1")


def test_a_safe_proxy_request_id_is_kept_and_anything_else_replaced(client, logs):
    kept = client.get("/", headers={"X-Request-ID": "proxy-7f3a9c2e-0001"})
    replaced = client.get("/", headers={"X-Request-ID": 'x" injected\nline'})
    assert kept["X-Request-ID"] == "proxy-7f3a9c2e-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])
    ids = [line["request_id"] for line in logs.lines("caflab.requests")]
    assert ids == [kept["X-Request-ID"], replaced["X-Request-ID"]]


def test_an_anonymous_request_logs_no_user(client, logs):
    client.get(reverse("core:legal"))
    (line,) = logs.lines("caflab.requests")
    assert line["user_id"] is None


def test_every_token_route_of_the_urlconf_is_known_as_secret():
    assert {
        "accounts:password-reset-confirm",
        "accounts:signup-verify",
        "ecoute:community-invitation",
        "ecoute:registration-cancel-link",
        "evaluation:survey-answer",
    } <= secret_routes()
    assert "core:home" not in secret_routes()
    assert "projects:detail" not in secret_routes()


# --- flows carrying tokens -------------------------------------------------------------------


def test_following_a_password_reset_link_writes_no_token(
    client, agent_a, mailoutbox, django_capture_on_commit_callbacks, logs
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": agent_a.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reinitialiser/" in line)
    path = urlsplit(link.strip()).path
    uidb64, token = path.rstrip("/").split("/")[-2:]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    client.get(path.rstrip("/"))  # CommonMiddleware's redirect to the slashed path
    new = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302

    lines = logs.lines("caflab.requests")
    confirm = [line for line in lines if line["route"] == "accounts:password-reset-confirm"]
    assert len(confirm) == 3  # the link, the form it redirects to, the form posted
    assert all("path" not in line for line in confirm)
    assert_no_secret(logs.text, token, f"/{uidb64}/", agent_a.email)
    access_line = render_gunicorn_access_line(f"{path}?email={agent_a.email}")
    assert "/comptes/mot-de-passe/reinitialiser/<uidb64>/<token>/" in access_line
    assert_no_secret(access_line, token, f"/{uidb64}/", agent_a.email)


def test_following_the_sign_up_link_writes_no_token(
    client, mailoutbox, django_capture_on_commit_callbacks, logs
):
    password = "une-phrase-de-passe-solide"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "email": "nouvelle@example.org",
                "password1": password,
                "password2": password,
                "accept_privacy": "on",
            },
        )
    link = next(line for line in mailoutbox[0].body.splitlines() if "/confirmer/" in line)
    path = urlsplit(link.strip()).path
    token = path.rstrip("/").split("/")[-1]
    assert client.get(path)["Location"] == reverse("accounts:login")

    (verify,) = [
        line for line in logs.lines("caflab.requests") if line["route"] == "accounts:signup-verify"
    ]
    assert "path" not in verify
    # the signed value, and each of its parts (payload, timestamp, signature)
    assert_no_secret(logs.text, token, *[part for part in token.split(":") if len(part) >= 6])
    assert_no_secret(logs.text, "nouvelle@example.org")
    access_line = render_gunicorn_access_line(path)
    assert_no_secret(access_line, token, *[part for part in token.split(":") if len(part) >= 6])


def test_a_community_invitation_link_valid_or_expired_writes_no_token(client, citizen, logs):
    community = CommunityFactory(name="Lab Parentalité")
    invitation = CommunityInvitation.objects.create(community=community, email=citizen.email)
    token = invitation_token(invitation)
    client.force_login(citizen)
    url = reverse("ecoute:community-invitation", kwargs={"token": token})
    assert client.get(url).status_code == 200
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered: a 404 of the view

    lines = logs.lines("caflab.requests")
    assert [line["status"] for line in lines] == [200, 404]
    assert {line["route"] for line in lines} == {"ecoute:community-invitation"}
    assert_no_secret(logs.text, token, token[:-3], citizen.email)
    assert_no_secret(render_gunicorn_access_line(url), token)


def test_an_unknown_path_has_its_random_segments_masked(client, logs):
    secret = "Zm9vYmFyYmF6cXV4cXV1eC1sb25nLXRva2Vu"
    assert client.get(f"/nulle-part/{secret}/page/").status_code == 404
    (line,) = logs.lines("caflab.requests")
    assert line["route"] is None
    assert line["path"] == "/nulle-part/…/page/"
    assert_no_secret(logs.text, secret)
    assert_no_secret(render_gunicorn_access_line(f"/nulle-part/{secret}/page/"), secret)


def test_djangos_own_lines_are_scrubbed_too(logs):
    path = "/comptes/invitation/MTI/c8k2lz-0123456789abcdef0123456789abcdef/"
    logging.getLogger("django.request").error("Internal Server Error: %s", path)
    logging.getLogger("django.server").error('"%s" %s %s', f"GET {path}?a=b HTTP/1.1", 500, 12)
    text = logs.text
    assert "/comptes/invitation/<uidb64>/<token>/" in text
    assert_no_secret(text, "c8k2lz-0123456789abcdef", "/MTI/", "a=b")


def test_the_gunicorn_access_log_leaves_out_address_query_cookies_and_referer():
    nosy_format = (
        "%(h)s %(r)s %(U)s %(q)s %(f)s %({cookie}i)s %({x-forwarded-for}i)s %({set-cookie}o)s"
    )
    line = render_gunicorn_access_line("/projets/?q=nom-d-une-personne", fmt=nosy_format)
    assert "/projets/" in line
    assert_no_secret(
        line, "203.0.113.7", "198.51.100.9", "nom-d-une-personne", "s3ss10n", "csrftoken"
    )


def test_gunicorns_error_log_names_a_failed_request_without_its_token():
    conf = runpy.run_path(str(GUNICORN_CONF))
    cfg = Config()
    gunicorn_logger = conf["logger_class"](cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    gunicorn_logger.error_log.handlers = [handler]
    token = "c8k2lz-0123456789abcdef0123456789abcdef"
    # what gunicorn's worker logs when the application raises (workers/base.py)
    gunicorn_logger.exception(
        "Error handling request %s", f"/comptes/invitation/MTI/{token}/?email=a@example.org"
    )
    assert "/comptes/invitation/<uidb64>/<token>/" in stream.getvalue()
    assert_no_secret(stream.getvalue(), token, "/MTI/", "a@example.org")


def test_the_configured_console_handler_scrubs_and_writes_json_unless_debug():
    console = django_settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["scrub"]
    assert django_settings.LOGGING["filters"]["scrub"]["()"] == "caflab.core.logformat.ScrubFilter"
    assert console["formatter"] == ("plain" if django_settings.DEBUG else "json")
    assert django_settings.LOGGING["loggers"]["django.db.backends"]["level"] == "WARNING"


# --- one line per task -----------------------------------------------------------------------


def test_an_eager_task_logs_one_line_with_its_outcome_and_no_arguments(logs):
    flush_outbox.delay(older_than_seconds=60)
    send_digests.delay("frequence-inconnue-marqueur")  # raises ValueError: a failure

    success, failure = logs.lines("caflab.tasks")
    assert success["task"] == "caflab.notifications.tasks.flush_outbox"
    assert success["outcome"] == "success"
    assert success["retries"] == 0
    assert isinstance(success["duration_ms"], float)
    assert (failure["outcome"], failure["error"], failure["level"]) == (
        "failure",
        "ValueError",
        "error",
    )
    for line in (success, failure):
        assert not {"args", "kwargs", "result"} & set(line)
        assert "frequence-inconnue-marqueur" not in json.dumps(line)
