"""Story (c) of issue 13: the director opens her cockpit from her home and follows a blocker,
an overdue restitution and an open severe effect to the page where each is handled. The
innovation director runs the CafLab: in this codebase she is lab staff (the directorates'
members read the cockpit too, and pull levers: tests/projects/test_cockpit.py). Zero axe
violations on every page she goes through."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caflab.accounts.models import Role
from ecoute.models import Consultation
from evaluation.models import Effect
from projects import services
from projects.models import BlockerLever
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.ecoute.factories import ConsultationFactory
from tests.evaluation.factories import EffectFactory
from tests.projects.factories import BlockerLeverFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def director(db):
    return UserFactory(
        email="directrice.innovation@cnaf.example",
        first_name="Claire",
        last_name="Fontaine",
        role=Role.LAB_STAFF,
        caf=None,
    )


@pytest.fixture
def cockpit_data(settings, lead, caf_a):
    """A blocker the project's lead put to the direction, a consultation closed 45 days ago
    without restitution, and a severe negative effect still open (beside a moderate one)."""
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    project = ProjectFactory(title="Rendez-vous des droits", lead=lead, pilot_caf=caf_a)
    blocker = BlockerLeverFactory(project=project, text="Convention de données à signer")
    services.lever_escalate(lever=blocker, by=lead)
    closed_on = timezone.now() - datetime.timedelta(days=45)
    consultation = ConsultationFactory(
        title="Accueil des familles monoparentales",
        status=Consultation.Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=20),
        closes_at=closed_on,
    )
    EffectFactory(project=project, description="Un délai de réponse allongé")
    severe = EffectFactory(
        project=project,
        description="Des familles perdent un droit",
        severity=Effect.Severity.SEVERE,
    )
    return {"blocker": blocker, "consultation": consultation, "effect": severe}


def test_the_director_follows_a_blocker_a_restitution_and_a_severe_effect_from_her_cockpit(
    browser, live_server, login_as, assert_accessible, director, cockpit_data
):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, director)
    cockpit = live_server.url + reverse("projects:dashboard")

    # From her home, the card of the cockpit.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Cockpit de l’innovation").first.click()
    expect(page).to_have_url(cockpit)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cockpit de l’innovation")
    expect(page.locator("body")).to_contain_text("1 frein ou levier à arbitrer par la direction")
    assert_accessible(page)

    # A blocker the team put to her: its project's blockers and levers, where she arbitrates.
    blockers = page.locator("section[aria-labelledby='titre-freins']")
    expect(blockers).to_contain_text("Convention de données à signer")
    expect(blockers).to_contain_text("À arbitrer par la direction")
    blockers.get_by_role("link", name="Rendez-vous des droits").first.click()
    expect(page.locator("#freins-leviers")).to_contain_text("À arbitrer par la direction")
    assert_accessible(page)
    page.locator("#freins-leviers").get_by_role("button", name="Arbitrer et lever").click()
    expect(page.locator("#messages")).to_contain_text("la direction a actionné ce levier")
    expect(page.locator("#freins-leviers")).to_contain_text("Arbitré par la direction")
    blocker = BlockerLever.objects.get(pk=cockpit_data["blocker"].pk)
    assert blocker.pulled_by == director
    assert blocker.pulled_on == timezone.localdate()

    # The full list of open blockers and levers, one link away.
    page.goto(cockpit)
    page.get_by_role("link", name="Voir tout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Freins et leviers ouverts")
    assert_accessible(page)

    # An overdue restitution: the consultation's restitution, where it is written.
    page.goto(cockpit)
    restitutions = page.locator("section[aria-labelledby='titre-restitutions']")
    expect(restitutions).to_contain_text("Restitution en retard")
    restitutions.get_by_role("link", name="Accueil des familles monoparentales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Restitution\u00a0: vous avez dit, nous avons fait"
    )
    assert page.url.endswith(
        reverse("ecoute:restitution-edit", kwargs={"pk": cockpit_data["consultation"].pk})
    )

    # The severe effect, listed first: its page in the effects register, where its status moves.
    page.goto(cockpit)
    effects = page.locator("section[aria-labelledby='titre-effets']")
    expect(effects.locator("tbody tr").first).to_contain_text("Des familles perdent un droit")
    effects.get_by_role("link", name="Des familles perdent un droit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Effet inscrit au registre")
    assert page.url.endswith(
        reverse("evaluation:effect-detail", kwargs={"pk": cockpit_data["effect"].pk})
    )
    expect(page.locator("body")).to_contain_text("Des familles perdent un droit")
    context.close()
