"""iCal: one event's file and the feed of upcoming events the person sees, with the right
content type, a stable UID, DTSTAMP, UTC times, the place and the online link."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from caflab.network.models import Caf
from events.models import Event
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def _events(response):
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_an_events_file(client, agent_a):
    event = EventFactory(
        place="Caf de l'Isère, Grenoble", online_url="https://visio.example/formation"
    )
    client.force_login(agent_a)
    response = client.get(reverse("events:ical", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (vevent,) = _events(response)
    assert str(vevent["uid"]).startswith(f"evenement-{event.pk}@")
    assert vevent["dtstamp"].dt.utcoffset().total_seconds() == 0
    assert vevent["dtstart"].dt == event.starts_at.replace(microsecond=0)
    assert vevent["dtstart"].dt.utcoffset().total_seconds() == 0
    assert vevent["dtend"].dt == event.ends_at.replace(microsecond=0)
    assert str(vevent["location"]) == "Caf de l'Isère, Grenoble"
    assert "https://visio.example/formation" in str(vevent["description"])
    assert event.title in str(vevent["summary"])


def test_the_feed_holds_the_upcoming_events_one_sees(client, agent_b, caf_a):
    seen = EventFactory(title="Pour tout le réseau")
    EventFactory(title="Pour la Caf A", audience=Event.Audience.CAFS, cafs=[caf_a])
    EventFactory(title="Brouillon", status=Event.Status.DRAFT)
    client.force_login(agent_b)
    response = client.get(reverse("events:feed"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(v["summary"]) for v in _events(response)] == [f"Formation : {seen.title}"]
    assert Caf.objects.get(code="69") == agent_b.caf


def test_a_cancelled_event_says_so(client, agent_a):
    event = EventFactory(status=Event.Status.CANCELLED)
    client.force_login(agent_a)
    (vevent,) = _events(client.get(reverse("events:ical", kwargs={"pk": event.pk})))
    assert vevent["status"] == "CANCELLED"
