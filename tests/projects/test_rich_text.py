"""A project's description in Markdown: the detail page and the public sheet show its list and
links, the open-data export keeps the text as typed, and the edit form's "Aperçu" saves nothing."""

import pytest
from django.urls import reverse

from caflab.opendata.datasets import project_rows
from projects.models import Project
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TYPED = "Les familles :\n- oublient la **déclaration**\n- ne voient pas [le courrier](https://www.caf.fr)"


def assert_rendered(html: str) -> None:
    assert "<li>oublient la <strong>déclaration</strong></li>" in html
    assert '<a href="https://www.caf.fr" rel="nofollow noopener">le courrier</a>' in html
    assert "**déclaration**" not in html


def test_the_project_page_shows_the_problem_as_a_list_with_its_link(client, lab_staff):
    project = ProjectFactory(lead=lab_staff, problem=TYPED, solution="*Un rappel* par SMS.")
    client.force_login(lab_staff)
    html = client.get(project.get_absolute_url()).content.decode()
    assert_rendered(html)
    assert "<em>Un rappel</em> par SMS." in html


def test_the_public_sheet_shows_the_problem_as_a_list(client):
    project = ProjectFactory(problem=TYPED, is_public=True)
    html = client.get(reverse("projects:public-sheet", kwargs={"code": project.code}))
    assert_rendered(html.content.decode())


def test_the_open_data_export_keeps_the_text_as_typed(lab_staff):
    ProjectFactory(problem=TYPED, is_public=True)
    [row] = list(project_rows())
    assert row["probleme"] == TYPED


def test_the_preview_shows_the_text_saves_nothing_and_keeps_every_value(client, lab_staff):
    project = ProjectFactory(lead=lab_staff)
    before = Project.objects.values().get(pk=project.pk)
    client.force_login(lab_staff)
    url = reverse("projects:update", kwargs={"code": project.code})
    response = client.post(
        url, {"title": "Titre changé", "problem": TYPED, "solution": "", "preview": "Aperçu"}
    )
    assert response.status_code == 200
    assert Project.objects.values().get(pk=project.pk) == before
    html = response.content.decode()
    preview = html.split('id="apercu-titre"')[1].split("</section>")[0]
    assert_rendered(preview)
    assert 'value="Titre changé"' in html  # what was typed is still in the form
    assert TYPED in html
    form = response.context["form"]
    assert form["problem"].value() == TYPED
    assert not form.errors  # a preview does not scold for what is missing


def test_the_edit_form_offers_the_preview_and_says_how_to_format(client, lab_staff):
    project = ProjectFactory(lead=lab_staff)
    client.force_login(lab_staff)
    html = client.get(reverse("projects:update", kwargs={"code": project.code})).content.decode()
    assert 'name="preview"' in html
    assert "Mise en forme possible" in html
