"""Error tracking with Sentry (or any Sentry-compatible service, e.g. GlitchTip), switched on by
`SENTRY_DSN` (settings.py calls `init_sentry` at its end).

What leaves the server, and what does not:
- no personal data from the SDK (`send_default_pii=False`: no user e-mail, name or address),
  no request body (`max_request_body_size="never"`), no local variables of the failing frames
  (`include_local_variables=False`: a frame's `user` or `email` would be sent as they are);
- `before_send` then drops what the SDK still sends: cookies, the Authorization and Cookie
  headers, the query string, the user's e-mail and address; and it scrubs token paths (password
  reset, invitations…) from the URL, the messages and the breadcrumbs with the same scrubber
  as the logs (caflab.core.requestlog.scrub_path).
"""

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger

DROPPED_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-csrftoken"}
    | {"x-forwarded-for", "x-real-ip", "forwarded"}
)
DROPPED_USER_KEYS = ("email", "ip_address", "username", "name")
# A path inside free text ("Not Found: /comptes/invitation/MQ/abc…/"): scrubbed as a path.
_PATH_IN_TEXT = re.compile(r"(?<![\w.])/[^\s'\"<>]*")


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float, release: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[
            DjangoIntegration(transaction_style="url"),  # "/comptes/…/<token>/", not the URL
            CeleryIntegration(),
            # Errors logged by our code become events; the rest stays breadcrumbs.
            LoggingIntegration(),
        ],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=before_breadcrumb,
    )
    # A failed request or task is already an event (with its traceback) through the Django and
    # Celery integrations; their summary lines must not become a second one.
    ignore_logger("caflab.requests")
    ignore_logger("caflab.tasks")


def before_send(event: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    """Strip an event of cookies, credentials, query strings, e-mails and token paths."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("query_string", None)
        request.pop("data", None)
        request.pop("env", None)  # the WSGI environ: the peer's address, the server name
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower().replace("_", "-") not in DROPPED_HEADERS
            }
            if "Referer" in request["headers"]:
                request["headers"]["Referer"] = scrub_url(request["headers"]["Referer"])
        if isinstance(request.get("url"), str):
            request["url"] = scrub_url(request["url"])
    user = event.get("user")
    if isinstance(user, dict):
        for key in DROPPED_USER_KEYS:
            user.pop(key, None)
    if isinstance(event.get("transaction"), str):
        event["transaction"] = scrub_text(event["transaction"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub_text(logentry[key])
        if isinstance(logentry.get("params"), list):
            logentry["params"] = [
                scrub_text(p) if isinstance(p, str) else p for p in logentry["params"]
            ]
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    if isinstance(values, list):
        for crumb in values:
            if isinstance(crumb, dict):
                before_breadcrumb(crumb, None)
    return event


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub_text(crumb["message"])
    data = crumb.get("data")
    if isinstance(data, dict):
        for key in ("url", "http.query", "http.fragment"):
            if isinstance(data.get(key), str):
                data[key] = scrub_url(data[key]) if key == "url" else ""
        data.pop("db.params", None)
    return crumb


def scrub_url(url: str) -> str:
    """`url` without query string nor fragment, its path through the log scrubber."""
    from caflab.core.requestlog import scrub_path

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, scrub_path(parts.path or "/"), "", ""))


def scrub_text(text: str) -> str:
    """Every path-like word of `text` through the log scrubber."""
    from caflab.core.requestlog import scrub_path

    return _PATH_IN_TEXT.sub(lambda match: scrub_path(match.group(0)), text)
