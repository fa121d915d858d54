"""The portfolio walked as its users would: a lead asks for a gate review, the lab scores and
decides "go", the card moves on the kanban; a correspondent of another Caf declares "we want
it in our Caf" and their Caf changes status on the map. Zero axe violations on every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from projects.models import GateCriterion, Stage
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def project(agent_a, caf_a):
    return ProjectFactory(
        title="Rendez-vous des droits à la naissance",
        lead=agent_a,
        pilot_caf=caf_a,
        stage=Stage.IDEA,
    )


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def test_a_gate_review_moves_the_card_and_a_caf_declares_interest_on_the_map(
    browser, live_server, login_as, assert_accessible, project, lab_staff, caf_b
):
    detail = live_server.url + reverse("projects:detail", kwargs={"code": project.code})

    # The lead asks for the gate into "creativity session".
    context, page = _sign_in(browser, live_server, login_as, project.lead)
    page.goto(detail)
    assert_accessible(page)
    page.get_by_role("link", name="Demander une revue de passage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander une revue de passage")
    assert_accessible(page)
    page.get_by_label("Motivation de la demande").fill("Trois Caf ont documenté le non-recours.")
    page.get_by_role("button", name="Demander la revue de passage").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revue de passage")
    review_url = page.url
    context.close()

    # The lab scores every criterion and decides "go".
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(live_server.url + reverse("projects:kanban"))
    idea_column = page.locator("section[data-stage='idea']")
    expect(idea_column).to_contain_text(project.title)
    assert_accessible(page)
    page.goto(review_url)
    assert_accessible(page)
    for criterion in GateCriterion.objects.for_gate(Stage.CREATIVITY, project.track):
        group = page.get_by_role("group", name=re.compile(re.escape(criterion.label)))
        group.get_by_label("4 – bon").check()
    page.get_by_role("button", name="Enregistrer mes notes").click()
    expect(page.locator("body")).to_contain_text("4,0 sur 5")
    decision = page.locator("#form-decision")
    decision.get_by_label("Go", exact=True).check()
    decision.get_by_label("Justification").fill("Le problème est avéré et une Caf pilote s'engage.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("body")).to_contain_text("Décidée")
    assert_accessible(page)

    page.goto(live_server.url + reverse("projects:kanban"))
    expect(page.locator("section[data-stage='creativity']")).to_contain_text(project.title)
    expect(page.locator("section[data-stage='idea']")).not_to_contain_text(project.title)
    context.close()

    # A correspondent of Caf B wants it in their Caf: their square on the map changes status.
    correspondent_b = UserFactory(
        email="correspondant.b@caf69.example", role=Role.CORRESPONDENT, caf=caf_b
    )
    context, page = _sign_in(browser, live_server, login_as, correspondent_b)
    map_url = live_server.url + reverse("projects:map")
    page.goto(map_url)
    tile_b = page.locator(f"svg [data-caf='{caf_b.code}']")
    expect(tile_b).to_have_attribute("data-status", "none")
    page.goto(detail)
    page.get_by_role("button", name="Nous voulons le déployer dans notre Caf").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    page.goto(map_url)
    expect(tile_b).to_have_attribute("data-status", "interested")
    assert_accessible(page)
    context.close()
