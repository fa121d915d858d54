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
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
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
    expect(page.get_by_text("Publié : lisible par les agents du réseau.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tous les rapports du projet").click()
    expect(page.get_by_role("link", name=report.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Recommandations et réponses de la direction").click()
    expect(page.get_by_text("Former les agents à l'appel sortant.")).to_be_visible()
    assert_accessible(page)
