"""iCalendar files of events: an event as a `caflab.core.ical.Entry` (the writing is the
core's, shared with the criées, the creativity sessions and the recruitments). Same UIDs as
before the move (`evenement-<pk>@host`), so subscribed calendars keep their items."""

from collections.abc import Iterable

from caflab.core import ical
from caflab.core.ical import ical_response  # noqa: F401 (the events' views use it from here)
from events.models import Event

PRODID = "-//Cnaf//CafLab evenements//FR"


def uid_of(event: Event) -> str:
    return ical.uid("evenement", event.pk)


def entry(event: Event) -> ical.Entry:
    return ical.Entry(
        uid=uid_of(event),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=f"{event.get_kind_display()} : {event.title}",
        description=event.description,
        path=event.get_absolute_url(),
        updated_at=event.updated_at,
        place=event.place,
        online_url=event.online_url,
        cancelled=event.status == Event.Status.CANCELLED,
    )


def calendar_of(events: Iterable[Event], *, name: str) -> bytes:
    return ical.calendar_of((entry(event) for event in events), name=name, prodid=PRODID)
