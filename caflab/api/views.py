"""The pages of the API: creating a token (its secret shown once, on the answer to the form:
never stored, never in a redirect or a session), revoking one, the API's documentation, and
its root (`/api/v1/`: where to read and what to list, for a program that starts there)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caflab.api.docs import endpoints
from caflab.api.forms import TokenForm
from caflab.api.models import AccessToken
from caflab.api.services import may_hold_tokens, token_create, token_revoke
from caflab.api.v1 import api


@login_required
def token_create_view(request: HttpRequest) -> HttpResponse:
    if not may_hold_tokens(request.user):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = token_create(
            user=request.user, name=form.cleaned_data["name"], lifetime=form.lifetime_delta
        )
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AccessToken.objects.of(request.user), pk=pk)
    token_revoke(token=token, by=request.user)  # twice: "déjà fait" (RefusalMiddleware)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("accounts:profile")


def docs(request: HttpRequest) -> HttpResponse:
    """The API's reference, drawn from its OpenAPI description in the site's layout."""
    context: dict[str, Any] = {
        "api": api,
        "endpoints": endpoints(api),
        "can_hold_tokens": may_hold_tokens(request.user),
    }
    return render(request, "api/docs.html", context)


def root(request: HttpRequest) -> JsonResponse:
    """`/api/v1/`: the documentation, the OpenAPI description and every list, as absolute
    links (no query: all of it comes from the description)."""
    lists = {
        endpoint["path"].removeprefix("/api/v1/").strip("/"): request.build_absolute_uri(
            endpoint["path"]
        )
        for endpoint in endpoints(api)
        if endpoint["method"] == "GET" and "{" not in endpoint["path"]
    }
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "documentation": request.build_absolute_uri(reverse("api:docs")),
            "openapi": request.build_absolute_uri(reverse("api-v1:openapi-json")),
            "lists": lists,
        },
        json_dumps_params={"ensure_ascii": False},
    )
