"""Impact reports and recommendations in Markdown: the report's body (the page and the PDF print
the same stored body) shows lists and links; the recommendations page too, and its "Aperçu"
saves nothing."""

import io

import pypdf
import pytest
from django.urls import reverse

from evaluation.models import Recommendation
from evaluation.reporting import render_report_html, render_report_pdf
from evaluation.snapshot import project_snapshot
from tests.evaluation.factories import RecommendationFactory, evaluated_project

pytestmark = pytest.mark.django_db

PROBLEM = (
    "Les familles :\n- oublient la **déclaration**\n- ignorent [leurs droits](https://www.caf.fr)"
)


def test_the_report_body_renders_the_project_and_recommendations_as_lists():
    project = evaluated_project(problem=PROBLEM)
    RecommendationFactory(project=project, text="Il faut :\n- *former* les agents")
    snapshot = project_snapshot(project)
    html = render_report_html(snapshot)
    assert "<li>oublient la <strong>déclaration</strong></li>" in html
    assert '<a href="https://www.caf.fr" rel="nofollow noopener">leurs droits</a>' in html
    assert "<li><em>former</em> les agents</li>" in html
    pdf = render_report_pdf(title="Rapport", body=html, snapshot=snapshot)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "oublient la déclaration" in " ".join(text.split())
    assert "**" not in text


def test_the_recommendations_page_renders_lists(client, lab_staff):
    project = evaluated_project()
    RecommendationFactory(project=project, text="Il faut :\n- *former* les agents")
    client.force_login(lab_staff)
    html = client.get(reverse("evaluation:recommendations", kwargs={"code": project.code}))
    assert "<li><em>former</em> les agents</li>" in html.content.decode()


def test_the_recommendation_preview_saves_nothing_and_keeps_what_was_typed(client, lab_staff):
    project = evaluated_project(lead=lab_staff)
    client.force_login(lab_staff)
    url = reverse("evaluation:recommendations", kwargs={"code": project.code})
    before = Recommendation.objects.count()
    response = client.post(url, {"text": "- *former* les agents", "preview": "Aperçu"})
    assert response.status_code == 200
    assert Recommendation.objects.count() == before
    preview = response.content.decode().split('id="apercu-titre"')[1]
    assert "<li><em>former</em> les agents</li>" in preview
    assert response.context["form"]["text"].value() == "- *former* les agents"
