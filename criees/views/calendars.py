"""Calendar files of the criées, for the network: one criée's, and the feed of the upcoming
ones (`Criee.objects.visible_to`: anonymous → login page, outside the network → 403)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caflab.core import ical as core_ical
from criees import ical
from criees.models import Criee
from criees.views.base import criee_for, network_only


@require_GET
@network_only
def criee_ical(request: HttpRequest, pk: int) -> HttpResponse:
    criee = criee_for(request, pk)
    content = core_ical.calendar_of([ical.entry(criee)], name=criee.title)
    return core_ical.ical_response(content, f"criee-{criee.pk}.ics")


@require_GET
@network_only
def criees_feed(request: HttpRequest) -> HttpResponse:
    criees = Criee.objects.visible_to(request.user).upcoming()[: core_ical.FEED_LIMIT]
    content = core_ical.calendar_of(
        (ical.entry(criee) for criee in criees), name=_("CafLab : criées à venir")
    )
    return core_ical.ical_response(content, "caflab-criees.ics")
