"""One log line per request, and the scrubber that keeps secret paths out of every log.

`RequestLogMiddleware` writes, on the `caflab.requests` logger, one line per request: request
id (the proxy's `X-Request-ID` when it is a safe token, else a new one, echoed in the
response), route name, method, status, duration, number of SQL queries, user id (never the
e-mail) and a keyed, daily-rotating hash of the visitor's address (never the address). No
query string ever; no path at all when the route carries a secret (password reset,
invitations, sign-up confirmation, answer and cancel links): the route name says enough.

`scrub_path(path)` is the one scrubber, shared with the gunicorn access log (gunicorn.conf.py),
Django's own loggers (caflab.core.logformat.ScrubFilter) and Sentry (caflab.core.sentry). The
routes it hides are read from the URLconf: any route with a parameter named like a secret
(token, uidb64, signature, key…) or typed `uuid` — so a new token route is covered the day it
is added. A path that resolves nowhere (a 404) has its long random-looking segments replaced.
"""

import datetime
import hashlib
import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

import sentry_sdk
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import (
    Resolver404,
    ResolverMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    get_urlconf,
)
from django.urls.converters import UUIDConverter
from django.utils.functional import empty

from caflab.core.clientip import client_ip
from caflab.core.logformat import request_id_var

logger = logging.getLogger("caflab.requests")

# A path parameter with such a name carries a secret (Django's reset links use uidb64+token).
SECRET_PARAM = re.compile(r"token|uidb64|signature|secret|key|hash|nonce|otp", re.IGNORECASE)
# What a token looks like in a path that resolves nowhere: a long run without separators.
LONG_SEGMENT = re.compile(r"[a-zA-Z0-9_\-:]{20,}")
MASK = "…"
# A request id the proxy may hand us: short, and harmless in a log line or a header.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,128}$")


# --- the scrubber ----------------------------------------------------------------------------


def secret_routes() -> frozenset[str]:
    """Names (`namespace:name`) of the routes whose path carries a secret."""
    return _secret_routes(get_resolver(get_urlconf()))


@lru_cache(maxsize=4)
def _secret_routes(resolver: URLResolver) -> frozenset[str]:
    return frozenset(_walk(resolver.url_patterns, namespace="", inherited=False))


def _walk(patterns: list, *, namespace: str, inherited: bool) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        secret = inherited or _carries_secret(pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names |= _walk(pattern.url_patterns, namespace=full, inherited=secret)
        elif isinstance(pattern, URLPattern) and pattern.name and secret:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def _carries_secret(pattern: URLPattern | URLResolver) -> bool:
    converters = getattr(pattern.pattern, "converters", {})  # RoutePattern
    regex = getattr(pattern.pattern, "regex", None)  # and RegexPattern
    params = set(converters) | set(regex.groupindex if regex is not None else ())
    return any(SECRET_PARAM.search(name) for name in params) or any(
        isinstance(converter, UUIDConverter) for converter in converters.values()
    )


def scrub_path(path: str) -> str:
    """`path` fit for a log line: without its query string; the route's pattern
    (`/comptes/invitation/<uidb64>/<token>/`) when it carries a secret; its long random-looking
    segments masked when it resolves nowhere. Never raises."""
    path = path.split("?", 1)[0]
    try:
        match = _resolve(path)
    except Exception:  # the URLconf cannot load (gunicorn's master): mask what looks random
        match = None
    if match is None:
        return LONG_SEGMENT.sub(MASK, path)
    if match.view_name in secret_routes():
        return "/" + match.route
    return path


def scrub_request_line(line: str) -> str:
    """`GET /path?query HTTP/1.1` with its path scrubbed and its query string dropped."""
    parts = line.split(" ")
    if len(parts) != 3:
        return LONG_SEGMENT.sub(MASK, line.split("?", 1)[0])
    method, target, protocol = parts
    return f"{method} {scrub_path(unquote(target.split('?', 1)[0]))} {protocol}"


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return get_resolver(get_urlconf()).resolve(path)
    except Resolver404:
        pass
    # CommonMiddleware redirects `/…/<token>` to `/…/<token>/`: the redirect is logged too.
    if settings.APPEND_SLASH and not path.endswith("/"):
        try:
            return get_resolver(get_urlconf()).resolve(path + "/")
        except Resolver404:
            pass
    return None


# --- the middleware --------------------------------------------------------------------------


class _QueryCounter:
    """An execute wrapper (connection.execute_wrapper) that counts queries and does no more."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params, many: bool, context: dict):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """Outermost of ours (only django-prometheus' before-middleware is above), so that the
    duration and the query count cover every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        context_token = request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        response = None
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            status = response.status_code if response is not None else 500
            _log_request(request, status, duration_ms, counter.count)
            request_id_var.reset(context_token)
        response["X-Request-ID"] = request_id
        return response


def incoming_request_id(request: HttpRequest) -> str | None:
    """The proxy's `X-Request-ID`, when it is a safe token (anything else is ignored, so a
    client cannot write what it likes in our logs)."""
    value = request.headers.get("X-Request-ID", "")
    return value if SAFE_REQUEST_ID.match(value) else None


def _log_request(request: HttpRequest, status: int, duration_ms: float, queries: int) -> None:
    match = request.resolver_match
    route = match.view_name if match is not None else None
    fields: dict[str, object] = {
        "request_id": request.request_id,
        "method": request.method,
        "route": route,
        "status": status,
        "duration_ms": round(duration_ms, 1),
        "queries": queries,
        "user_id": _user_id(request),
        "client": _client_hash(request),
    }
    if route is None:
        fields["path"] = scrub_path(request.path)  # a 404, a redirect, a static file
    elif route not in secret_routes():
        fields["path"] = request.path
    level = logging.ERROR if status >= 500 else logging.INFO
    logger.log(
        level,
        "%s %s %s %.0fms",
        request.method,
        route or fields["path"],
        status,
        duration_ms,
        extra=fields,
    )


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if the request already looked the user up: logging never
    costs a session or user query of its own."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def _client_hash(request: HttpRequest) -> str | None:
    """A keyed hash of the visitor's address, changing every day: lines of one client can be
    told apart within a day, and the address cannot be recovered (an unkeyed hash of an IPv4
    address is reversed by trying all 2^32 of them)."""
    address = client_ip(request)
    if not address or not settings.SECRET_KEY:
        return None
    message = f"{datetime.date.today().isoformat()}|{address}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:12]
