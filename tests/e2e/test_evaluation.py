"""The issue's walk in one go, as a project lead would do it: define two indicators with their
baseline and target, enter measurements for two Caf, invite stakeholders to a survey that one
of them answers (with the keyboard, from the e-mailed link), record a negative effect, generate
the impact report, wait for it to be ready and open its PDF. Zero axe violations on every page.

The parts are walked in more detail by test_evaluation_indicators, _participation and _reports;
this test checks they hold together: the report shows what was entered along the way."""

import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import ImpactReport
from projects.models import Deployment, Stage
from tests.e2e.conftest import new_context
from tests.e2e.test_evaluation_indicators import _define_indicator, _measure
from tests.e2e.test_evaluation_participation import LINK, tab_to
from tests.projects.factories import DeploymentFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_lead_evaluates_an_innovation_from_indicators_to_the_pdf_report(
    browser,
    page,
    live_server,
    login_as,
    assert_accessible,
    agent_a,
    caf_a,
    caf_b,
    mailoutbox,
    settings,
):
    settings.SITE_URL = live_server.url
    project = ProjectFactory(
        title="Accueil sans rendez-vous repensé",
        lead=agent_a,
        pilot_caf=caf_a,
        stage=Stage.ESSAIMAGE,
    )
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    login_as(page, live_server, agent_a)

    # --- the plan, two indicators with baseline and target, measurements in two Caf ----------
    page.goto(live_server.url + project.get_absolute_url())
    page.get_by_role("link", name="Créer le plan d’évaluation").click()
    page.get_by_label(re.compile(r"Objet de l.évaluation")).fill(
        "L'accueil en flux réduit-il l'attente sans dégrader la réponse ?"
    )
    page.get_by_role("button", name="Enregistrer le plan").click()
    expect(page.locator("body")).to_contain_text("Le plan d’évaluation est enregistré.")
    assert_accessible(page)
    indicators = reverse("evaluation:indicator-list", kwargs={"code": project.code})
    page.goto(live_server.url + indicators)
    _define_indicator(
        page,
        name="Temps d'attente moyen",
        unit="minutes",
        category="Qualité de service",
        baseline="38",
        target="15",
    )
    _measure(page, caf="Caf de l'Isère", period="2026-02-15", value="31,5")
    _measure(page, caf="Caf du Rhône", period="2026-02-15", value="35")
    assert_accessible(page)
    page.goto(live_server.url + indicators)
    _define_indicator(
        page,
        name="Déplacements évités",
        unit="km",
        category="Environnemental",
        baseline="0",
        target="12000",
    )
    _measure(page, caf="Caf de l'Isère", period="2026-03-01", value="900")
    _measure(page, caf="Caf du Rhône", period="2026-03-01", value="1 250")
    assert_accessible(page)

    # --- a survey with one question, a wave, two invitations; one stakeholder answers ---------
    page.goto(live_server.url + reverse("evaluation:surveys", kwargs={"code": project.code}))
    page.get_by_role("link", name="Créer une enquête").click()
    page.get_by_label("Titre").fill("Votre passage à l'accueil")
    page.get_by_role("button", name="Créer l’enquête").click()
    page.get_by_role("link", name="Ajouter une question").click()
    page.get_by_label("Choix unique").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Question posée").fill("Avez-vous attendu moins qu'avant ?")
    page.get_by_label("Réponse obligatoire").check()
    page.locator("#id_options-0-label").fill("Oui")
    page.locator("#id_options-1-label").fill("Non")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("body")).to_contain_text("La question est enregistrée.")
    page.get_by_role("link", name="Ouvrir une vague").click()
    today = timezone.localdate()
    page.get_by_role("combobox", name=re.compile("^Vague")).select_option("after")
    page.get_by_label("Ouverture").fill(today.isoformat())
    page.get_by_label("Clôture").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Ouvrir la vague").click()
    page.get_by_role("link", name=re.compile("^Inviter")).click()
    page.get_by_label("Adresses électroniques").fill(
        "usager.un@example.org\nusager.deux@example.org"
    )
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.locator("body")).to_contain_text("2 invitation(s) envoyée(s).")
    assert_accessible(page)

    mail = next(m for m in mailoutbox if m.to == ["usager.un@example.org"])
    context = new_context(browser)
    context.set_default_timeout(10_000)
    visitor = context.new_page()
    visitor.goto(LINK.search(mail.body).group(1))
    yes = visitor.get_by_label("Oui", exact=True)
    tab_to(visitor, yes)
    visitor.keyboard.press("Space")
    tab_to(visitor, visitor.get_by_role("button", name="Envoyer mes réponses"))
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
    assert_accessible(visitor)
    context.close()

    # --- a negative effect ------------------------------------------------------------------
    page.goto(live_server.url + reverse("evaluation:effects", kwargs={"code": project.code}))
    page.get_by_role("link", name="Signaler un effet").click()
    page.get_by_label("Négatif attendu").check()
    page.get_by_label("Description").fill(
        "Les personnes sans smartphone attendent plus longtemps qu'avant."
    )
    page.get_by_label("Qui est concerné").fill("Personnes éloignées du numérique")
    page.get_by_label("Modérée").check()
    page.get_by_label("Probable").check()
    page.get_by_label(re.compile("Mesures d.atténuation")).fill(
        "Un agent d'accueil dédié aux personnes sans smartphone."
    )
    page.get_by_role("button", name="Inscrire l’effet au registre").click()
    expect(page.locator("body")).to_contain_text("L’effet est inscrit au registre.")
    assert_accessible(page)

    # --- the impact report, from the project page, then its PDF -------------------------------
    page.goto(live_server.url + project.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("button", name="Générer un rapport d’impact").click()
    report = ImpactReport.objects.get(project=project)
    expect(page.locator("#rapport-etat")).to_contain_text("Prêt")
    expect(
        page.get_by_role("heading", level=2, name="Effets négatifs et inattendus")
    ).to_be_visible()
    assert_accessible(page)
    link = page.get_by_role("link", name="Télécharger le PDF")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert report.title in text
    for expected in (
        "Temps d'attente moyen",
        "Déplacements évités",
        "Caf du Rhône",
        "Les personnes sans smartphone attendent plus longtemps qu'avant.",
        "Un agent d'accueil dédié aux personnes sans smartphone.",
    ):
        assert expected in text, expected
