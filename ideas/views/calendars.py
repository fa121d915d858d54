"""Calendar files of the creativity sessions: one session's, and the feed of the upcoming
ones the person sees (`sessions_visible_to`: hidden → 404)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caflab.core import ical as core_ical
from ideas import ical
from ideas.permissions import sessions_visible_to


@require_GET
@login_required
def session_ical(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(sessions_visible_to(request.user).select_related("caf"), pk=pk)
    content = core_ical.calendar_of([ical.entry(session)], name=session.title)
    return core_ical.ical_response(content, f"seance-{session.pk}.ics")


@require_GET
@login_required
def sessions_feed(request: HttpRequest) -> HttpResponse:
    """The upcoming sessions the person sees, the nearest first."""
    sessions = (
        sessions_visible_to(request.user)
        .filter(held_on__gte=timezone.now() - ical.SESSION_LENGTH)
        .select_related("caf")
        .order_by("held_on", "pk")[: core_ical.FEED_LIMIT]
    )
    content = core_ical.calendar_of(
        (ical.entry(session) for session in sessions),
        name=_("CafLab : séances de créativité à venir"),
    )
    return core_ical.ical_response(content, "caflab-seances.ics")
