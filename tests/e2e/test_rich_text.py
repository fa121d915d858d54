"""Rich text walked as a project lead would: they write the problem with a list and a link,
press "Aperçu" (no JavaScript needed: the page comes back with the rendered text above the form
and nothing saved), then save, and the project page shows the list and a link that carries
rel="nofollow noopener". Zero axe violations and no CSP violation (the `page` fixture fails the
test on one) on the form, the preview and the project page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Project
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TYPED = (
    "Les familles nous disent :\n"
    "- qu'elles oublient la **déclaration**\n"
    "- qu'elles ne trouvent pas [le simulateur](https://www.caf.fr/simulateur)"
)


def test_a_lead_previews_and_saves_a_problem_with_a_list_and_a_link(
    page, live_server, login_as, assert_accessible, lab_staff
):
    project = ProjectFactory(lead=lab_staff, title="Rendez-vous des droits")
    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + reverse("projects:update", kwargs={"code": project.code}))
    problem = page.get_by_label("Problème à résoudre")
    expect(page.get_by_text("Mise en forme possible").first).to_be_visible()
    problem.fill(TYPED)

    page.get_by_role("button", name="Aperçu", exact=True).click()
    preview = page.get_by_role("region", name="Aperçu")
    expect(preview).to_be_visible()
    expect(preview.get_by_role("listitem")).to_have_count(2)
    expect(preview.locator("strong")).to_have_text("déclaration")
    expect(page.get_by_label("Problème à résoudre")).to_have_value(TYPED)
    assert Project.objects.get(pk=project.pk).problem == project.problem  # nothing saved yet
    assert_accessible(page)

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(live_server.url + project.get_absolute_url())
    items = page.get_by_role("listitem").filter(has_text="qu'elles oublient la déclaration")
    expect(items).to_have_count(1)
    expect(items.locator("strong")).to_have_text("déclaration")
    link = page.get_by_role("link", name="le simulateur")
    expect(link).to_have_attribute("href", "https://www.caf.fr/simulateur")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    stored = Project.objects.get(pk=project.pk).problem
    assert stored.replace("\r\n", "\n") == TYPED  # stored as typed (the browser sends CRLF)
    assert_accessible(page)
