"""The events of a programme, on the programme's page ("programme" page panel, registered in
EventsConfig.ready()): those the reader sees (`Event.objects.visible_to`), out of draft, the
upcoming ones first then the latest held. The portfolio does not import this. One query."""

from typing import Any

from django.db.models import Count, Window
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.analysis_sources import SYNTHESES
from events.models import Event

# Events listed; the rest are the catalogue.
SHOWN = 10


def context(request: HttpRequest, programme: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    now = timezone.now()
    events = list(
        Event.objects.visible_to(user)
        .listed()
        .filter(programme=programme)
        .only("title", "kind", "status", "starts_at", "ends_at", "place", "online_url")
        .annotate(n_total=Window(Count("pk")))
        .order_by("-starts_at", "-pk")[:SHOWN]
    )
    kinds = dict(Event.Kind.choices)
    statuses = dict(Event.Status.choices)
    url = reverse("events:detail", kwargs={"pk": 987654321})
    rows = [
        {
            "url": url.replace("987654321", str(event.pk)),
            "title": event.title,
            "kind": str(kinds.get(event.kind, event.kind)),
            "status": str(statuses.get(event.status, event.status)),
            "starts_at": event.starts_at,
            "is_upcoming": event.ends_at >= now and event.status == Event.Status.PUBLISHED,
            "where": event.place or _("en ligne"),
        }
        for event in events
    ]
    # The upcoming ones first (soonest first), then the past ones (latest first).
    upcoming = sorted((r for r in rows if r["is_upcoming"]), key=lambda r: r["starts_at"])
    past = [r for r in rows if not r["is_upcoming"]]
    return {
        "events": upcoming + past,
        "n_events": events[0].n_total if events else 0,
        "catalogue_url": reverse("events:index"),
        "shown": SHOWN,
        "programme_name": programme.name,
        # The analysis of its events' syntheses (events.analysis_sources), for the lab.
        "analyse_url": (
            reverse("analysis:source-start", kwargs={"source": SYNTHESES, "pk": programme.pk})
            if user.has_perm("events.analyse_syntheses", programme)
            else ""
        ),
    }
