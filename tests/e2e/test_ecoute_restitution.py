"""Écoute phase 2, walked as its users would: a visitor answers and leaves an e-mail to hear
back; the lab closes the consultation, writes the restitution, previews and publishes it; the
visitor is e-mailed once and reads "vous avez dit, nous avons fait". Then a visitor registers
for a full workshop and lands on the waiting list, and the lab reads the registrations. Zero axe
violations on every page visited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ecoute.models import Consultation, Question, Registration
from tests.e2e.test_ecoute import new_page
from tests.ecoute.factories import (
    ConsultationFactory,
    QuestionFactory,
    RecruitmentFactory,
    RegistrationFactory,
    eligibility_question,
    first_section,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ADDRESS = "camille.visiteuse@example.org"
DONE = "Un accueil sans rendez-vous le samedi matin, testé dès janvier."


def test_a_respondent_hears_back_when_the_lab_publishes_the_restitution(
    browser, live_server, login_as, assert_accessible, page, lab_staff, mailoutbox
):
    consultation = ConsultationFactory(
        title="Votre accueil le samedi",
        slug="accueil-samedi",
        owner=lab_staff,
        allow_anonymous=True,
    )
    QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        label="Viendriez-vous le samedi ?",
        is_required=True,
        options=["Oui", "Non"],
    )

    # --- a visitor answers and leaves an address to hear back -------------------------------
    context, visitor = new_page(browser)
    visitor.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    visitor.get_by_label("Oui", exact=True).check()
    visitor.get_by_label("Votre adresse e-mail pour être informé des suites").fill(ADDRESS)
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Envoyer mes réponses").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")

    # --- the lab closes the consultation, writes and previews the restitution ----------------
    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + consultation.get_manage_url())
    page.get_by_role("button", name="Clore maintenant").click()
    expect(page.locator("body")).to_contain_text("Statut de la consultation\u00a0: close.")
    assert_accessible(page)
    page.get_by_role("link", name="Rédiger la restitution").click()
    assert_accessible(page)
    page.get_by_label("Synthèse").fill("Vous êtes nombreux à vouloir venir le samedi.")
    page.locator("#id_decisions-0-said").fill("Ouvrir le samedi matin")
    page.locator("#id_decisions-0-done").fill(DONE)
    page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.locator("body")).to_contain_text("Aperçu\u00a0: cette restitution est un brouillon")
    expect(page.locator("body")).to_contain_text(DONE)
    assert_accessible(page)
    assert not mailoutbox

    # --- publish: the consultation moves on, the visitor is e-mailed once ---------------------
    page.get_by_role("button", name="Publier la restitution").click()
    expect(page.locator("body")).to_contain_text("La restitution est publiée")
    assert_accessible(page)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.RESULTS_PUBLISHED
    assert [m.to for m in mailoutbox] == [[ADDRESS]]
    assert DONE in mailoutbox[0].body

    # --- the visitor reads it on the consultation's page --------------------------------------
    visitor.goto(live_server.url + consultation.get_absolute_url())
    visitor.get_by_role("link", name="Lire la restitution").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vous avez dit, nous avons fait")
    expect(visitor.locator("body")).to_contain_text(DONE)
    assert_accessible(visitor)
    context.close()


def test_a_visitor_joins_the_waiting_list_and_the_lab_reads_the_registrations(
    browser, live_server, login_as, assert_accessible, page, lab_staff
):
    consultation = ConsultationFactory(owner=lab_staff)
    recruitment = RecruitmentFactory(
        consultation=consultation,
        created_by=lab_staff,
        title="Atelier Lab Parentalité : tester le nouveau simulateur",
        seats=1,
    )
    eligibility_question(recruitment, "Avez-vous un enfant de moins de 3 ans ?")
    RegistrationFactory(recruitment=recruitment, name="Inès Haddad")

    context, visitor = new_page(browser)
    visitor.goto(live_server.url + consultation.get_absolute_url())
    visitor.get_by_role("link", name=recruitment.title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(recruitment.title)
    assert_accessible(visitor)
    # not eligible: a clear message, nothing kept
    visitor.get_by_label("Non", exact=True).check()
    visitor.get_by_label("Nom et prénom").fill("Claire Martin")
    visitor.get_by_label("Adresse e-mail").fill("claire@example.org")
    visitor.get_by_role("button", name="M’inscrire").click()
    expect(visitor.locator("#non-eligible")).to_contain_text("ne correspond pas")
    assert_accessible(visitor)
    # eligible: the seat is taken, the waiting list with its position
    visitor.get_by_label("Oui", exact=True).check()
    visitor.get_by_role("button", name="M’inscrire").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vous êtes sur la liste d’attente")
    expect(visitor.locator("body")).to_contain_text("position 1")
    assert_accessible(visitor)
    context.close()
    assert Registration.objects.get(email="claire@example.org").status == "waiting"

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + recruitment.get_manage_url())
    expect(page.locator("body")).to_contain_text("Claire Martin")
    expect(page.locator("body")).to_contain_text("Inès Haddad")
    assert_accessible(page)
    page.get_by_role("link", name="Modifier le recrutement").click()
    expect(page.get_by_label("Question", exact=True).first).to_have_value(
        "Avez-vous un enfant de moins de 3 ans ?"
    )
    page.get_by_label("Places").fill("")
    page.get_by_role("button", name="Enregistrer le recrutement").click()
    expect(page.locator("#resume-erreurs")).to_be_visible()
    assert_accessible(page)


def test_a_citizen_registers_with_the_account_and_cancels(
    live_server, login_as, assert_accessible, page, lab_staff, citizen
):
    consultation = ConsultationFactory(owner=lab_staff)
    recruitment = RecruitmentFactory(consultation=consultation, created_by=lab_staff, seats=1)
    waiting = RegistrationFactory(
        recruitment=recruitment, name="Léa Fontaine", status=Registration.Status.WAITING
    )
    login_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("ecoute:index"))
    page.get_by_role("link", name="Mes inscriptions aux ateliers").click()
    expect(page.locator("body")).to_contain_text("Vous n’êtes inscrit à aucun atelier")
    assert_accessible(page)
    RegistrationFactory(recruitment=recruitment, name="", email="", user=citizen)
    page.reload()
    assert_accessible(page)
    page.get_by_role("button", name=f"Annuler {recruitment.title}").click()
    expect(page.locator("body")).to_contain_text("Votre inscription est annulée")
    assert_accessible(page)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED  # promoted
