"""An initiative told in Markdown: its page shows lists and links; the form's "Aperçu" saves
nothing and keeps what was typed."""

import pytest
from django.urls import reverse

from criees.models import Initiative
from tests.criees.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

TYPED = "Nous avons :\n- formé un **agent volant**\n- suivi [le guide](https://www.caf.fr/guide)"


def assert_rendered(html: str) -> None:
    assert "<li>formé un <strong>agent volant</strong></li>" in html
    assert '<a href="https://www.caf.fr/guide" rel="nofollow noopener">le guide</a>' in html


def test_the_initiative_page_shows_what_was_done_as_a_list_with_its_link(client, agent_b):
    initiative = InitiativeFactory(actions=TYPED, results="- *moitié* moins d'attente")
    client.force_login(agent_b)
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert_rendered(html)
    assert "<li><em>moitié</em> moins d'attente</li>" in html


def test_the_initiative_preview_saves_nothing_and_keeps_what_was_typed(client, lab_staff):
    initiative = InitiativeFactory()
    client.force_login(lab_staff)
    url = reverse("criees:initiative-update", kwargs={"pk": initiative.pk})
    assert 'name="preview"' in client.get(url).content.decode()
    response = client.post(url, {"title": "Autre", "actions": TYPED, "preview": "Aperçu"})
    assert response.status_code == 200
    assert Initiative.objects.get(pk=initiative.pk).actions == initiative.actions
    assert_rendered(response.content.decode().split('id="apercu-titre"')[1])
    assert response.context["form"]["actions"].value() == TYPED
    assert response.context["form"]["title"].value() == "Autre"
