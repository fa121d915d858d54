"""The analysis of what people wrote, walked as the lab would: from the consultation's page, it
creates the analysis, runs the theme suggestion on the open answers, accepts a theme as a
code, adds a code with a shortcut, codes answers with the keyboard (announced), checks that a
planted phone number and NIR are masked, and reads the chart per code. Zero axe violations on
every page visited."""

import pytest
from playwright.sync_api import expect

from analysis.models import Analysis, CodeAssignment, SuggestedTheme
from tests.analysis.corpus import corpus
from tests.analysis.factories import answer_texts, open_question
from tests.ecoute.factories import ConsultationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NIR_BODY = "2850675123456"
NIR = f"2 85 06 75 123 456 {97 - int(NIR_BODY) % 97:02d}"
PLANTED = f"Rappelez-moi au 06 12 34 56 78, mon numéro de sécu est {NIR}, les courriers sont flous."


def test_the_lab_suggests_themes_codes_by_keyboard_and_reads_the_chart(
    live_server, login_as, assert_accessible, page, lab_staff
):
    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    question = open_question(consultation)
    answer_texts(question, [PLANTED, *corpus(45)])

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + consultation.get_manage_url())
    page.get_by_role("link", name="Analyser les textes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Analyser les textes de la consultation"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Créer l’analyse").click()
    expect(page.get_by_text("46 textes", exact=False).first).to_be_visible()
    assert_accessible(page)

    # --- themes suggested in the background (eager in tests), one accepted as a code -------
    page.get_by_role("link", name="Thèmes suggérés").first.click()
    page.get_by_label("Nombre de thèmes à chercher").fill("3")
    page.get_by_role("button", name="Suggérer des thèmes").click()
    expect(page.get_by_role("heading", name="Thèmes à examiner")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("status").filter(has_text="Thèmes calculés")).to_be_visible()
    assert_accessible(page)
    first = page.locator("section.card").filter(has=page.get_by_role("heading", level=3)).first
    first.get_by_label("Libellé du code").fill("Joindre la Caf")
    first.get_by_role("button", name="Accepter comme code").click()
    expect(
        page.get_by_text("Le thème devient le code «\u00a0Joindre la Caf\u00a0»")
    ).to_be_visible()
    analysis = Analysis.objects.get(consultation=consultation)
    accepted = SuggestedTheme.objects.get(status=SuggestedTheme.Status.ACCEPTED)
    assert (
        CodeAssignment.objects.filter(code=accepted.code, is_suggested=True).count()
        == accepted.n_texts
    )

    # --- a code with a keyboard shortcut ---------------------------------------------------
    page.get_by_role("link", name="Grille de codes").click()
    page.get_by_label("Libellé").fill("Courriers")
    page.get_by_label("Raccourci clavier").fill("k")
    page.get_by_role("button", name="Ajouter le code").click()
    expect(page.get_by_text("Le code «\u00a0Courriers\u00a0» est ajouté.")).to_be_visible()
    assert_accessible(page)

    # --- coding by keyboard, announced -----------------------------------------------------
    page.get_by_role("link", name="Codage").click()
    page.get_by_label("Mots").fill("courriers")
    page.get_by_role("button", name="Filtrer").click()
    assert_accessible(page)
    texts = page.locator("article[data-text-url]")
    texts.first.focus()
    page.keyboard.press("k")
    live = page.locator("#annonce-codage")
    expect(live).to_contain_text("Code «\u00a0Courriers\u00a0» appliqué au texte")
    page.keyboard.press("ArrowDown")
    expect(texts.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(texts.nth(1).locator(".text-codes")).to_contain_text("Courriers")
    expect(live).to_contain_text("Code «\u00a0Courriers\u00a0» appliqué au texte")
    courriers = analysis.codes.get(label="Courriers")
    assert CodeAssignment.objects.filter(code=courriers).count() == 2

    # --- personal data masked, the original for the lab only in this view ------------------
    page.get_by_label("Données personnelles").select_option(label="En contient")
    page.get_by_role("button", name="Filtrer").click()
    article = texts.first
    expect(article.locator("blockquote")).to_contain_text("[téléphone masqué]")
    expect(article.locator("blockquote")).to_contain_text("[NIR masqué]")
    expect(article.locator("blockquote")).not_to_contain_text("06 12 34 56 78")
    article.get_by_text("Voir le texte original").click()
    expect(article.locator("details")).to_contain_text(NIR)
    assert_accessible(page)

    # --- the chart per code, with its table ---------------------------------------------------
    page.get_by_role("link", name="Résultats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats par code")
    page.get_by_text("Voir les données").click()  # the chart's table waits under it
    table = page.get_by_role("table", name="Textes par code (données du graphique)")
    expect(table.get_by_role("row", name="Courriers")).to_contain_text("2")
    expect(page.locator("svg.chart-svg")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("06 12 34 56 78")
    assert_accessible(page)
