"""The pages share their pieces (issue 15): one breadcrumb component, one filtered-list layout.
A template that hand-rolls a breadcrumb trail, or a list page that lays out its filters, count
and pages its own way, fails here, naming the file."""

import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.views import FilterMixin

TEMPLATES = Path(settings.BASE_DIR) / "templates"
COMPONENTS = TEMPLATES / "components"
FILTERED_LIST = "components/filtered_list.html"
EXTENDS_FILTERED_LIST = re.compile(r'^\{% extends "components/filtered_list\.html" %\}')


def page_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if COMPONENTS not in p.parents)


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def extends_filtered_list(name: str) -> bool:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    return bool(EXTENDS_FILTERED_LIST.match(source))


def view_classes(patterns: list) -> Iterator[type]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "view_class"):
            yield pattern.callback.view_class


def filterset_templates() -> set[str]:
    """The template of every view rendering a FilterSet (django-filter's FilterView)."""
    return {
        view.template_name
        for view in view_classes(get_resolver().url_patterns)
        if issubclass(view, FilterMixin) and getattr(view, "template_name", None)
    }


def test_the_templates_are_walked():
    names = {_name(p) for p in page_templates()}
    assert "ideas/idea_list.html" in names
    assert "components/breadcrumbs.html" not in names


def test_no_page_hand_rolls_a_breadcrumb_trail():
    hand_rolled = [
        _name(p) for p in page_templates() if 'class="breadcrumb"' in p.read_text(encoding="utf-8")
    ]
    assert hand_rolled == [], (
        "Use {% breadcrumb_trail %} (components/breadcrumbs.html) instead of an "
        f'<ol class="breadcrumb"> in: {hand_rolled}'
    )


def test_the_filterset_views_are_found():
    assert {
        "ideas/idea_list.html",
        "projects/project_list.html",
        "ideas/triage.html",
        "network/caf_list.html",
        "criees/initiative_list.html",
    } <= filterset_templates()


def test_every_page_rendering_a_filterset_uses_the_filtered_list_layout():
    # The FilterView pages, and any template reading a FilterSet's form.
    reading_a_filterset = {
        _name(p) for p in page_templates() if "filter.form" in p.read_text(encoding="utf-8")
    }
    own_layout = sorted(
        name
        for name in filterset_templates() | reading_a_filterset
        if not extends_filtered_list(name)
    )
    assert own_layout == [], f"Extend {FILTERED_LIST} in: {own_layout}"


def test_the_contribution_list_uses_the_filtered_list_layout():
    # Its filters are a plain form, not a FilterSet: the walk above does not see it.
    assert extends_filtered_list("ecoute/contributions/list.html")


# Pages that page something else than the page's own list, each with its reason.
OWN_PAGINATION = {
    # The measurements of one indicator, paged by their own parameter (?mesures=) and anchor.
    "evaluation/indicators/indicator_detail.html",
    # The notification region is swapped in place by htmx and keeps its own "unread" filter.
    "notifications/includes/notification_region.html",
}


def test_list_pages_are_paged_by_the_one_pagination_component():
    hand_rolled = {
        _name(p) for p in page_templates() if 'class="pagination' in p.read_text(encoding="utf-8")
    }
    assert hand_rolled == OWN_PAGINATION, (
        'Use {% include "components/pagination.html" with page_obj=page_obj only %} instead of '
        f"a hand-rolled pagination in: {sorted(hand_rolled - OWN_PAGINATION)}"
    )


def test_every_template_compiles():
    """A broken tag (an `{% else %}` left without its `{% if %}`…) fails here at once rather
    than as a 500 on the one page that renders the template."""
    from django.template.loader import get_template

    broken = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        try:
            get_template(_name(path))
        except Exception as error:  # every failure, reported with its file
            broken.append(f"{_name(path)}: {error}")
    assert broken == []
