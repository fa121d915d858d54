"""An event's presentation in Markdown: its page shows the list and link, its card a plain
excerpt, the open-data export the text as typed; the form's "Aperçu" saves nothing."""

import pytest
from django.urls import reverse

from caflab.opendata.datasets import event_rows
from events.models import Event
from tests.events.factories import EventFactory, in_days

pytestmark = pytest.mark.django_db

TYPED = "Au programme :\n- un **atelier**\n- une visite, inscription sur https://www.caf.fr"


def assert_rendered(html: str) -> None:
    assert "<li>un <strong>atelier</strong></li>" in html
    assert '<a href="https://www.caf.fr" rel="nofollow noopener">https://www.caf.fr</a>' in html


def test_the_event_page_shows_its_presentation_and_synthesis_as_lists(client, agent_a):
    event = EventFactory(description=TYPED, synthesis="- *trois* idées retenues")
    client.force_login(agent_a)
    html = client.get(event.get_absolute_url()).content.decode()
    assert_rendered(html)
    assert "<li><em>trois</em> idées retenues</li>" in html


def test_the_event_card_shows_a_plain_excerpt_without_markup(client, agent_a):
    EventFactory(description=TYPED)
    client.force_login(agent_a)
    html = client.get(reverse("events:index")).content.decode()
    assert "un atelier" in html
    assert "**atelier**" not in html
    assert "<li>un <strong>atelier" not in html


def test_the_open_data_export_keeps_the_presentation_as_typed(db):
    EventFactory(description=TYPED, audience=Event.Audience.CITIZENS)
    [row] = list(event_rows())
    assert row["presentation"] == TYPED


def test_the_event_preview_saves_nothing_and_keeps_what_was_typed(client, lab_staff):
    event = EventFactory(organisers=[lab_staff])
    client.force_login(lab_staff)
    url = reverse("events:update", kwargs={"pk": event.pk})
    assert 'name="preview"' in client.get(url).content.decode()
    response = client.post(url, {"title": "Autre", "description": TYPED, "preview": "Aperçu"})
    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).description == event.description
    assert_rendered(response.content.decode().split('id="apercu-titre"')[1])
    assert response.context["form"]["description"].value() == TYPED


def test_the_synthesis_preview_saves_nothing_and_keeps_what_was_typed(client, lab_staff):
    event = EventFactory(
        organisers=[lab_staff],
        starts_at=in_days(-1),
        registration_opens_at=in_days(-3),
        synthesis="",
    )
    client.force_login(lab_staff)
    url = reverse("events:synthesis", kwargs={"pk": event.pk})
    response = client.post(url, {"synthesis": "- *trois* idées", "preview": "Aperçu"})
    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).synthesis == ""
    preview = response.content.decode().split('id="apercu-titre"')[1]
    assert "<li><em>trois</em> idées</li>" in preview
    assert "Mise en forme possible" in response.content.decode()
