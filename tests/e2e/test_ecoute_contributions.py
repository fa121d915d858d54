"""A call for ideas walked as its users would: a citizen posts an idea to a pre-moderated call;
a moderator publishes it from the queue with a message; an agent supports it; the lab answers
officially "taken into project X", and the contribution shows the project's stage. Zero axe
violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.network.models import Theme
from ecoute.models import AnswerStatus, Consultation, Contribution, ContributionSupport
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.ecoute.factories import ConsultationFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IDEA = "Des rendez-vous en visio le soir"


def new_page(browser) -> tuple:
    context = new_context(browser)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_citizen_proposes_moderator_publishes_agent_supports_lab_answers_with_a_project(
    browser, live_server, login_as, assert_accessible, page, lab_staff, citizen, agent_a
):
    call = ConsultationFactory(
        title="Vos idées pour l'accueil",
        slug="idees-accueil",
        owner=lab_staff,
        audience=Consultation.Audience.BOTH,
        collects_contributions=True,
        moderation_mode=Consultation.ModerationMode.BEFORE,
    )
    project = ProjectFactory(title="Accueil en soirée", stage="prototype", is_public=True)
    theme = Theme.objects.active().first()
    moderator = UserFactory(email="moderation@cnaf.example", moderator=True)

    # --- the citizen proposes an idea -----------------------------------------------------
    login_as(page, live_server, citizen)
    page.goto(live_server.url + call.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Proposer une idée").click()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer mon idée").click()  # empty: errors, in French
    expect(page.locator("#resume-erreurs")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Titre de votre idée").fill(IDEA)
    page.locator("#id_text").fill("Après 18 h, pour les parents qui travaillent.")
    page.get_by_label("Thème").select_option(str(theme.pk))
    page.get_by_role("button", name="Envoyer mon idée").click()
    expect(page.locator("body")).to_contain_text("publiée après relecture par la modération")
    assert_accessible(page)
    contribution = Contribution.objects.get()
    assert contribution.status == Contribution.Status.PENDING

    # --- a moderator publishes it from the queue -------------------------------------------
    context, moderator_page = new_page(browser)
    try:
        login_as(moderator_page, live_server, moderator)
        # The consultation's old address leads to the one queue, filtered to contributions.
        moderator_page.goto(live_server.url + reverse("ecoute:contribution-moderation"))
        expect(moderator_page.get_by_role("heading", level=1)).to_have_text("Modération")
        assert_accessible(moderator_page)
        moderator_page.get_by_label("Après 18 h, pour les parents qui travaillent.").check()
        moderator_page.get_by_label("Action", exact=True).select_option("publish")
        moderator_page.get_by_label("Message aux auteurs (facultatif)").fill(
            "Merci, votre idée est en ligne."
        )
        moderator_page.get_by_role("button", name="Appliquer").click()
        expect(moderator_page.locator("body")).to_contain_text("1 élément(s) traité(s)")
        assert_accessible(moderator_page)
    finally:
        context.close()
    contribution.refresh_from_db()
    assert contribution.is_published

    # --- an agent supports it ---------------------------------------------------------------
    context, agent_page = new_page(browser)
    try:
        login_as(agent_page, live_server, agent_a)
        agent_page.goto(live_server.url + reverse("ecoute:contributions", args=[call.slug]))
        assert_accessible(agent_page)
        agent_page.get_by_role("link", name=IDEA).click()
        agent_page.get_by_role("button", name="Soutenir cette contribution").click()
        expect(agent_page.locator("body")).to_contain_text("votre soutien est enregistré")
        expect(agent_page.locator("#nombre-soutiens")).to_contain_text("1 soutien")
        assert_accessible(agent_page)
    finally:
        context.close()
    assert ContributionSupport.objects.filter(contribution=contribution, user=agent_a).exists()

    # --- the lab answers: taken into the project ------------------------------------------
    context, lab_page = new_page(browser)
    try:
        login_as(lab_page, live_server, lab_staff)
        lab_page.goto(live_server.url + contribution.get_absolute_url())
        assert_accessible(lab_page)
        lab_page.get_by_role("link", name="Répondre officiellement").click()
        assert_accessible(lab_page)
        lab_page.get_by_role("radio", name="Intégrée à un projet").check()
        lab_page.locator("#id_text").fill("Votre idée rejoint le projet Accueil en soirée.")
        lab_page.get_by_label("Projet du portefeuille").select_option(str(project.pk))
        lab_page.get_by_role("button", name="Publier la réponse officielle").click()
        expect(lab_page.locator("body")).to_contain_text("La réponse officielle est publiée.")
        answer = lab_page.locator("#reponse-officielle")
        expect(answer).to_contain_text("Accueil en soirée")
        expect(answer.locator(".stage-badge")).to_contain_text("Prototype")
        assert_accessible(lab_page)
    finally:
        context.close()
    contribution.refresh_from_db()
    assert contribution.answer_status == AnswerStatus.IN_PROJECT

    # --- the citizen sees the project's stage on their contribution ------------------------
    page.goto(live_server.url + contribution.get_absolute_url())
    expect(page.locator("#reponse-officielle .stage-badge")).to_contain_text("Prototype")
    assert_accessible(page)
