""" "Mes inscriptions" as a calendar subscription: a signed URL read without a session, listing
the person's registrations (waiting-list ones marked), revoked by regenerating it."""

import pytest
from django.core import signing
from django.urls import reverse
from icalendar import Calendar

from events.calendar_feed import SALT, calendar_key_rotate, url_for, user_for
from events.models import Event, Registration
from events.services import registration_create
from tests.events.factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

MINE = reverse("events:mine")


def vevents(content: bytes) -> list:
    return [c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT"]


def test_the_signed_url_lists_my_registrations_without_a_session(client, agent_a, agent_b):
    mine = EventFactory(title="Ma formation")
    full = EventFactory(title="Formation complète", seats=1)
    registration_create(event=full, user=agent_b)
    registration_create(event=mine, user=agent_a)
    registration_create(event=full, user=agent_a)  # the waiting list
    RegistrationFactory(
        event=EventFactory(title="Annulée par moi"),
        user=agent_a,
        status=Registration.Status.CANCELLED,
    )
    EventFactory(title="Pas la mienne")
    response = client.get(url_for(agent_a))  # anonymous client: no session
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "private, no-store"
    items = {str(item["summary"]): item for item in vevents(response.content)}
    assert set(items) == {
        "Formation : Ma formation",
        "[Liste d’attente] Formation : Formation complète",
    }
    assert items["Formation : Ma formation"]["status"] == "CONFIRMED"
    assert items["[Liste d’attente] Formation : Formation complète"]["status"] == "TENTATIVE"


def test_another_persons_token_never_shows_my_registrations(client, agent_a, agent_b):
    registration_create(event=EventFactory(title="Celle d’Alice"), user=agent_a)
    registration_create(event=EventFactory(title="Celle de Bob"), user=agent_b)
    content = client.get(url_for(agent_b)).content
    assert [str(item["summary"]) for item in vevents(content)] == ["Formation : Celle de Bob"]


def test_a_wrong_or_forged_token_answers_404(client, agent_a):
    good = url_for(agent_a)
    token = good.split("/")[-2]
    forged = signing.dumps({"u": agent_a.pk, "v": 1}, salt="another-salt", compress=True)
    for bad in (token[:-2] + "xx", "pas-un-jeton", forged):
        url = reverse("events:personal-feed", kwargs={"token": bad})
        assert client.get(url).status_code == 404
    assert user_for(signing.dumps({"u": "x"}, salt=SALT)) is None


def test_regenerating_the_link_revokes_the_old_one(client, agent_a):
    old = url_for(agent_a)
    client.force_login(agent_a)
    response = client.post(reverse("events:calendar-rotate"), follow=True)
    assert "l’ancien ne fonctionne plus" in response.content.decode()
    new = url_for(agent_a)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert calendar_key_rotate(user=agent_a) == 3
    assert client.get(new).status_code == 404


def test_an_inactive_account_link_answers_404(client, agent_a):
    url = url_for(agent_a)
    agent_a.is_active = False
    agent_a.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_a_draft_and_old_registrations_stay_out(client, agent_a):
    draft = EventFactory(title="Brouillon", status=Event.Status.DRAFT)
    RegistrationFactory(event=draft, user=agent_a)
    RegistrationFactory(
        event=EventFactory(
            title="Il y a un an",
            starts_at=in_days(-365),
            registration_opens_at=in_days(-400),
            registration_closes_at=in_days(-366),
        ),
        user=agent_a,
    )
    assert vevents(client.get(url_for(agent_a)).content) == []


def test_my_registrations_show_the_link_with_a_copy_button_and_no_inline_script(client, agent_a):
    client.force_login(agent_a)
    page = client.get(MINE).content.decode()
    assert f'value="http://testserver{url_for(agent_a)}"' in page
    assert "data-copy-from" in page
    assert "js/events-calendar" in page
    assert "<script>" not in page
    assert "Renouveler le lien" in page


def test_erasing_my_data_revokes_my_calendar_link(client, agent_a):
    from events.personal_data import erase

    url = url_for(agent_a)
    erase(agent_a)
    assert client.get(url).status_code == 404
