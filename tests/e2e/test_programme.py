"""The ecological-transition programme walked in a browser: an agent of Caf A filters the
portfolio by the programme, follows the link to its page and reads the aggregated ecological
assessment (the chart and its data table), the environmental indicators and the events of the
programme; the lab opens a gate review into experimentation of a project of the programme without
an assessment and finds the blocker with its link. Zero axe violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.network.models import Programme
from evaluation.models import EcologicalRating
from projects.models import Stage
from tests.e2e.conftest import new_context
from tests.events.factories import EventFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Objective, Rating = EcologicalRating.Objective, EcologicalRating.Rating


@pytest.fixture
def programme(lab_staff):
    programme = Programme.objects.get(slug="transition-ecologique")
    for title, negative in (("Mobilité durable des agents", None), ("Jardins partagés", "water")):
        project = ProjectFactory(title=title, stage=Stage.EXPERIMENTATION)
        project.programmes.add(programme)
        for objective in Objective.values:
            EcologicalRating.objects.create(
                project=project,
                objective=objective,
                rating=Rating.NEGATIVE
                if objective == negative
                else Rating.POSITIVE
                if objective == "social_cohesion"
                else Rating.NEUTRAL,
                justification="Justifié.",
            )
    waiting = ProjectFactory(title="Réemploi du mobilier", stage=Stage.PROTOTYPE)
    waiting.programmes.add(programme)
    GateReviewFactory(project=waiting, to_stage=Stage.EXPERIMENTATION)
    EventFactory(title="Atelier sobriété numérique", programme=programme)
    return programme


def test_the_programme_page_shows_the_aggregated_ecological_assessment(
    page, browser, live_server, login_as, assert_accessible, agent_a, lab_staff, programme
):
    login_as(page, live_server, agent_a)
    page.goto(live_server.url + reverse("projects:index"))
    page.get_by_label("Programme", exact=True).select_option(label=programme.name)
    page.get_by_role("search", name="Rechercher et filtrer les projets").get_by_role(
        "button", name="Rechercher"
    ).click()
    page.get_by_role(
        "link", name="Voir la page du programme «\u00a0Transition écologique\u00a0»"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Programme «\u00a0Transition écologique\u00a0»"
    )
    assert_accessible(page)

    section = page.get_by_role("region", name="Évaluation de la transition écologique")
    expect(section.get_by_text("2 projets évalués sur 3")).to_be_visible()
    chart = section.get_by_role("img", name="Appréciation des projets sur les sept objectifs")
    expect(chart).to_be_visible()
    # The data table waits under "Voir les données": favourable, neutral, unfavourable (each
    # with its share of the row), the total, then the unfavourable ones without mitigation.
    table = section.get_by_role("table")
    expect(table).to_be_hidden()
    section.get_by_text("Voir les données").click()
    expect(table).to_contain_text("Appréciation des projets sur les sept objectifs")
    water = table.get_by_role("row", name="Gestion de la ressource en eau")
    expect(water.get_by_role("cell")).to_have_text(
        ["0 (0\u202f%)", "1 (50\u202f%)", "1 (50\u202f%)", "2", "1"]
    )
    cohesion = table.get_by_role("row", name="Cohésion sociale")
    expect(cohesion.get_by_role("cell")).to_have_text(
        ["2 (100\u202f%)", "0 (0\u202f%)", "0 (0\u202f%)", "2", "0"]
    )
    expect(page.get_by_role("link", name="Atelier sobriété numérique")).to_be_visible()
    expect(page.get_by_role("link", name="Réemploi du mobilier", exact=False).first).to_be_visible()

    # The lab, in its own browser context.
    context = new_context(browser)
    page = context.new_page()
    login_as(page, live_server, lab_staff)
    waiting = programme.projects.get(title="Réemploi du mobilier")
    review = waiting.gate_reviews.get()
    page.goto(
        live_server.url
        + reverse("projects:gate-review", kwargs={"code": waiting.code, "pk": review.pk})
    )
    expect(page.locator("#blocages-go")).to_contain_text(
        "l’évaluation de la transition écologique du projet manque"
    )
    ecological = page.get_by_role("region", name="Critère écologique\u00a0: l’évaluation du projet")
    expect(ecological.get_by_text("Pré-évaluation écologique réalisée").first).to_be_visible()
    expect(ecological.get_by_role("link", name="Remplir l’évaluation écologique")).to_be_visible()
    assert_accessible(page)
    context.close()
