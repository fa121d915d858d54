"""The profile's "Accès à l’API" section (page panel "profile", caflab.core.panels): the
person's tokens and the form to create one. Network members only."""

from typing import Any

from django.http import HttpRequest

from caflab.api.forms import TokenForm
from caflab.api.models import AccessToken
from caflab.api.services import may_hold_tokens
from caflab.core.panels import register_panel


def profile_context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not may_hold_tokens(request.user):
        return None
    return {
        "tokens": list(AccessToken.objects.of(request.user).order_by("-created_at", "-pk")[:50]),
        "form": TokenForm(),
    }


def register() -> None:
    register_panel(
        "profile", name="api-tokens", template="api/profile_panel.html", context=profile_context
    )
