"""iCalendar files (RFC 5545), written with `icalendar`, for every app that has dated things
people attend (events, criées, creativity sessions, recruitments): one item's file, and the
feed of the upcoming ones a person sees. Each app turns its rows into `Entry`s; this module
knows no model.

Times are written in UTC (a "Z" time every calendar reads the same way); each entry has a
stable UID (`uid(kind, pk)`), so a calendar updates it instead of adding a copy, and DTSTAMP is
when the file was written. Where the item takes place: LOCATION (the place, or the link when it
is online only), CONFERENCE (RFC 7986) for the online link."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Cnaf//CafLab//FR"
# A feed lists at most this many items (the nearest first).
FEED_LIMIT = 300


@dataclass(frozen=True)
class Entry:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    description: str
    path: str  # the item's page on CafLab
    updated_at: datetime.datetime
    place: str = ""
    online_url: str = ""
    cancelled: bool = False


def uid(kind: str, pk: int) -> str:
    """A stable UID: `evenement-12@caflab.example`."""
    host = urlsplit(settings.SITE_URL).hostname or "caflab"
    return f"{kind}-{pk}@{host}"


def vevent(entry: Entry, *, stamp: datetime.datetime) -> VEvent:
    item = VEvent()
    url = f"{settings.SITE_URL}{entry.path}"
    item.add("uid", entry.uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", entry.starts_at.astimezone(datetime.UTC))
    item.add("dtend", entry.ends_at.astimezone(datetime.UTC))
    item.add("summary", entry.summary)
    details = [entry.description.strip()]
    if entry.online_url:
        details.append(f"Lien de connexion : {entry.online_url}")
    details.append(f"Sur CafLab : {url}")
    item.add("description", "\n\n".join(d for d in details if d))
    item.add("location", entry.place or entry.online_url)
    item.add("url", url)
    if entry.online_url:
        # RFC 7986: where to join an online item.
        item.add("conference", entry.online_url, parameters={"value": "URI"})
    item.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    item.add("last-modified", entry.updated_at.astimezone(datetime.UTC))
    return item


def calendar_of(entries: Iterable[Entry], *, name: str, prodid: str = PRODID) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for entry in entries:
        calendar.add_component(vevent(entry, stamp=stamp))
    return calendar.to_ical()


def ical_response(content: bytes, filename: str) -> HttpResponse:
    """A calendar file, as a download; never cached (it is the reader's own view)."""
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
