"""The project list's "Porteur" filter is a type-ahead: typing a name fills the suggestions
(a <datalist>, announced in a live region), the keyboard picks one and submits the filter.
Zero axe violations, no CSP violation (the script is a static file)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lead_filter_suggests_leads_as_one_types_and_filters_by_keyboard(
    page, live_server, login_as, assert_accessible, agent_a
):
    lead = UserFactory(first_name="Bérénice", last_name="Typeahead", email="berenice@caf.example")
    ProjectFactory(title="Projet de Bérénice", lead=lead)
    ProjectFactory(title="Projet d'un autre porteur")
    login_as(page, live_server, agent_a)
    page.goto(live_server.url + reverse("projects:index"))
    assert_accessible(page)

    lead_input = page.get_by_label("Porteur")
    lead_input.focus()
    page.keyboard.type("bérén", delay=30)
    suggestion = page.locator("#id_lead-suggestions option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", "berenice@caf.example")
    expect(page.locator("#id_lead-status")).to_have_text(
        "1 suggestion\u00a0: parcourez-la avec la flèche du bas."
    )
    assert_accessible(page)

    # Choosing the suggestion puts its value in the field; Enter submits the filter.
    lead_input.fill("berenice@caf.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Projet de Bérénice")).to_be_visible()
    expect(page.get_by_role("link", name="Projet d'un autre porteur")).to_have_count(0)
    expect(lead_input).to_have_value("berenice@caf.example")
    assert_accessible(page)
