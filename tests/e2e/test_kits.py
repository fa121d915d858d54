"""The prototyping and essaimage kit walked as its users would: the lab opens a gate review
whose kit lacks a blocking deliverable, reads it in the review's deliverables, and its "go" is
refused with the reason; the project's lead reads what is missing on the project page and
uploads the test protocol; the lab's "go" then passes. An agent of another Caf reads the fiche
d'essaimage of a promoted initiative from its page and downloads it as a PDF. Zero axe
violations on every page visited."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kits.services.guides import guide_save
from projects.models import Project, Stage
from tests.criees.factories import InitiativeFactory
from tests.e2e.conftest import new_context
from tests.kits.factories import PDF, experimentation_kit
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REFUSAL = (
    "livrables bloquants manquants pour l’étape "
    "«\u00a0Expérimentation\u00a0»\u00a0: Protocole de test"
)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


def _sign_in(browser, live_server, login_as, user):
    context = new_context(browser)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, user)
    return context, page


def test_a_missing_blocking_deliverable_refuses_the_go_until_the_team_uploads_it(
    browser, live_server, login_as, assert_accessible, lead, lab_staff, caf_a, tmp_path
):
    experimentation_kit()
    project = ProjectFactory(lead=lead, pilot_caf=caf_a, stage=Stage.PROTOTYPE)
    review = GateReviewFactory(project=project)
    review_url = live_server.url + reverse(
        "projects:gate-review", kwargs={"code": project.code, "pk": review.pk}
    )

    # The lab reads the deliverables and decides "go": refused, with the reason.
    context, page = _sign_in(browser, live_server, login_as, lab_staff)
    page.goto(review_url)
    expect(
        page.get_by_role("heading", name="Livrables attendus vers «\u00a0Expérimentation\u00a0»")
    ).to_be_visible()
    assert_accessible(page)
    decision = page.locator("#form-decision")
    decision.get_by_label("Go", exact=True).check()
    decision.locator("#id_rationale").fill("Le prototype a convaincu.")
    expect(page.locator("#blocages-go")).to_contain_text(REFUSAL)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("main")).to_contain_text(
        "Un «\u00a0go\u00a0» malgré les blocages demande une justification écrite."
    )
    expect(decision.locator("#id_rationale")).to_have_value("Le prototype a convaincu.")
    assert_accessible(page)
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE

    # The lead sees what is missing on the project page and uploads the protocol.
    lead_context, lead_page = _sign_in(browser, live_server, login_as, lead)
    lead_page.goto(live_server.url + project.get_absolute_url())
    kit = lead_page.locator("#kit")
    expect(kit).to_contain_text("1 livrable bloquant manque")
    assert_accessible(lead_page)
    kit.get_by_role("link", name="Ajouter un document").click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Ajouter un document")
    assert_accessible(lead_page)
    lead_page.get_by_label("Type de document").select_option(label="Protocole de test")
    lead_page.get_by_label("Titre").fill("Protocole de test avec douze familles")
    upload = tmp_path / "protocole.pdf"
    upload.write_bytes(PDF)
    lead_page.get_by_label("Fichier").set_input_files(str(upload))
    lead_page.get_by_role("button", name="Ajouter le document").click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text(
        "Protocole de test avec douze familles"
    )
    expect(lead_page.locator("main")).to_contain_text("Le document est ajouté (version 1).")
    assert_accessible(lead_page)
    lead_page.goto(live_server.url + project.get_absolute_url())
    expect(lead_page.locator("#kit")).not_to_contain_text("livrable bloquant manque")
    lead_context.close()

    # The lab decides "go" again: it passes.
    page.goto(review_url)
    decision = page.locator("#form-decision")
    decision.get_by_label("Go", exact=True).check()
    decision.locator("#id_rationale").fill("Le protocole est là.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("body")).to_contain_text("Décidée")
    assert_accessible(page)
    context.close()
    assert Project.objects.get(pk=project.pk).stage == Stage.EXPERIMENTATION


def test_a_caf_reads_the_fiche_of_a_promoted_initiative_and_downloads_it(
    browser, live_server, login_as, assert_accessible, agent_b, lab_staff, caf_a
):
    project = ProjectFactory(lead=lab_staff, stage=Stage.ESSAIMAGE)
    initiative = InitiativeFactory(caf=caf_a, project=project, title="Accueil sans attente")
    guide_save(
        holder=initiative,
        by=lab_staff,
        fields={
            "prerequisites": "Un agent volant formé à l’orientation.",
            "not_adaptable": "L’accueil dès l’entrée.",
        },
    )
    context, page = _sign_in(browser, live_server, login_as, agent_b)
    page.goto(live_server.url + initiative.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Lire la fiche d’essaimage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fiche d’essaimage\u00a0: Accueil sans attente"
    )
    expect(page.locator("main")).to_contain_text("Un agent volant formé à l’orientation.")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la fiche (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"fiche-essaimage-initiative-{initiative.pk}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_role("link", name="Déclarer l’intérêt de votre Caf").click()
    expect(page.get_by_role("heading", name="L’intérêt des Caf")).to_be_visible()
    context.close()
