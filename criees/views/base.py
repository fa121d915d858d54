"""What every criées view starts with. Deny by default, in this order: anonymous → login page;
signed in but outside the network (citizens, partners) → 403; an object outside the user's
scope → 404 (`visible_to`); an action the rules refuse → 403."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from rules.contrib.views import PermissionRequiredMixin

from criees.models import Criee, Initiative


class NetworkMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Class-based views: login required, then `permission_required` (403 if refused). The
    permission is asked without an object: objects are looked up (and 404) afterwards."""

    permission_required = "criees.view_catalogue"

    def get_permission_object(self) -> None:
        return None


def network_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Function views: login required, then the network's permission (403 for the others)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("criees.view_catalogue"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def initiative_for(
    request: HttpRequest,
    pk: int,
    perm: str | None = None,
    queryset: QuerySet[Initiative] | None = None,
) -> Initiative:
    """The initiative if the user sees it (else 404), and may do `perm` on it (else 403)."""
    queryset = Initiative.objects.all() if queryset is None else queryset
    initiative = get_object_or_404(queryset.visible_to(request.user).select_related("caf"), pk=pk)
    if perm:
        require(request, perm, initiative)
    return initiative


def criee_for(request: HttpRequest, pk: int, perm: str | None = None) -> Criee:
    criee = get_object_or_404(Criee.objects.visible_to(request.user), pk=pk)
    if perm:
        require(request, perm, criee)
    return criee


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back after a POST: the `next` field if it is a path of this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
