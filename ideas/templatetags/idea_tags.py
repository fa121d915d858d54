"""Template tags of the idea box: `{% load idea_tags %}`.

A tag written in Python costs a few microseconds where an `{% include %}` costs tens: the idea
lists and the triage queue show an idea's status badge on every row.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ideas.models import Idea

register = template.Library()

STATUS_CLASSES = {
    Idea.Status.SUBMITTED: "text-bg-light border",
    Idea.Status.UNDER_REVIEW: "text-bg-info",
    Idea.Status.ACCEPTED: "text-bg-success",
    Idea.Status.MERGED: "text-bg-secondary",
    Idea.Status.SHELVED: "text-bg-warning",
}


@register.simple_tag
def idea_status_badge(status: str, label: str | None = None) -> SafeString:
    """An idea's status as a badge. The label is always written: the colour only adds to it.
    `label` defaults to the status's display text (`Idea.get_status_display`)."""
    if label is None:
        label = Idea.Status(status).label if status in Idea.Status.values else status
    return format_html(
        '<span class="badge rounded-pill {}"><span class="visually-hidden">{} </span>{}</span>',
        STATUS_CLASSES.get(status, "text-bg-dark"),
        _("Statut :"),
        label,
    )


@register.filter
def idea_source(source: str) -> str:
    """An idea's source's display text (`Idea.get_source_display`, without its cost a row)."""
    return Idea.Source(source).label if source in Idea.Source.values else source
