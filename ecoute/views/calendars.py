"""Calendar files of recruitments: one recruitment's, and the feed of the upcoming ones the
person sees (anonymous visitors: those of public consultations). Hidden → 404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caflab.core.ical import ical_response
from ecoute import ical
from ecoute.models import Recruitment


@require_GET
def recruitment_ical(request: HttpRequest, pk: int) -> HttpResponse:
    recruitment = get_object_or_404(Recruitment.objects.visible_to(request.user), pk=pk)
    content = ical.calendar_for(request.user, [recruitment], name=recruitment.title)
    return ical_response(content, f"recrutement-{recruitment.pk}.ics")


@require_GET
def recruitments_feed(request: HttpRequest) -> HttpResponse:
    recruitments = ical.upcoming_for(request.user)
    content = ical.calendar_for(
        request.user, recruitments, name=_("CafLab : ateliers et tests à venir")
    )
    return ical_response(content, "caflab-recrutements.ics")
