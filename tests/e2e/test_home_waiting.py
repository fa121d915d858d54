"""The home's "Ce qui vous attend", walked in a browser: the lab sees an overdue gate review
and the ideas to triage, and one click reaches the review; the correspondent sees the criée
open for proposals; the citizen sees an open consultation. Zero axe violations on each home."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.criees.factories import CrieeFactory
from tests.ecoute.factories import ConsultationFactory
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lab_home_leads_to_an_overdue_gate_review_and_the_triage(
    page, live_server, login_as, assert_accessible, lab_staff
):
    project = ProjectFactory(title="Rendez-vous des droits")
    review = GateReviewFactory(
        project=project, due_on=timezone.localdate() - datetime.timedelta(days=4)
    )
    IdeaFactory.create_batch(3)

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + reverse("core:home"))
    waiting = page.get_by_role("region", name="Ce qui vous attend")
    expect(waiting).to_contain_text("revue de passage à décider")
    expect(waiting).to_contain_text("1 en retard")
    expect(waiting.get_by_role("link", name="idées à trier")).to_be_visible()
    expect(waiting).to_contain_text("3")
    assert_accessible(page)

    waiting.get_by_role("link", name="Rendez-vous des droits").click()
    page.wait_for_url(
        f"**{reverse('projects:gate-review', kwargs={'code': project.code, 'pk': review.pk})}"
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(live_server.url + reverse("core:home"))
    page.get_by_role("region", name="Ce qui vous attend").get_by_role(
        "link", name="idées à trier"
    ).click()
    page.wait_for_url(f"**{reverse('ideas:triage')}")


def test_the_correspondent_home_shows_the_open_criee(
    page, live_server, login_as, assert_accessible, correspondent_a
):
    criee = CrieeFactory(status="open", title="Criée des solidarités")
    login_as(page, live_server, correspondent_a)
    page.goto(live_server.url + reverse("core:home"))
    waiting = page.get_by_role("region", name="Ce qui vous attend")
    expect(waiting).to_contain_text("Criées ouvertes aux propositions de votre Caf")
    assert_accessible(page)
    waiting.get_by_role("link", name="Criée des solidarités").click()
    page.wait_for_url(f"**{reverse('criees:criee', kwargs={'pk': criee.pk})}")


def test_the_citizen_home_shows_an_open_consultation(
    page, live_server, login_as, assert_accessible, citizen
):
    ConsultationFactory(title="Votre accueil à la Caf")
    login_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("core:home"))
    waiting = page.get_by_role("region", name="Ce qui vous attend")
    expect(waiting.get_by_role("link", name="Votre accueil à la Caf")).to_be_visible()
    assert_accessible(page)


def test_the_caf_dashboard_lists_its_consultations_and_evaluations(
    page, live_server, login_as, assert_accessible, correspondent_a, caf_a
):
    from tests.evaluation.factories import EvaluationPlanFactory

    ConsultationFactory(caf=caf_a, title="Accueil de l’Isère")
    plan = EvaluationPlanFactory(project=ProjectFactory(pilot_caf=caf_a, title="Visio du soir"))
    login_as(page, live_server, correspondent_a)
    page.goto(live_server.url + reverse("network:caf-dashboard", kwargs={"code": caf_a.code}))
    expect(page.get_by_role("link", name="Accueil de l’Isère")).to_be_visible()
    expect(page.get_by_role("link", name=f"{plan.project.code} – Visio du soir")).to_be_visible()
    assert_accessible(page)
