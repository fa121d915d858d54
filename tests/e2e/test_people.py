"""Adding someone to a project's team among thousands of agents: typing part of a name
fills the suggestions (htmx, under the strict CSP); the chosen address is added. Zero axe
violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_team_picker_suggests_people_while_typing(
    page, live_server, login_as, assert_accessible, lab_staff, caf_b
):
    project = ProjectFactory(lead=lab_staff)
    colleague = UserFactory(
        email="noemie.vasseur@caf69.example",
        first_name="Noémie",
        last_name="Vasseur",
        role=Role.AGENT,
        caf=caf_b,
    )
    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + reverse("projects:team", kwargs={"code": project.code}))
    assert_accessible(page)
    field = page.get_by_label("Personne")
    field.press_sequentially("Vass", delay=50)
    suggestion = page.locator("#id_membre-user-suggestions option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", colleague.email)
    field.fill(colleague.email)
    page.get_by_role("button", name="Ajouter à l’équipe").click()
    expect(page.locator("#titre-membres").locator("..")).to_contain_text("Noémie Vasseur")
    assert_accessible(page)
