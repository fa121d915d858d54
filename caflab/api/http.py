"""What every API answer shares: who reads (a bearer token, else the session, else anonymous),
the rate limit, cursor pagination, JSON with ETag / Last-Modified and 304, French errors."""

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja.security.base import AuthBase

from caflab.api.services import TokenRefused, token_authenticate
from caflab.core.clientip import client_ip
from caflab.core.ratelimit import address_identity, rate_limit_hit

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ApiError(Exception):
    """An answer other than 200, with a French message: 400, 404, 429."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    response = HttpResponse(
        json.dumps({"detail": message}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


# --- who reads ---------------------------------------------------------------------------------


class TokenOrSession(AuthBase):
    """`Authorization: Bearer <token>`: the token's person; no such header: the signed-in
    person of the session, else an anonymous visitor. Either way the answers are what that
    person sees on the site (each model's `visible_to`). A bad, revoked or expired token is a
    401, never a fall-back to anonymous: a script must learn that its key stopped working."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "Jeton d’accès personnel, créé sur votre profil (lecture seule)."

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        window = settings.API_RATE_WINDOW
        if header:
            scheme, _sep, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise TokenRefused(_("En-tête Authorization attendu : « Bearer <jeton> »."))
            bearer = token_authenticate(secret)
            # The request log and the audit context read request.user: the token's person.
            request.user = bearer.user
            request.access_token = bearer.token
            identity = f"token:{bearer.token.pk}"
            limit = settings.API_RATE_LIMIT
        else:
            identity = (
                f"user:{request.user.pk}"
                if request.user.is_authenticated
                else address_identity(client_ip(request))
            )
            limit = (
                settings.API_RATE_LIMIT
                if request.user.is_authenticated
                else settings.API_ANONYMOUS_RATE_LIMIT
            )
        if rate_limit_hit("api", identity, limit=limit, window=window):
            raise ApiError(
                429,
                _("Trop de requêtes : réessayez dans une minute."),
                headers={"Retry-After": str(window)},
            )
        return request.user


def reader(request: HttpRequest) -> Any:
    return request.user


# --- cursor pagination -----------------------------------------------------------------------


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = raw.partition(":")
        if kind != "pk":
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, _("Curseur de pagination invalide.")) from None


def page_limit(request: HttpRequest) -> int:
    raw = request.GET.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise ApiError(400, _("« limit » doit être un nombre entier.")) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(
            400, _("« limit » doit être compris entre 1 et %(max)s.") % {"max": MAX_LIMIT}
        )
    return limit


def paginate(request: HttpRequest, queryset: QuerySet) -> tuple[list[Model], str | None]:
    """One page of `queryset` in primary-key order after the request's cursor (a keyset: no
    OFFSET, so page 1,000 costs what page 1 does), and the link to the next page or None."""
    limit = page_limit(request)
    cursor = request.GET.get("cursor", "")
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    query: QueryDict = request.GET.copy()
    query["cursor"] = encode_cursor(rows[-1].pk)
    return rows, request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")


def filtered(request: HttpRequest, filterset_class: type, queryset: QuerySet, **kwargs: Any):
    """`queryset` through the site's own FilterSet with the request's parameters (the page's
    sort is the cursor's, so `tri` is left out); a French 400 on a bad value."""
    data = request.GET.copy()
    for key in ("tri", "cursor", "limit", "page"):
        data.pop(key, None)
    filterset = filterset_class(data, queryset=queryset, request=request, **kwargs)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{field} : {' '.join(str(m) for m in messages)}"
            for field, messages in filterset.errors.items()
        )
        raise ApiError(400, _("Filtre invalide — %(errors)s") % {"errors": errors})
    return filterset.qs


# --- the answer ------------------------------------------------------------------------------


def _stamp(rows: Iterable[Any]) -> datetime.datetime | None:
    stamps = [getattr(row, "updated_at", None) for row in rows]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


def json_answer(
    request: HttpRequest,
    payload: Any,
    *,
    rows: Sequence[Any] = (),
    last_modified: datetime.datetime | None = None,
) -> HttpResponse:
    """`payload` as JSON with a strong ETag of its bytes and a Last-Modified (the latest
    `updated_at` of `rows`); 304 when the client's If-None-Match / If-Modified-Since says it
    has it already. Varies by Authorization and Cookie: two readers may see different data."""
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = last_modified or _stamp(rows)
    stamp = int(last_modified.timestamp()) if last_modified else None
    conditional = get_conditional_response(request, etag=etag, last_modified=stamp)
    response = conditional or HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def list_answer(
    request: HttpRequest,
    rows: Sequence[Any],
    next_url: str | None,
    serialize: Callable[[Any], dict[str, Any]],
) -> HttpResponse:
    return json_answer(
        request,
        {"next": next_url, "count": len(rows), "results": [serialize(row) for row in rows]},
        rows=rows,
    )


def one_or_404(queryset: QuerySet, **lookup: Any) -> Any:
    row = queryset.filter(**lookup).first()
    if row is None:
        raise ApiError(404, _("Introuvable, ou vous n’y avez pas accès."))
    return row
