"""The pages of issue 18's second part, walked in the browser with zero axe violations: the lab
publishes a codebook to the shared library and a new analysis copies it; the sample is drawn
and coded blind by two people; the agreement per code is read; an export of the coded texts is
asked for, followed and downloaded."""

import pytest
from playwright.sync_api import expect

from analysis.models import AnalysisExport, BlindCoding
from analysis.services import code_create
from analysis.services.agreement import blind_coding_save
from tests.analysis.corpus import SUBJECTS
from tests.analysis.factories import analysis_of, answer_texts, open_question
from tests.ecoute.factories import ConsultationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lab_shares_a_codebook_measures_agreement_and_exports(
    live_server,
    login_as,
    assert_accessible,
    page,
    lab_staff,
    correspondent_a,
):
    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    answer_texts(open_question(consultation), SUBJECTS["courriers"] + SUBJECTS["horaires"][:1])
    analysis = analysis_of(consultation, lab_staff)
    attente = code_create(analysis=analysis, label="Attente", shortcut="a")
    code_create(analysis=analysis, label="Courriers", shortcut="c")

    login_as(page, live_server, lab_staff)
    # --- the shared library ---------------------------------------------------------------
    page.goto(live_server.url + f"/analyse/{analysis.pk}/codes/")
    page.get_by_label("Titre dans la bibliothèque").fill("Grille accueil")
    page.get_by_role("button", name="Publier dans la bibliothèque").click()
    published = page.get_by_text("La grille «\u00a0Grille accueil\u00a0» est dans la bibliothèque")
    expect(published).to_be_visible()
    assert_accessible(page)
    other = ConsultationFactory(title="Les courriers", owner=lab_staff)
    answer_texts(open_question(other), ["Un courrier"])
    target = analysis_of(other, lab_staff)
    page.goto(live_server.url + f"/analyse/{target.pk}/codes/")
    # A type-ahead picker (the library may hold hundreds): typing suggests, the title copies.
    picker = page.get_by_label("Copier une grille de la bibliothèque du CafLab")
    picker.fill("accueil")
    expect(page.locator("#id_codebook-suggestions option")).to_have_count(1)
    picker.fill("Grille accueil")
    page.get_by_role("button", name="Copier cette grille").click()
    expect(page.get_by_text("2 codes copiés.")).to_be_visible()

    # --- the sample, coded blind ----------------------------------------------------------------
    page.goto(live_server.url + f"/analyse/{analysis.pk}/")
    page.get_by_role("link", name="Accord entre codeurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accord entre codeurs")
    assert_accessible(page)
    page.get_by_label("Nombre de textes à tirer au sort").fill("6")
    page.get_by_role("button", name="Tirer l’échantillon au sort").click()
    expect(page.get_by_text("6 textes tirés au sort pour le double codage.")).to_be_visible()
    page.get_by_role("link", name="Coder l’échantillon en aveugle").click()
    first = page.locator("article").first
    first.get_by_label("Attente").check()
    first.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("codé.", exact=False).first).to_be_visible()
    assert_accessible(page)
    coded = BlindCoding.objects.get(coder=lab_staff)
    assert list(coded.codes.all()) == [attente]
    for text in analysis.texts.filter(in_sample=True):
        if text.pk != coded.text_id:
            blind_coding_save(text=text, coder=lab_staff, codes=[])
        blind_coding_save(text=text, coder=correspondent_a, codes=[attente])

    page.get_by_role("link", name="Voir l’accord entre codeurs").click()
    table = page.get_by_role("table", name="Accord entre les deux codeurs, par code")
    expect(table.get_by_role("row", name="Attente")).to_contain_text("accord faible")
    expect(page.get_by_role("heading", name="Désaccords à régler")).to_be_visible()
    assert_accessible(page)

    # --- the export, built in the background (eager in tests) -----------------------------
    page.get_by_role("link", name="Résultats").click()
    page.get_by_role("button", name="Exporter les textes codés (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export des textes codés")
    expect(page.get_by_role("status")).to_contain_text("L’export est prêt\u00a0: 6 textes.")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l’export (CSV)").click()
    assert download.value.suggested_filename.startswith("analyse-votre-accueil-a-la-caf-")
    assert AnalysisExport.objects.get().status == "ready"
