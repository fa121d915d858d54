"""The header's search box in a real browser: typed in, submitted with the keyboard, the
grouped results reached and followed, with zero axe violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.ecoute.factories import ConsultationFactory
from tests.ideas.factories import IdeaFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_agent_searches_from_the_header_and_reaches_a_result(
    page, live_server, login_as, assert_accessible, agent_a
):
    idea = IdeaFactory(title="Covoiturage entre agents de l'accueil")
    ConsultationFactory(title="Votre avis sur le covoiturage")
    login_as(page, live_server, agent_a)

    box = page.get_by_role("search", name="Recherche dans tout CafLab").get_by_role(
        "searchbox", name="Rechercher dans CafLab"
    )
    box.fill("covoiturrage")  # a typo: still found (by trigram on PostgreSQL)
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{reverse('search:results')}?q=covoiturrage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recherche")
    assert_accessible(page)

    # Full text, accents and case folded.
    box = page.get_by_role("search", name="Rechercher dans CafLab").get_by_role("searchbox")
    box.fill("COVOITURAGE")
    box.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("résultats pour «\u00a0COVOITURAGE\u00a0»")
    expect(page.get_by_role("heading", level=2, name="Idées")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Consultations")).to_be_visible()
    assert_accessible(page)

    link = page.get_by_role("link", name=idea.title)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + idea.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(idea.title)
