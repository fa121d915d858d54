"""A partner works on their incubated project, as they would (issue 14): they sign in, open the
project from the portfolio, post a status report from its page and upload a document to its kit;
another organisation's project stays out of reach. Zero axe violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kits.models import Document
from projects.models import StatusReport
from tests.kits.factories import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


def test_a_partner_posts_a_status_report_and_uploads_a_document(
    page, live_server, login_as, assert_accessible, partner_user, incubated_project, tmp_path
):
    login_as(page, live_server, partner_user)
    page.goto(live_server.url + reverse("projects:index"))
    assert_accessible(page)
    page.get_by_role("link", name=incubated_project.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(incubated_project.title)
    # No edit of the project itself: that is its team's.
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    expect(page.locator("#titre-evaluation")).to_be_visible()
    assert_accessible(page)

    # A status report, from the project's page.
    reports = page.locator("#points-etape")
    reports.get_by_text("Ajouter un point d’étape").click()
    reports.get_by_label("À surveiller").check()
    reports.get_by_label("Où en est le projet").fill("Quinze familles rencontrées au jardin.")
    reports.get_by_label("Prochaines étapes").fill("Trouver une salle avec la commune.")
    assert_accessible(page)
    reports.get_by_role("button", name="Ajouter le point d’étape").click()
    expect(page.locator("main")).to_contain_text("Le point d’étape est enregistré")
    expect(page.locator("#points-etape")).to_contain_text("Quinze familles rencontrées au jardin.")
    assert_accessible(page)

    # A document, into the project's kit.
    page.locator("#kit").get_by_role("link", name="Ajouter un document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un document")
    assert_accessible(page)
    page.get_by_label("Type de document").select_option(label="Fiche de prototype")
    page.get_by_label("Titre").fill("Plan du jardin partagé")
    upload = tmp_path / "plan.pdf"
    upload.write_bytes(PDF)
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan du jardin partagé")
    expect(page.locator("main")).to_contain_text("Le document est ajouté (version 1).")
    assert_accessible(page)

    report = StatusReport.objects.get(project=incubated_project)
    assert (report.author, report.health) == (partner_user, "amber")
    assert Document.objects.get(project=incubated_project).created_by == partner_user
