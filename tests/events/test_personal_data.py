""" "My data", events side: a person's registrations (with attendance) and their name on the
events they organise are in the download; erasure cancels the registrations to come (the
waiting list moves up) and leaves the year's attendance figures without the person."""

import json

import pytest
from django.urls import reverse

from caflab.accounts import personal_data
from events.models import Registration
from events.services import registration_create
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(agent_a, lab_staff):
    upcoming = EventFactory(title="Formation à venir", seats=1)
    registration_create(event=upcoming, user=agent_a)
    registration_create(event=upcoming, user=UserFactory(email="attente@caf38.example"))
    past = EventFactory(
        title="Formation passée",
        starts_at=in_days(-5),
        registration_opens_at=in_days(-10),
        registration_closes_at=in_days(-6),
        status="held",
    )
    RegistrationFactory(event=past, user=agent_a, attended=True)
    EventFactory(title="Débat que j'organise", organisers=[agent_a])
    return agent_a


def test_my_data_holds_registrations_and_organised_events(client, participant):
    client.force_login(participant)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    text = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert "Formation à venir" in text
    assert "Formation passée" in text
    assert "Débat que j'organise" in text
    assert "Organisé par vous" in text


def test_erasure_cancels_what_is_to_come_and_keeps_the_figures(participant):
    caf_id = participant.caf_id
    personal_data.account_erase(user=participant)
    assert not Registration.objects.filter(user_id=participant.pk).exists()
    waiting = Registration.objects.get(user__email="attente@caf38.example")
    assert waiting.status == "confirmed"  # promoted into the freed seat
    kept = Registration.objects.get(event__title="Formation passée")
    assert kept.user is None
    assert kept.attended is True
    assert kept.caf_id == caf_id


def test_the_home_page_offers_the_events(client, agent_a, lab_staff):
    for user, words in [(agent_a, "s’inscrire"), (lab_staff, "relever la présence")]:
        client.force_login(user)
        page = client.get(reverse("core:home")).content.decode()
        assert "Formations et événements" in page
        assert words in page
        assert f'href="{reverse("events:index")}"' in page
