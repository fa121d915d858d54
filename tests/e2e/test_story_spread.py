"""Issue 13, story (b), walked as its users would: an initiative of Caf A is on screen at a criée;
the correspondents of three other Caf each say "we want to replicate it" from the live page;
the lab promotes it into the portfolio (a deployment per Caf that wants it); Caf 69's
correspondent starts it and logs what they changed to the model; the lab asks for the impact
report, which shows the three deployments and that adaptation. Zero axe violations on every
page visited."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from caflab.network.models import Caf
from criees.models import Criee, Pitch
from criees.services.criees import criee_advance, criee_set_current, pitch_propose, pitch_schedule
from evaluation.models import ImpactReport
from projects.models import Deployment, Project, Stage
from tests.accounts.factories import UserFactory
from tests.criees.factories import CrieeFactory, InitiativeFactory
from tests.e2e.conftest import new_context
from tests.evaluation.factories import EvaluationPlanFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Ateliers numériques pour les parents"
WANTING = ("69", "73", "01")  # Rhône, Savoie, Ain


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def on_screen(lab_staff):
    """The initiative (Caf 38), on the programme of a criée whose programme is closed, on
    screen."""
    initiative = InitiativeFactory(title=TITLE)
    criee = CrieeFactory(title="Criée du numérique", status=Criee.Status.OPEN)
    pitch = pitch_propose(criee=criee, initiative=initiative, by=lab_staff)
    pitch_schedule(pitch=pitch, by=lab_staff)
    criee_advance(criee=criee, by=lab_staff, to_status=Criee.Status.CLOSED)
    criee_set_current(criee=criee, by=lab_staff, pitch=Pitch.objects.get(pk=pitch.pk))
    return initiative, criee


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def _flash(page):
    return page.get_by_role("alert").or_(page.get_by_role("status")).first


def test_an_initiative_wanted_by_three_caf_is_spread_and_its_report_shows_where_and_how(
    browser, live_server, login_as, assert_accessible, lab_staff, on_screen
):
    initiative, criee = on_screen
    base = live_server.url
    correspondents = {
        code: UserFactory(
            email=f"correspondant@caf{code}.example",
            role=Role.CORRESPONDENT,
            caf=Caf.objects.get(code=code),
        )
        for code in WANTING
    }

    # Three Caf want to replicate it, each said by its correspondent on the live page.
    for code, correspondent in correspondents.items():
        context, page = _sign_in(browser, live_server, login_as, correspondent)
        page.goto(base + reverse("criees:live", kwargs={"pk": criee.pk}))
        on_air = page.locator("#a-l-ecran")
        expect(on_air).to_contain_text(TITLE)
        on_air.get_by_role("button", name=re.compile("^Veut la reprendre")).click()
        expect(_flash(page)).to_contain_text("Veut la reprendre")
        if code == WANTING[0]:
            assert_accessible(page)
        context.close()

    # The lab promotes it: one deployment per Caf that wants it.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(base + initiative.get_absolute_url())
    page.get_by_role("link", name="Promouvoir au portefeuille").click()
    main = page.get_by_role("main")
    for name in ("Caf du Rhône", "Caf de la Savoie", "Caf de l'Ain"):
        expect(main).to_contain_text(re.compile(name.replace("'", "['’]")))
    assert_accessible(page)
    page.get_by_role("button", name="Créer le projet en essaimage").click()
    project = Project.objects.get(title=TITLE)
    expect(page).to_have_url(base + project.get_absolute_url())
    assert project.stage == Stage.ESSAIMAGE
    assert set(project.deployments.values_list("caf__code", flat=True)) == set(WANTING)
    context.close()

    # Caf 69's correspondent starts it and logs what they changed to the model.
    rhone = Deployment.objects.get(project=project, caf__code="69")
    context, page = _sign_in(browser, live_server, login_as, correspondents["69"])
    page.goto(base + reverse("projects:deployments", kwargs={"code": project.code}))
    assert_accessible(page)
    page.goto(base + reverse("projects:deployment", kwargs={"pk": rhone.pk}))
    for status in ("En préparation", "En fonctionnement"):
        page.get_by_label("Nouveau statut").select_option(label=status)
        page.get_by_role("button", name="Changer le statut").click()
        expect(page.get_by_role("main")).to_contain_text(f"{status}, depuis le")
    form = page.locator("#form-adaptation")
    form.get_by_label("Ce qui a été changé").fill("Ateliers le mercredi après-midi.")
    form.get_by_label("Pourquoi").fill("Les parents viennent avec leurs enfants.")
    form.get_by_label("Réactive").check()
    form.get_by_label("S’écarte du modèle").check()
    form.get_by_role("button", name="Ajouter l’adaptation").click()
    expect(page.get_by_role("table").filter(has_text="Ateliers le mercredi")).to_be_visible()
    assert_accessible(page)
    context.close()

    # The lab asks for the impact report: the spread is in it.
    EvaluationPlanFactory(project=project)
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(base + project.get_absolute_url())
    page.get_by_role("button", name="Générer un rapport d’impact").click()
    report = ImpactReport.objects.get(project=project)
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    section = page.locator("#essaimage")
    deployments = section.get_by_role("table", name="Déploiements par Caf")
    expect(deployments.get_by_role("row")).to_have_count(1 + len(WANTING))
    expect(deployments.get_by_role("row").filter(has_text="Caf du Rhône")).to_contain_text(
        "En fonctionnement"
    )
    log = section.get_by_role("table", name="Ce que chaque Caf a changé au modèle")
    adaptation = log.get_by_role("row").filter(has_text="Ateliers le mercredi après-midi.")
    expect(adaptation).to_contain_text("Les parents viennent avec leurs enfants.")
    expect(adaptation).to_contain_text("Réactive")
    assert_accessible(page)
    context.close()
