"""The criées walked as their users would: an agent of Caf A describes and submits an
initiative, the correspondent publishes it and proposes it to a criée, the lab puts it on the
programme and on screen; on the live page an agent of Caf B says "we want a contact" and the
correspondent of Caf B "we want to replicate it" (the counters of the agent's page follow, by
htmx polling); the lab promotes it, and the portfolio shows the new project with a deployment
in Caf B. Zero axe violations on every page visited."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from criees.models import Criee, Initiative
from projects.models import Project, Stage
from tests.accounts.factories import UserFactory
from tests.criees.factories import CrieeFactory
from tests.e2e.conftest import new_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Permanences des droits en mairie rurale"
POLL_TIMEOUT_MS = 15_000  # the live page polls every 5 s


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def criee(db):
    return CrieeFactory(title="Criée de l'accès aux droits", status=Criee.Status.OPEN)


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def _flash(page):
    return page.get_by_role("alert").or_(page.get_by_role("status")).first


def test_an_initiative_goes_from_a_caf_to_a_criee_and_into_the_portfolio(
    browser,
    live_server,
    login_as,
    assert_accessible,
    agent_a,
    correspondent_a,
    agent_b,
    caf_b,
    lab_staff,
    criee,
):
    correspondent_b = UserFactory(
        email="correspondant.b@caf69.example", role=Role.CORRESPONDENT, caf=caf_b
    )
    base = live_server.url
    criee_url = base + reverse("criees:criee", kwargs={"pk": criee.pk})
    live_url = base + reverse("criees:live", kwargs={"pk": criee.pk})

    # An agent of Caf A describes the initiative and submits it.
    context, page = _sign_in(browser, live_server, login_as, agent_a)
    page.goto(base + reverse("criees:index"))
    assert_accessible(page)
    page.get_by_role("link", name="Décrire une initiative").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Décrire une initiative locale")
    assert_accessible(page)
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Résumé").fill("Une permanence mensuelle de la Caf dans les mairies.")
    page.get_by_label("Problème de départ").fill("Les familles rurales sont loin d'un accueil.")
    page.get_by_label("Ce qui a été fait").fill("Douze mairies accueillent une permanence.")
    page.get_by_label("Accès aux droits").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre à validation").click()
    expect(_flash(page)).to_contain_text("soumise à validation")
    context.close()
    initiative = Initiative.objects.get(title=TITLE)
    assert initiative.status == Initiative.Status.SUBMITTED

    # Caf A's correspondent publishes it and proposes it to the criée.
    context, page = _sign_in(browser, live_server, login_as, correspondent_a)
    page.goto(base + reverse("criees:mine"))
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    assert_accessible(page)
    page.get_by_label("Publier dans le catalogue").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(_flash(page)).to_contain_text("publiée dans le catalogue")
    page.goto(criee_url)
    assert_accessible(page)
    # A type-ahead (thousands of initiatives nationally): typed words, the form resolves them.
    page.get_by_label("Initiative à proposer").fill("permanences mairie rurale")
    page.get_by_role("button", name="Proposer").click()
    expect(_flash(page)).to_contain_text("L’initiative est proposée")
    context.close()

    # The lab puts it on the programme, closes the programme and puts it on screen.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(criee_url)
    page.get_by_role("link", name=f"Programmer\u00a0: {TITLE}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Mettre au programme").click()
    programme = page.locator("#programme")
    expect(programme).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Passer au statut «\u00a0Programme arrêté\u00a0»").click()
    expect(_flash(page)).to_contain_text("Programme arrêté")
    page.goto(live_url)
    page.get_by_role("button", name=f"Mettre à l’écran\u00a0: {TITLE}").click()
    on_screen = page.locator("#a-l-ecran")
    expect(on_screen).to_contain_text(TITLE)
    assert_accessible(page)
    context.close()

    # On the live page, an agent of Caf B wants a contact: "replicate" is not theirs to say.
    agent_context, agent_page = _sign_in(browser, live_server, login_as, agent_b)
    agent_page.goto(live_url)
    on_screen = agent_page.locator("#a-l-ecran")
    expect(on_screen.get_by_role("button", name=re.compile("^Veut la reprendre"))).to_have_count(0)
    on_screen.get_by_role("button", name=re.compile("^Souhaite un contact")).click()
    expect(_flash(agent_page)).to_contain_text("Souhaite un contact")
    replicate_count = agent_page.locator("#compteurs td[data-level='replicate']").first
    expect(replicate_count).to_have_text("0")
    assert_accessible(agent_page)

    # Caf B's correspondent raises it to "wants to replicate"; the agent's counters follow.
    context, page = _sign_in(browser, live_server, login_as, correspondent_b)
    page.goto(live_url)
    page.locator("#a-l-ecran").get_by_role("button", name=re.compile("^Veut la reprendre")).click()
    expect(_flash(page)).to_contain_text("Veut la reprendre")
    assert_accessible(page)
    context.close()
    expect(replicate_count).to_have_text("1", timeout=POLL_TIMEOUT_MS)
    agent_context.close()

    # The lab promotes it into the portfolio.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(base + initiative.get_absolute_url())
    page.get_by_role("link", name="Promouvoir au portefeuille").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Promouvoir")
    expect(page.get_by_role("main")).to_contain_text("Caf du Rhône")
    assert_accessible(page)
    page.get_by_role("button", name="Créer le projet en essaimage").click()
    project = Project.objects.get(title=TITLE)
    expect(page).to_have_url(base + project.get_absolute_url())
    assert project.stage == Stage.ESSAIMAGE

    # The portfolio shows the new project, with a deployment in Caf B.
    page.goto(base + reverse("projects:index"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.goto(base + reverse("projects:deployments", kwargs={"code": project.code}))
    expect(page.get_by_role("main")).to_contain_text("Caf du Rhône")
    assert_accessible(page)
    page.goto(base + initiative.get_absolute_url())
    essaimage = page.get_by_role("region", name="Essaimage")
    expect(essaimage).to_contain_text(project.code)
    expect(essaimage).to_contain_text("Caf du Rhône")
    assert_accessible(page)
    context.close()
