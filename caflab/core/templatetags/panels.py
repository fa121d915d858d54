"""`{% load panels %}{% page_panels "project" project %}`: the panels other apps registered on
a page (caflab.core.panels), in order; a panel whose context function returns None is left out.
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from caflab.core.panels import shown_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context: template.Context, page: str, obj: Any) -> SafeString:
    request = context["request"]
    engine = context.template.engine
    parts = []
    for panel, values in shown_panels(page, request, obj):
        # As an inclusion tag does: a fresh context (the page's variables do not leak into
        # the panel), with the request and the CSRF token for the panel's forms.
        panel_context = context.new(
            {"request": request, "csrf_token": context.get("csrf_token"), **values}
        )
        parts.append(engine.get_template(panel.template).render(panel_context))
    return mark_safe("".join(parts))  # noqa: S308 -- our templates' output, escaped by them
