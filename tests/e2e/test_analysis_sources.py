"""The comments on a criée's initiatives analysed, walked as the lab would: from the criée's
page it starts the analysis ("Analyser les commentaires"), creates it, finds the shown comments
in the coding list (a hidden one is not there, a phone number is masked) and filters them by a
word, accents ignored. Zero axe violations on every page visited."""

import pytest
from playwright.sync_api import expect

from analysis.models import Analysis
from caflab.engagement.models import CommentStatus
from criees.analysis_sources import COMMENTS
from tests.criees.factories import CommentFactory, CrieeFactory, InitiativeFactory, PitchFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMENTS_SHOWN = [
    "Nous aimerions échanger avec votre équipe sur l’accueil sans rendez-vous.",
    "Combien d’agents ont été mobilisés la première année ?",
    "Très inspirant : appelez-moi au 06 12 34 56 78 pour échanger.",
]
HIDDEN = "Commentaire masqué par la modération."


def test_the_lab_analyses_a_criees_comments_from_its_page(
    live_server, login_as, assert_accessible, page, lab_staff, agent_b, caf_a
):
    criee = CrieeFactory(title="Criée de l’accueil")
    initiative = InitiativeFactory(caf=caf_a, title="Accueil sans rendez-vous")
    PitchFactory(criee=criee, initiative=initiative)
    for text in COMMENTS_SHOWN:
        CommentFactory(initiative=initiative, author=agent_b, text=text)
    CommentFactory(initiative=initiative, author=agent_b, text=HIDDEN, status=CommentStatus.HIDDEN)

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + criee.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Analyser les commentaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Analyser les textes\u00a0: Commentaires des initiatives d’une criée"
    )
    expect(page.get_by_text("3 textes à analyser")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Créer l’analyse").click()
    expect(page.get_by_text("L’analyse est créée.")).to_be_visible()
    analysis = Analysis.objects.get(source=COMMENTS, subject_id=criee.pk)
    assert analysis.n_texts == 3

    # --- the texts in the coding list: shown comments only, personal data masked ------------
    page.get_by_role("link", name="Codage", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codage des textes")
    texts = page.locator("article[data-text-url]")
    expect(texts).to_have_count(3)
    expect(page.locator("main")).not_to_contain_text(HIDDEN)
    expect(page.locator("main")).to_contain_text("[téléphone masqué]")
    expect(texts.first).to_contain_text("Commentaire")
    assert_accessible(page)

    # --- filtered by a word, accents ignored ----------------------------------------------
    page.get_by_label("Mots").fill("echanger")
    page.get_by_role("button", name="Filtrer").click()
    expect(texts).to_have_count(2)
    expect(page.get_by_text("2 textes trouvés")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Combien d’agents")
    assert_accessible(page)
