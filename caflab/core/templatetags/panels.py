"""`{% load panels %}{% page_panels "project" project %}`: the panels other apps registered on
a page (caflab.core.panels), in order; a panel whose context function returns None is left out.
`{% render_panels shown %}` renders panels the view already computed with `shown_panels` (when
the view needs their data first, e.g. to fingerprint a cached fragment).
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from caflab.core.panels import Panel, shown_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context: template.Context, page: str, obj: Any) -> SafeString:
    return render_panels(context, shown_panels(page, context["request"], obj))


@register.simple_tag(takes_context=True)
def render_panels(
    context: template.Context, shown: list[tuple[Panel, dict[str, Any]]]
) -> SafeString:
    request = context["request"]
    engine = context.template.engine
    parts = []
    for panel, values in shown:
        # As an inclusion tag does: a fresh context (the page's variables do not leak into
        # the panel), with the request and the CSRF token for the panel's forms.
        panel_context = context.new(
            {"request": request, "csrf_token": context.get("csrf_token"), **values}
        )
        parts.append(engine.get_template(panel.template).render(panel_context))
    return mark_safe("".join(parts))  # noqa: S308 -- our templates' output, escaped by them
