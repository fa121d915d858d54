"""Participatory evaluation, walked as its users would: a project's lead builds a stakeholder
survey with two questions, opens a "before" wave and invites two stakeholders by e-mail; one
invitee follows the link from the e-mail and answers with the keyboard only, without an
account; the lead records a severe negative effect and sees it on the project page. Zero axe
violations on every page visited."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from caflab.accounts.models import Role
from evaluation.models import Effect, SurveyInvitation, SurveyWaveResponse
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINK = re.compile(r"(http://\S+/evaluation/repondre/[^/\s]+/)")


def tab_to(page: Page, locator, *, limit: int = 60) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{locator} never got the focus with Tab")


def test_lead_surveys_stakeholders_an_invitee_answers_and_a_severe_effect_shows(
    browser, live_server, login_as, assert_accessible, page, caf_a, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    lead = UserFactory(email="porteuse@caf38.example", role=Role.AGENT, caf=caf_a)
    project = ProjectFactory(lead=lead, title="Rendez-vous des droits à la naissance")

    # --- the lead creates the survey -----------------------------------------------------------
    login_as(page, live_server, lead)
    page.goto(live_server.url + reverse("evaluation:surveys", kwargs={"code": project.code}))
    assert_accessible(page)
    page.get_by_role("link", name="Créer une enquête").click()
    assert_accessible(page)
    page.get_by_label("Titre").fill("Votre connaissance de vos droits")
    page.get_by_role("button", name="Créer l’enquête").click()
    expect(page.locator("body")).to_contain_text("ajoutez ses questions")
    assert_accessible(page)

    # --- two questions, with écoute's builder forms ----------------------------------------------
    page.get_by_role("link", name="Ajouter une question").click()
    assert_accessible(page)
    page.get_by_label("Choix unique").check()
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)
    page.get_by_label("Question posée").fill("Connaissez-vous vos droits ?")
    page.get_by_label("Réponse obligatoire").check()
    page.locator("#id_options-0-label").fill("Oui")
    page.locator("#id_options-1-label").fill("Non")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("body")).to_contain_text("La question est enregistrée.")

    page.get_by_role("link", name="Ajouter une question").click()
    page.get_by_label("Texte court").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Question posée").fill("Que faudrait-il améliorer ?")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("body")).to_contain_text("Que faudrait-il améliorer ?")
    assert_accessible(page)

    # --- a "before" wave, and two invitations -------------------------------------------------
    page.get_by_role("link", name="Ouvrir une vague").click()
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_role("combobox", name=re.compile("^Vague")).select_option("before")
    page.get_by_label("Ouverture").fill(today.isoformat())
    page.get_by_label("Clôture").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Ouvrir la vague").click()
    expect(page.locator("body")).to_contain_text("La vague est ouverte")
    page.get_by_role("link", name=re.compile("^Inviter")).click()
    assert_accessible(page)
    page.get_by_label("Adresses électroniques").fill(
        "famille.martin@example.org\nfamille.diallo@example.org"
    )
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.locator("body")).to_contain_text("2 invitation(s) envoyée(s).")
    assert_accessible(page)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "famille.diallo@example.org",
        "famille.martin@example.org",
    ]

    # --- an invitee follows the link and answers with the keyboard ------------------------------
    mail = next(m for m in mailoutbox if m.to == ["famille.martin@example.org"])
    link = LINK.search(mail.body).group(1)
    context = new_context(browser)
    context.set_default_timeout(10_000)
    visitor = context.new_page()
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Votre connaissance de vos droits")
    assert_accessible(visitor)
    yes = visitor.get_by_label("Oui", exact=True)
    tab_to(visitor, yes)
    visitor.keyboard.press("Space")
    expect(yes).to_be_checked()
    improve = visitor.get_by_label(re.compile("Que faudrait-il améliorer"))
    tab_to(visitor, improve)
    visitor.keyboard.type("Des rendez-vous le samedi.")
    tab_to(visitor, visitor.get_by_role("button", name="Envoyer mes réponses"))
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
    assert_accessible(visitor)
    # the link served once: a second visit says so; the address is erased
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vous avez déjà répondu")
    assert_accessible(visitor)
    context.close()
    assert SurveyWaveResponse.objects.count() == 1
    assert SurveyInvitation.objects.filter(email="").count() == 1

    # --- the lead records a severe negative effect and sees it on the project page --------------
    page.goto(live_server.url + reverse("evaluation:effects", kwargs={"code": project.code}))
    assert_accessible(page)
    page.get_by_role("link", name="Signaler un effet").click()
    page.wait_for_url(re.compile(r"/effets/signaler/$"))
    assert_accessible(page)
    page.get_by_label("Négatif inattendu").check()
    page.get_by_label("Description").fill(
        "La convocation inquiète des familles, qui croient à un contrôle."
    )
    page.get_by_label("Qui est concerné").fill("Familles monoparentales")
    page.get_by_label("Grave").check()
    page.get_by_label("Probable").check()
    page.get_by_role("button", name="Inscrire l’effet au registre").click()
    expect(page.locator("body")).to_contain_text("L’effet est inscrit au registre.")
    assert_accessible(page)
    assert Effect.objects.blocking().filter(project=project).count() == 1
    page.goto(live_server.url + project.get_absolute_url())
    panel = page.locator("#evaluation-participation")
    expect(panel).to_contain_text("1 effet négatif grave ouvert")
    expect(panel).to_contain_text("La convocation inquiète des familles")
    assert_accessible(page)
