"""Template tags of the shell: `{% load caflab %}`."""

from typing import Any

from django import template

from caflab.core import forms
from caflab.core.navigation import main_nav, url_or_none

register = template.Library()

ALERT_CLASSES = {
    "debug": "alert-secondary",
    "info": "alert-info",
    "success": "alert-success",
    "warning": "alert-warning",
    "error": "alert-danger",
}


@register.inclusion_tag("includes/main_nav.html", takes_context=True)
def main_navigation(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"items": main_nav(request) if request is not None else []}


@register.simple_tag
def shell_url(name: str) -> str:
    """`{% shell_url "core:legal" %}`: a URL of the page chrome (header, menus, footer), reversed
    once per process (caflab.core.navigation.url_or_none); "" when it does not resolve."""
    return url_or_none(name) or ""


@register.filter
def alert_class(level_tag: str) -> str:
    """Bootstrap's class for a Django message level (`error` is `danger` there)."""
    return ALERT_CLASSES.get(level_tag, "alert-info")


@register.filter
def choice_label(label: Any) -> Any:
    """An option's label as shown: Django's "---------" reads "Choisir…" (caflab.core.forms)."""
    return forms.choice_label(label)
