"""The one place a refusal becomes an answer: a message and a redirect, or a 409 for htmx.

A domain function refuses by raising a `caflab.core.errors.DomainError` (already done, not
allowed now, invalid state) with a French message. A view may catch it and answer its own way;
when it does not, `RefusalMiddleware.process_exception` does, so no view can turn a refusal
into a 500:

- a full page request gets the message (`messages.warning`) and a redirect to the page it came
  from when that page is on this site (the `Referer`), else to the place the error names
  (`redirect_to`), else home;
- an htmx request gets a 409 whose body is the message, for the swap to show.

A bare Django `ValidationError` escaping a view is the older spelling of `InvalidState` (many
services still raise it for "not in a state that allows this"): it is answered the same way,
and logged with its route, so the remaining ones can be moved to `InvalidState`.
"""

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from caflab.core.errors import DomainError

logger = logging.getLogger(__name__)


class RefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            message = str(exception)
            redirect_to = exception.redirect_to
        elif isinstance(exception, ValidationError):
            # Route and class only: the message may name a person.
            match = request.resolver_match
            logger.warning(
                "ValidationError reached the refusal middleware on %s",
                match.view_name if match else "?",
            )
            message = " ".join(exception.messages)
            redirect_to = None
        else:
            return None
        return refusal_response(request, message, redirect_to=redirect_to)


def refusal_response(
    request: HttpRequest, message: str, *, redirect_to: str | None = None
) -> HttpResponse:
    """The answer to a refused request: 409 + message for htmx, else message + redirect."""
    if getattr(request, "htmx", False):
        # Swapped into the page's message area (templates/base.html: #messages, and its
        # htmx-config, which swaps a 409) instead of the element that asked.
        body = format_html(
            '<div class="container pt-3"><div class="alert alert-warning" role="alert">{}</div>'
            "</div>",
            message,
        )
        response = HttpResponse(body, status=409)
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.warning(request, message, fail_silently=True)
    return HttpResponseRedirect(back_url(request, redirect_to))


def back_url(request: HttpRequest, redirect_to: str | None = None) -> str:
    """Where to send someone after a refusal: the same-site page the request came from (unless
    it is the refused URL itself, which may answer only POST), else `redirect_to` when it is
    same-site, else home."""
    for candidate in (request.headers.get("Referer"), redirect_to):
        same_site = bool(candidate) and is_same_site(request, candidate)
        if same_site and urlsplit(candidate).path != request.path:
            return candidate
    return reverse("core:home")


def is_same_site(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
