"""Type-ahead pickers over big tables (people, projects, initiatives): a text input with a
`<datalist>` (the browser's own accessible combobox) that `static/js/typeahead.js` fills from a
JSON endpoint while one types, instead of a `<select>` listing thousands of rows.

Each picker reads a `Source`: what the user may pick (`scope`, the permission boundary: the
endpoint never suggests anything outside it), how typed text narrows it (`match`), and the text
an option puts in the input (`value`, which the form or filter reads back with `resolve`). The
endpoint answers at most MAX_RESULTS suggestions, from MIN_CHARS typed characters.

Without JavaScript the same input takes the typed text: `TypeaheadChoiceField` resolves it to
one row of its queryset (an option's value, a code or key, or words matching exactly one row)
and says in French when nothing or several rows match.

Sources live next to their app (`projects.typeahead`, `criees.typeahead`…) and are listed in
SOURCES by dotted path, so this module imports no app.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

MIN_CHARS = 2
MAX_RESULTS = 20
# Longest text searched: a longer one is a paste, not a name or a title.
MAX_TEXT = 100

# Source name (the endpoint's URL part) -> dotted path of its `Source`.
SOURCES: dict[str, str] = {
    "projets": "projects.typeahead.PROJECTS",
    "projets-essaimes": "projects.typeahead.DEPLOYED_PROJECTS",
    "porteurs": "projects.typeahead.LEADS",
    "initiatives-a-proposer": "criees.typeahead.INITIATIVES_TO_PROPOSE",
    "contacts-interet": "criees.typeahead.CONTACTS",
    "analyses-a-copier": "analysis.typeahead.ANALYSES",
    "grilles-bibliotheque": "analysis.typeahead.LIBRARY_CODEBOOKS",
}


@dataclass(frozen=True)
class Source:
    """`scope(user, params)`: what `user` may pick (params: the endpoint's other GET values);
    `match(queryset, text)`: the rows typed text points at; `value(obj)`: the text an option
    puts in the input; `label(obj)`: what the option shows beside it; `resolve(queryset,
    text)`: the row(s) an exact value or key designates (before `match` is tried)."""

    scope: Callable[[Any, QueryDict], QuerySet]
    match: Callable[[QuerySet, str], QuerySet]
    value: Callable[[Any], str]
    resolve: Callable[[QuerySet, str], QuerySet]
    label: Callable[[Any], str] = field(default=lambda obj: "")
    order: tuple[str, ...] = ("pk",)
    permission: str = ""
    # A source that lists people counts against the people search's limit per account
    # (caflab.accounts.people): suggestions must not become a way to harvest the directory.
    lists_people: bool = False


def get_source(name: str) -> Source:
    if name not in SOURCES:
        raise Http404
    return import_string(SOURCES[name])


def clean_text(text: str) -> str:
    # NUL cannot reach PostgreSQL (a DataError): a separator, like the spaces around it.
    return " ".join(str(text).replace("\x00", " ").split())[:MAX_TEXT]


def words_match(queryset: QuerySet, text: str, fields: tuple[str, ...]) -> QuerySet:
    """Every word of `text` appears (case-insensitively) in one of `fields`."""
    for word in clean_text(text).split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def key_before_dash(text: str) -> str:
    """ "INNO-2026-001 – Titre" -> "INNO-2026-001": an option's value starts with its key."""
    return re.split(r"\s+[–—-]\s+", clean_text(text), maxsplit=1)[0]


def suggestions(source: Source, user: Any, text: str, params: QueryDict) -> tuple[list, bool]:
    """At most MAX_RESULTS options ({"value", "label"}) for `text`, and whether more matched."""
    text = clean_text(text)
    if len(text) < MIN_CHARS:
        return [], False
    matching = source.match(source.scope(user, params), text).order_by(*source.order)
    rows = list(matching[: MAX_RESULTS + 1])
    options = [
        {"value": source.value(obj), "label": source.label(obj)} for obj in rows[:MAX_RESULTS]
    ]
    return options, len(rows) > MAX_RESULTS


@require_GET
@never_cache
@login_required
def suggest(request: HttpRequest, source: str) -> JsonResponse:
    """The suggestions of one picker: JSON {"results": [{"value", "label"}], "more": bool}.
    Scoped by the source to what the user may pick; 403 without the source's permission."""
    the_source = get_source(source)
    if the_source.permission and not request.user.has_perm(the_source.permission):
        raise PermissionDenied
    text = request.GET.get("q", "")
    if the_source.lists_people and len(clean_text(text)) >= MIN_CHARS:
        from caflab.accounts.people import people_search_rate_limit_hit

        if people_search_rate_limit_hit(request.user):
            return JsonResponse({"results": [], "more": False}, status=429)
    options, more = suggestions(the_source, request.user, text, request.GET)
    return JsonResponse({"results": options, "more": more})


def resolve_text(source: Source, queryset: QuerySet, text: str) -> list[Model]:
    """The rows of `queryset` typed text designates: the exact value or key first, else the
    rows every typed word matches (at most two are read: one is an answer, two a doubt)."""
    text = clean_text(text)
    if not text:
        return []
    exact = list(source.resolve(queryset, text)[:2])
    if exact:
        return exact
    return list(source.match(queryset, text).order_by(*source.order)[:2])


class TypeaheadInput(forms.TextInput):
    """A text input with its `<datalist>`, filled by static/js/typeahead.js (include it in the
    page's `scripts` block), and a polite live region announcing how many suggestions came."""

    template_name = "core/widgets/typeahead_input.html"

    def __init__(self, source: str = "", params: dict[str, Any] | None = None, attrs=None):
        super().__init__(attrs)
        self.source = source
        self.params = params or {}

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        base = widget_attrs.get("id") or f"id_{name}"
        url = reverse("core:typeahead", kwargs={"source": self.source})
        if self.params:
            url = f"{url}?{urlencode(self.params)}"
        widget_attrs.update(
            {
                "list": f"{base}-suggestions",
                "autocomplete": "off",
                "data-typeahead": url,
                "data-typeahead-min": MIN_CHARS,
                "data-typeahead-status": f"{base}-status",
            }
        )
        context["widget"]["list_id"] = f"{base}-suggestions"
        context["widget"]["status_id"] = f"{base}-status"
        return context


class TypeaheadChoiceField(forms.ModelChoiceField):
    """One row of `queryset`, picked by type-ahead from `source` (the field's queryset is the
    authority: a suggestion outside it is refused like any typed text)."""

    default_error_messages = {
        "invalid_choice": _(
            "Aucun choix possible ne correspond à « %(value)s » : vérifiez ce que vous avez "
            "saisi ou choisissez une suggestion."
        ),
        "ambiguous": _(
            "Plusieurs choix correspondent à « %(value)s » : précisez (par exemple en "
            "choisissant une suggestion)."
        ),
    }

    def __init__(self, queryset, *, source: str, params: dict[str, Any] | None = None, **kwargs):
        kwargs.setdefault("widget", TypeaheadInput(source=source, params=params))
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset, **kwargs)
        self.source_name = source

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            return value
        text = clean_text(value)
        rows = resolve_text(get_source(self.source_name), self.queryset, text)
        if not rows:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        if len(rows) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": text}
            )
        return rows[0]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Model):
            return get_source(self.source_name).value(value)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")
