"""Impact reports, walked as a project lead would: from the project page they ask for a report,
see it ready (tasks run eagerly in tests), read the HTML report in the site and download its
PDF, whose text has the report's headings. Zero axe violations on every page visited."""

import io

import pypdf
import pytest
from playwright.sync_api import expect

from evaluation.models import ImpactReport
from tests.evaluation.factories import evaluated_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADINGS = [
    "Synthèse",
    "Contexte et théorie du changement",
    "Méthode et niveau de preuve",
    "Indicateurs : référence, cible et résultats",
    "Résultats par Caf",
    "Témoignages",
    "Ce que disent les témoignages et les enquêtes",
    "Effets négatifs et inattendus",
    "Transition écologique",
    "Jugements par critère",
    "Recommandations",
]


def test_a_lead_requests_reads_and_downloads_an_impact_report(
    live_server, login_as, assert_accessible, page
):
    project = evaluated_project()
    login_as(page, live_server, project.lead)
    page.goto(live_server.url + project.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("button", name="Générer un rapport d’impact").click()

    report = ImpactReport.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    expect(page.locator("#rapport-etat")).to_contain_text("Prêt")
    for heading in HEADINGS:
        expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("avant même que je pense à faire la demande")).to_be_visible()
    expect(page.get_by_text("Témoignage confidentiel")).to_have_count(0)
    assert_accessible(page)

    link = page.get_by_role("link", name="Télécharger le PDF")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == (
        f"rapport-impact-{project.code}-{report.created_at.date().isoformat()}.pdf"
    )
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    with open(download.path(), "rb") as pdf:
        reader = pypdf.PdfReader(io.BytesIO(pdf.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for heading in HEADINGS:
        assert heading in text, heading
    assert "Taux d'ouverture des droits" in text

    page.get_by_role("button", name="Publier pour les agents du réseau").click()
    expect(page.get_by_text("Publié\u00a0: lisible par les agents du réseau.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tous les rapports du projet").click()
    expect(page.get_by_role("link", name=report.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Recommandations et réponses de la direction").click()
    expect(page.get_by_text("Former les agents à l'appel sortant.")).to_be_visible()
    assert_accessible(page)


def test_the_lab_reads_the_spread_of_a_project_in_its_impact_report(
    live_server, login_as, assert_accessible, page, lab_staff, tmp_path
):
    """A project deployed in three Caf (one running with two adaptations, one declined): the
    lab opens its impact report from the project's reports and sees the map, the deployments
    with their local lead and latest measurements, and the adaptation log."""
    from evaluation.services.reports import report_request
    from tests.evaluation.factories import spread_project

    project = evaluated_project()
    spread_project(project, by=lab_staff)
    report = report_request(project=project, by=project.lead)  # built at once (eager tasks)

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + project.get_absolute_url())
    page.get_by_role("link", name="Tous les rapports").click()
    page.get_by_role("link", name=report.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)

    page.get_by_role("link", name="Essaimage\u00a0: déploiements et adaptations").click()
    section = page.locator("#essaimage")
    expect(section.get_by_role("heading", level=2)).to_have_text(
        "Essaimage\u00a0: déploiements et adaptations"
    )
    expect(section.get_by_role("img", name=f"Où {project.code} est déployé")).to_be_visible()
    deployments = section.get_by_role("table", name="Déploiements par Caf")
    rhone = deployments.get_by_role("row").filter(has_text="Caf du Rhône")
    expect(rhone).to_contain_text("En fonctionnement")
    expect(rhone).to_contain_text("Léa Ferrand")
    expect(rhone).to_contain_text("Taux d'ouverture des droits\u00a0: 47 %")
    expect(deployments.get_by_role("row").filter(has_text="Renoncement")).to_contain_text(
        "Pas d'agent disponible cette année."
    )
    log = section.get_by_role("table", name="Ce que chaque Caf a changé au modèle")
    expect(log.get_by_role("row")).to_have_count(3)  # its heading row and two adaptations
    sms = log.get_by_role("row").filter(has_text="Rendez-vous par SMS au lieu d'un appel.")
    expect(sms).to_contain_text("Trop d'appels sans réponse.")
    expect(sms).to_contain_text("Réactive")
    expect(sms).to_contain_text("Écart au modèle")
    section.screenshot(path=str(tmp_path / "essaimage.png"))
    assert_accessible(page)


def test_without_an_evaluation_plan_the_lead_is_sent_to_create_one(
    live_server, login_as, assert_accessible, page, lead, caf_a
):
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(lead=lead, pilot_caf=caf_a)
    login_as(page, live_server, lead)
    page.goto(live_server.url + project.get_absolute_url())
    expect(page.get_by_role("button", name="Générer un rapport d’impact")).to_have_count(0)
    page.get_by_role("link", name="Tous les rapports").click()
    notice = page.get_by_test_id("rapport-sans-plan")
    expect(notice).to_contain_text("ce projet n’a pas de plan d’évaluation")
    assert_accessible(page)
    notice.get_by_role("link", name="Créer le plan d’évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Créer le plan d’évaluation")
    assert not ImpactReport.objects.exists()
