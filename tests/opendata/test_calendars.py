"""iCal files (one item, and a feed) of criées, creativity sessions and recruitments, written
by the one core helper the events use too: the place and the online link, each scoped by the
item's `visible_to` (hidden → 404, outside the network → 403 or the login page)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ecoute.models import Registration
from ideas.models import CreativitySession
from tests.criees.factories import CrieeFactory
from tests.ecoute.factories import ConsultationFactory, RecruitmentFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def vevents(response) -> list:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def session(db, caf_a) -> CreativitySession:
    return CreativitySession.objects.create(
        title="Séance sur l’accueil",
        held_on=timezone.now() + datetime.timedelta(days=5),
        place="Salle Vercors",
        video_link="https://visio.caf.example/seance",
        caf=caf_a,
        method=CreativitySession.Method.WORLD_CAFE,
    )


def test_a_criee_file_has_its_link_and_the_feed_lists_the_upcoming_ones(client, agent_a):
    criee = CrieeFactory(title="Criée de printemps")
    CrieeFactory(title="Criée passée", status="held")
    client.force_login(agent_a)
    (item,) = vevents(client.get(reverse("criees:criee-ical", kwargs={"pk": criee.pk})))
    assert str(item["summary"]) == "Criée : Criée de printemps"
    assert str(item["location"]) == "https://visio.caf.example/criee"
    assert str(item["uid"]).startswith(f"criee-{criee.pk}@")
    feed = vevents(client.get(reverse("criees:criee-feed")))
    assert [str(e["summary"]) for e in feed] == ["Criée : Criée de printemps"]


def test_criees_calendars_are_the_network_s(client, citizen):
    criee = CrieeFactory()
    url = reverse("criees:criee-ical", kwargs={"pk": criee.pk})
    assert client.get(url).status_code == 302  # anonymous: the login page
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    assert client.get(reverse("criees:criee-feed")).status_code == 403


def test_a_session_file_has_its_place_and_video_link(client, agent_a, citizen, session):
    client.force_login(agent_a)
    (item,) = vevents(client.get(reverse("ideas:session-ical", kwargs={"pk": session.pk})))
    assert str(item["location"]) == "Salle Vercors"
    assert "https://visio.caf.example/seance" in str(item["description"])
    assert [str(e["summary"]) for e in vevents(client.get(reverse("ideas:session-feed")))] == [
        "Séance de créativité : Séance sur l’accueil"
    ]
    client.force_login(citizen)
    url = reverse("ideas:session-ical", kwargs={"pk": session.pk})
    assert client.get(url).status_code == 404
    assert vevents(client.get(reverse("ideas:session-feed"))) == []


def test_a_recruitment_link_goes_to_its_confirmed_participants_only(client, citizen, lab_staff):
    recruitment = RecruitmentFactory(place="", video_link="https://visio.caf.example/atelier")
    url = reverse("ecoute:recruitment-ical", kwargs={"pk": recruitment.pk})
    (anonymous,) = vevents(client.get(url))
    assert "visio.caf.example" not in anonymous.to_ical().decode()
    Registration.objects.create(recruitment=recruitment, user=citizen, status="confirmed")
    client.force_login(citizen)
    (participant,) = vevents(client.get(url))
    assert str(participant["location"]) == "https://visio.caf.example/atelier"
    feed = vevents(client.get(reverse("ecoute:recruitment-feed")))
    assert [str(e["uid"]) for e in feed] == [str(participant["uid"])]


def test_a_recruitment_of_an_agents_consultation_is_hidden_from_citizens(client, citizen):
    agents = ConsultationFactory(access="agents")
    recruitment = RecruitmentFactory(consultation=agents)
    client.force_login(citizen)
    url = reverse("ecoute:recruitment-ical", kwargs={"pk": recruitment.pk})
    assert client.get(url).status_code == 404
    assert vevents(client.get(reverse("ecoute:recruitment-feed"))) == []


def test_events_still_write_their_files_through_the_shared_helper(client, agent_a):
    event = EventFactory(online_url="https://visio.caf.example/formation")
    client.force_login(agent_a)
    (item,) = vevents(client.get(reverse("events:ical", kwargs={"pk": event.pk})))
    assert str(item["uid"]).startswith(f"evenement-{event.pk}@")
    assert str(item["conference"]) == "https://visio.caf.example/formation"
