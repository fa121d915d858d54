"""iCalendar files (RFC 5545) of events, written with `icalendar`: one event's file, and the
feed of the upcoming events a person sees. Times are written in UTC (a "Z" time every calendar
reads the same way); each event has a stable UID, so a calendar updates it instead of adding a
copy, and DTSTAMP is when the file was written."""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Cnaf//CafLab evenements//FR"


def uid_of(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "caflab"
    return f"evenement-{event.pk}@{host}"


def vevent(event: Event, *, stamp: datetime.datetime) -> VEvent:
    entry = VEvent()
    url = f"{settings.SITE_URL}{event.get_absolute_url()}"
    entry.add("uid", uid_of(event))
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
    entry.add("summary", f"{event.get_kind_display()} : {event.title}")
    details = [event.description.strip()]
    if event.online_url:
        details.append(f"Lien de connexion : {event.online_url}")
    details.append(f"Sur CafLab : {url}")
    entry.add("description", "\n\n".join(d for d in details if d))
    entry.add("location", event.place or event.online_url)
    entry.add("url", url)
    if event.online_url:
        # RFC 7986: where to join an online event.
        entry.add("conference", event.online_url, parameters={"value": "URI"})
    entry.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    entry.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    return entry


def calendar_of(events: Iterable[Event], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for event in events:
        calendar.add_component(vevent(event, stamp=stamp))
    return calendar.to_ical()


def ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
