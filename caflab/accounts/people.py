"""Choosing a person among tens of thousands of agents: an e-mail field that suggests people as
one types (an htmx request fills a `<datalist>`), instead of a `<select>` listing everyone.

`PersonField` validates the address against its queryset (case-insensitive), so a typed
address that is nobody allowed gets a clear French error, and the form keeps what was typed.

The suggestions are not a directory: only network members may ask, from MIN_QUERY typed
characters, for at most MAX_SUGGESTIONS people, and at most PEOPLE_SEARCH_RATE_LIMIT queries
per PEOPLE_SEARCH_RATE_WINDOW (past it: an empty list, status 429). Before these limits, 1,157
two-letter queries collected every address in 3 s; now one account gets at most 3,600 names
an hour, and only by guessing prefixes. Partners are suggested because a project team's person field
accepts them (projects.forms.project.TeamMemberForm).
"""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from caflab.accounts.models import NETWORK_ROLES, Role, User
from caflab.core.ratelimit import rate_limit_hit

MIN_QUERY = 3
MAX_SUGGESTIONS = 10
PEOPLE_SEARCH_RATE_LIMIT = 60
PEOPLE_SEARCH_RATE_WINDOW = 10 * 60


class PersonInput(forms.EmailInput):
    """An e-mail input with its suggestions list, filled while typing (strict CSP: htmx
    attributes only, no script)."""

    template_name = "accounts/widgets/person_input.html"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id') or name}-suggestions"
        widget_attrs.update(
            {
                "list": list_id,
                "autocomplete": "off",
                "data-hx-get": reverse("accounts:people-search"),
                "data-hx-trigger": "input changed delay:300ms",
                "data-hx-target": f"#{list_id}",
                "data-hx-swap": "innerHTML",
                "data-hx-vals": json.dumps({"champ": name}),
            }
        )
        context["widget"]["list_id"] = list_id
        return context


class PersonField(forms.ModelChoiceField):
    """A person of `queryset`, given by their e-mail address."""

    widget = PersonInput
    default_error_messages = {
        "invalid_choice": _(
            "Personne ne correspond à cette adresse parmi les personnes possibles : "
            "vérifiez-la ou choisissez une suggestion."
        ),
    }

    def __init__(self, queryset, **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="email", **kwargs)

    def to_python(self, value: Any) -> User | None:
        if value in self.empty_values:
            return None
        try:
            if "\x00" in str(value):  # no address has one, and PostgreSQL refuses it
                raise ValueError
            return self.queryset.get(email__iexact=str(value).strip())
        except (User.DoesNotExist, User.MultipleObjectsReturned, ValueError, TypeError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):  # an instance's foreign key, as ModelForm gives it
            return User.objects.filter(pk=value).values_list("email", flat=True).first() or ""
        return super().prepare_value(value)


def suggestions_for(text: str) -> list[User]:
    """Active network members and partners whose address, first or last name starts with
    `text` (at most MAX_SUGGESTIONS)."""
    text = text.strip()
    if len(text) < MIN_QUERY:
        return []
    return list(
        User.objects.active()
        .filter(role__in=[*NETWORK_ROLES, Role.PARTNER])
        .filter(
            Q(email__istartswith=text)
            | Q(first_name__istartswith=text)
            | Q(last_name__istartswith=text)
        )
        .select_related("caf", "partner", "directorate")
        .order_by("last_name", "first_name", "email")[:MAX_SUGGESTIONS]
    )


def people_search_rate_limit_hit(user: User) -> bool:
    """Count one search by `user`; True past the limit (a cache outage lets searches through)."""
    return rate_limit_hit(
        "accounts:people-search",
        f"user:{user.pk}",
        limit=getattr(settings, "PEOPLE_SEARCH_RATE_LIMIT", PEOPLE_SEARCH_RATE_LIMIT),
        window=getattr(settings, "PEOPLE_SEARCH_RATE_WINDOW", PEOPLE_SEARCH_RATE_WINDOW),
    )


@require_GET
@login_required
def people_search(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of a person field's suggestions. Network members only: names and
    professional addresses are not shown to citizens or partners. Only queries long enough to
    search are counted against the limit, so typing the first letters costs nothing."""
    if not request.user.is_network_member:
        raise PermissionDenied
    text = request.GET.get(request.GET.get("champ", "q"), "").strip()
    if len(text) < MIN_QUERY:
        people: list[User] = []
    elif people_search_rate_limit_hit(request.user):
        return render(request, "accounts/people_options.html", {"people": []}, status=429)
    else:
        people = suggestions_for(text)
    return render(request, "accounts/people_options.html", {"people": people})
