"""The live page: the pitch on screen, one click to declare interest, the polled scoreboard."""

import pytest
from django.test import Client
from django.urls import reverse

from criees.models import Criee, InterestDeclaration
from tests.criees.factories import CrieeFactory, InitiativeFactory, InterestFactory, PitchFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_criee(initiative):
    criee = CrieeFactory(status=Criee.Status.CLOSED)
    pitch = PitchFactory(criee=criee, initiative=initiative, position=1)
    criee.current_pitch = pitch
    criee.save()
    return criee


def live_url(criee) -> str:
    return reverse("criees:live", kwargs={"pk": criee.pk})


def counts_url(criee, shown) -> str:
    return reverse("criees:live-counts", kwargs={"pk": criee.pk}) + f"?passage={shown or ''}"


def test_the_live_page_shows_the_pitch_on_screen_and_polls_the_scoreboard(
    client, agent_b, live_criee, initiative
):
    client.force_login(agent_b)
    response = client.get(live_url(live_criee))
    assert response.context["current"].initiative == initiative
    html = response.content.decode()
    assert 'data-hx-trigger="every 5s"' in html
    assert counts_url(live_criee, live_criee.current_pitch_id) in html.replace("&amp;", "&")
    # The one-click buttons of an agent: no "wants to replicate".
    assert 'value="contact"' in html
    assert 'value="replicate"' not in html


def test_one_click_declares_for_the_users_caf_and_comes_back(
    client, correspondent_b, caf_b, live_criee, initiative
):
    client.force_login(correspondent_b)
    response = client.post(
        reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
        {
            "interet-level": "replicate",
            "rapide": "1",
            "criee": live_criee.pk,
            "next": live_url(live_criee),
        },
    )
    assert response["Location"] == live_url(live_criee)
    interest = InterestDeclaration.objects.get()
    assert (interest.caf, interest.level, interest.criee) == (caf_b, "replicate", live_criee)


def test_one_click_with_htmx_swaps_the_block_and_announces_the_result(
    agent_b, caf_b, live_criee, initiative
):
    pitch = live_criee.current_pitch
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(agent_b)
    response = htmx.post(
        reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
        {
            "interet-level": "curious",
            "rapide": "1",
            "criee": live_criee.pk,
            "place": "programme",
            "next": f"{live_url(live_criee)}#passage-{pitch.pk}",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The same block, its buttons under the same ids (htmx gives the focus back to the pressed
    # one), the new level pressed, and the result out of band into the page's live region.
    assert f'id="interet-programme-{pitch.pk}"' in html
    assert f'id="interet-programme-{pitch.pk}-curious" class="btn btn-sm btn-primary"' in html
    assert 'id="annonce-interet" data-hx-swap-oob="innerHTML"' in html
    assert f"Intérêt de la {caf_b.name} enregistré" in html
    assert InterestDeclaration.objects.get().level == "curious"
    # Nothing left for the next page: the message was given in place.
    page = htmx.get(live_url(live_criee)).content.decode()
    assert "enregistré" not in page


def test_without_javascript_one_click_comes_back_to_the_same_pitch(
    client, agent_b, live_criee, initiative
):
    pitch = live_criee.current_pitch
    client.force_login(agent_b)
    html = client.get(live_url(live_criee)).content.decode()
    back = f"{live_url(live_criee)}#passage-{pitch.pk}"
    assert f'id="passage-{pitch.pk}"' in html
    assert f'name="next" value="{back}"' in html
    assert 'id="annonce-interet"' in html
    response = client.post(
        reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
        {"interet-level": "curious", "rapide": "1", "criee": live_criee.pk, "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back


def test_a_held_criee_is_titled_as_held(client, agent_b, live_criee):
    live_criee.status = Criee.Status.HELD
    live_criee.save()
    client.force_login(agent_b)
    html = client.get(live_url(live_criee)).content.decode()
    assert f"Criée tenue\u00a0: {live_criee.title}" in html
    assert "En direct\u00a0:" not in html


def test_an_offsite_next_is_ignored(client, agent_b, live_criee, initiative):
    client.force_login(agent_b)
    response = client.post(
        reverse("criees:declare-interest", kwargs={"pk": initiative.pk}),
        {"interet-level": "curious", "rapide": "1", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith(initiative.get_absolute_url())


def test_the_scoreboard_fragment_counts_the_cafs_by_level(agent_b, live_criee, initiative):
    InterestFactory(initiative=initiative, level="replicate")
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(agent_b)
    response = htmx.get(counts_url(live_criee, live_criee.current_pitch_id))
    assert response.status_code == 200
    (row,) = response.context["board"]
    assert dict((level.value, n) for level, n in row["levels"]) == {
        "curious": 0,
        "contact": 0,
        "replicate": 1,
    }
    assert "<html" not in response.content.decode()


def test_a_new_pitch_on_screen_reloads_the_page(agent_b, live_criee, initiative):
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(agent_b)
    response = htmx.get(counts_url(live_criee, None))
    assert response["HX-Refresh"] == "true"


def test_outside_htmx_the_fragment_sends_to_the_live_page(client, agent_b, live_criee):
    client.force_login(agent_b)
    response = client.get(counts_url(live_criee, live_criee.current_pitch_id))
    assert response["Location"] == live_url(live_criee)


def test_the_lab_puts_a_pitch_on_screen(client, lab_staff, live_criee, caf_a):
    other = PitchFactory(criee=live_criee, initiative=InitiativeFactory(caf=caf_a), position=2)
    client.force_login(lab_staff)
    client.post(reverse("criees:live-current", kwargs={"pk": live_criee.pk}), {"passage": other.pk})
    live_criee.refresh_from_db()
    assert live_criee.current_pitch == other


def test_a_held_criee_no_longer_polls(client, agent_b, live_criee):
    live_criee.status = Criee.Status.HELD
    live_criee.save()
    client.force_login(agent_b)
    assert "hx-trigger" not in client.get(live_url(live_criee)).content.decode()
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(agent_b)
    assert htmx.get(counts_url(live_criee, None)).status_code == 286  # htmx: stop polling


def _add_pitches(criee):
    def add(n: int) -> None:
        start = criee.pitches.count()
        for i in range(n):
            pitch = PitchFactory(criee=criee, position=start + i + 2)
            InterestFactory(initiative=pitch.initiative, level="contact")

    return add


# Session and user (2), the criée (1), the programme and its presenters (2), the scoreboard
# (1), the Caf's own declarations (1); the shell: unread notifications (1, the user's Caf
# comes with them), and Django's ModelBackend loading the agent's (empty) permissions once (2).
def test_the_live_page_costs_a_fixed_number_of_queries(client, agent_b, live_criee):
    client.force_login(agent_b)
    assert_flat_query_count(client, live_url(live_criee), _add_pitches(live_criee), expected=10)


# Session and user (2), the criée (1), the programme and its presenters (2), the scoreboard
# (1), and the unread notifications the context processor reads for every template (1).
def test_the_scoreboard_costs_a_fixed_number_of_queries(agent_b, live_criee):
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(agent_b)
    url = counts_url(live_criee, live_criee.current_pitch_id)
    assert_flat_query_count(htmx, url, _add_pitches(live_criee), expected=7)
