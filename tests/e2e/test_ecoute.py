"""La Caf à votre écoute, walked as its users would: the lab builds a questionnaire with a
conditional question and publishes it; an anonymous citizen answers with the keyboard only;
a second answer from the same browser is refused; the lab sees the chart and downloads the
export. Zero axe violations on every page visited."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from ecoute.models import Consultation, Response
from tests.e2e.conftest import new_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Vos démarches sur caf.fr"
QUESTION = "Avez-vous trouvé l’information cherchée ?"
FOLLOW_UP = "Qu’est-ce qui vous a manqué ?"
MISSING = "Le montant de ma prochaine aide"


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def tab_to(page: Page, locator, *, limit: int = 60) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{locator} never got the focus with Tab")


def new_page(browser) -> tuple:
    context = new_context(browser)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_staff_build_and_publish_a_citizen_answers_by_keyboard_staff_read_and_export(
    browser, live_server, login_as, assert_accessible, page, lab_staff
):
    # --- the lab creates the consultation --------------------------------------------------
    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + reverse("ecoute:create"))
    assert_accessible(page)
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Résumé").fill("Dites-nous si vous trouvez ce que vous cherchez.")
    page.get_by_label("Les usagers", exact=True).check()
    page.get_by_label("Publique\u00a0: ouverte à tous").check()
    page.get_by_label("Réponses anonymes").check()
    now = timezone.now()
    page.get_by_label("Ouverture").fill(local(now - datetime.timedelta(hours=1)))
    page.get_by_label("Clôture").fill(local(now + datetime.timedelta(days=30)))
    page.get_by_label("Finalité").fill("Améliorer le site caf.fr.")
    page.get_by_label("Contact pour vos droits").fill("dpo@caf.example")
    page.get_by_role("button", name="Créer la consultation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaire")
    assert_accessible(page)

    # --- a single-choice question ---------------------------------------------------------
    page.get_by_role("link", name=re.compile("^Ajouter une question")).click()
    assert_accessible(page)
    page.get_by_label("Choix unique").check()
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)
    page.get_by_label("Question posée").fill(QUESTION)
    page.get_by_label("Réponse obligatoire").check()
    page.locator("#id_options-0-label").fill("Oui")
    page.locator("#id_options-1-label").fill("Non")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("body")).to_contain_text("La question est enregistrée.")

    # --- a long text shown only if the answer is "Non" ------------------------------------
    page.get_by_role("link", name=re.compile("^Ajouter une question")).click()
    page.get_by_label("Texte long").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Question posée").fill(FOLLOW_UP)
    page.get_by_label("Afficher cette question seulement selon la réponse à").select_option(
        label=QUESTION
    )
    page.get_by_label("Condition").select_option(label="est égale à")
    page.get_by_label("Réponse attendue (question à choix)").select_option(
        label=f"{QUESTION} → Non"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("body")).to_contain_text("Affichée seulement si")
    assert_accessible(page)

    # --- preview, then publish --------------------------------------------------------------
    page.get_by_role("link", name="Aperçu comme un répondant").click()
    expect(page.locator("body")).to_contain_text("rien de ce que vous saisissez n’est enregistré")
    assert_accessible(page)
    consultation = Consultation.objects.get(title=TITLE)
    page.goto(live_server.url + consultation.get_manage_url())
    assert_accessible(page)
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("body")).to_contain_text("Statut de la consultation\u00a0: ouverte.")

    # --- an anonymous citizen answers with the keyboard only ---------------------------------
    context, visitor = new_page(browser)
    visitor.goto(live_server.url + consultation.get_absolute_url())
    assert_accessible(visitor)
    tab_to(visitor, visitor.get_by_role("link", name="Répondre au questionnaire"))
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator("body")).to_contain_text("Section 1 sur 1")
    expect(visitor.locator("body")).to_contain_text("Votre réponse est anonyme")
    follow_up = visitor.get_by_label(re.compile(re.escape(FOLLOW_UP)))
    expect(follow_up).to_be_hidden()  # hidden live until "Non"
    assert_accessible(visitor)
    yes = visitor.get_by_label("Oui", exact=True)
    tab_to(visitor, yes)
    visitor.keyboard.press("Space")
    expect(yes).to_be_checked()
    visitor.keyboard.press("ArrowDown")  # a radio group: the arrows move the choice
    expect(visitor.get_by_label("Non", exact=True)).to_be_checked()
    expect(follow_up).to_be_visible()
    visitor.keyboard.press("Tab")
    expect(follow_up).to_be_focused()
    visitor.keyboard.type(MISSING)
    assert_accessible(visitor)
    tab_to(visitor, visitor.get_by_role("button", name="Envoyer mes réponses"))
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    assert_accessible(visitor)

    # --- a second answer from the same browser is refused ----------------------------------
    visitor.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vous avez déjà répondu")
    assert_accessible(visitor)
    context.close()
    stored = Response.objects.get(questionnaire__consultation=consultation)
    assert stored.is_anonymous
    assert stored.respondent_id is None

    # --- the lab reads the chart and downloads the export ------------------------------------
    page.goto(live_server.url + reverse("ecoute:results", kwargs={"pk": consultation.pk}))
    chart = page.locator("svg.chart-svg").first
    expect(chart).to_be_visible()
    expect(page.locator("table.chart-table").first).to_contain_text("Non")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Lire les réponses écrites")).click()
    expect(page.locator("body")).to_contain_text(MISSING)
    assert_accessible(page)

    page.goto(live_server.url + consultation.get_manage_url())
    page.get_by_role("button", name="Exporter les réponses (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export des réponses")
    link = page.get_by_role("link", name="Télécharger l’export (CSV)")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as exported:
        content = exported.read()
    assert QUESTION in content
    assert MISSING in content
