"""Lineage walked as its users would (issue 13, story a): a citizen's contribution becomes an
idea, the idea a project, the project passes two gates; the citizen is told at each step and
sees, on her contribution's page, what it became. Zero axe violations on every page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.notifications.models import Notification
from ecoute.models import Consultation
from ideas.models import Idea
from projects.models import GateReview, Stage
from projects.services.gates import gate_decide
from tests.e2e.conftest import new_context
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.projects.factories import GateReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def test_a_contribution_becomes_a_project_and_its_author_follows_each_step(
    browser, live_server, login_as, assert_accessible, lab_staff, citizen, caf_a
):
    call = ConsultationFactory(
        title="Vos idées pour l'accueil",
        slug="idees-accueil",
        owner=lab_staff,
        collects_contributions=True,
        moderation_mode=Consultation.ModerationMode.AFTER,
    )
    contribution = ContributionFactory(
        consultation=call, author=citizen, caf=caf_a, title="Un rendez-vous le soir"
    )
    contribution_url = live_server.url + contribution.get_absolute_url()

    # The lab turns the contribution into an idea from its page, then accepts it as a project.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(contribution_url)
    assert_accessible(page)
    page.get_by_role("button", name="Créer une idée à partir de ce contenu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Un rendez-vous le soir")
    assert_accessible(page)
    idea = Idea.objects.get(origin_id=contribution.pk)
    page.goto(live_server.url + reverse("ideas:idea-status", kwargs={"pk": idea.pk}))
    page.get_by_label("Retenue comme projet").check()
    page.get_by_label("Motif").fill("Une attente partagée par plusieurs Caf.")
    page.get_by_role("button", name="Enregistrer le changement de statut").click()
    idea.refresh_from_db()
    project = idea.project
    assert project is not None
    # The project lists the contribution among its origins.
    page.goto(live_server.url + project.get_absolute_url())
    origins = page.locator("section[aria-labelledby='titre-origines']")
    expect(origins).to_contain_text("Contribution\u00a0: Un rendez-vous le soir")
    expect(origins.locator(f"a[href='{contribution.get_absolute_url()}']")).to_be_visible()
    assert_accessible(page)
    context.close()

    # Two gates passed.
    for from_stage, to_stage in (
        (Stage.IDEA, Stage.CREATIVITY),
        (Stage.CREATIVITY, Stage.PROTOTYPE),
    ):
        review = GateReviewFactory(project=project, from_stage=from_stage, to_stage=to_stage)
        gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")

    # The citizen was told at each step and sees what her contribution became.
    kinds = list(
        Notification.objects.filter(recipient=citizen)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "origin.idea",
        "origin.idea_status",
        "ecoute.project_stage",
        "ecoute.project_stage",
    ]
    context, page = _sign_in(browser, live_server, login_as, citizen)
    page.goto(contribution_url)
    expect(page.locator("main")).to_contain_text(
        "A donné l’idée «\u00a0Un rendez-vous le soir\u00a0»"
    )
    expect(page.locator("main")).to_contain_text("à l’étape «\u00a0Prototype\u00a0»")
    assert_accessible(page)
    page.get_by_role("link", name="Notifications").first.click()
    expect(page.locator("main")).to_contain_text("Un rendez-vous le soir")
    assert_accessible(page)
    context.close()
