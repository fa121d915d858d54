"""Restitution that cannot be skipped (issue 13), walked as its users would: the lab moves a
decision of a published restitution to "en cours" at 40 % with an update, and a citizen reads
it on the public follow-up page ("vous avez dit, nous avons fait, où on en est"); then the lab
archives a consultation that will have no restitution, saying why, and the consultation's
public page shows the reason. Zero axe violations on every page visited."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ecoute.models import Consultation, Decision
from ecoute.services.restitution import DecisionSpec, restitution_publish, restitution_save
from tests.e2e.test_ecoute import new_page
from tests.ecoute.factories import ConsultationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UPDATE = "Premier samedi d'ouverture à Grenoble : 140 visiteurs."
REASON = "Le service consulté a fermé avant l'analyse des réponses : il n'y a rien à restituer."


def _closed(lab_staff, **fields) -> Consultation:
    closed_on = timezone.now() - datetime.timedelta(days=40)
    return ConsultationFactory(
        owner=lab_staff,
        status=Consultation.Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=30),
        closes_at=closed_on,
        status_changed_at=closed_on,
        **fields,
    )


def test_the_lab_follows_up_a_decision_and_a_citizen_reads_where_it_stands(
    browser, live_server, login_as, assert_accessible, page, lab_staff, citizen
):
    consultation = _closed(lab_staff, title="Votre accueil le samedi", slug="accueil-samedi")
    restitution_save(
        consultation=consultation,
        by=lab_staff,
        synthesis="Vous voulez pouvoir venir le samedi.",
        decisions=[DecisionSpec(said="Ouvrir le samedi", done="Accueil le samedi matin testé")],
    )
    restitution_publish(consultation=consultation, by=lab_staff)
    decision = Decision.objects.get(restitution__consultation=consultation)

    # --- the lab records where the decision stands ------------------------------------------
    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + consultation.get_manage_url())
    assert_accessible(page)
    page.get_by_role("link", name="Mettre à jour le suivi\u00a0: Ouvrir le samedi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi d’une décision")
    assert_accessible(page)
    page.get_by_label("Avancement").select_option(label="En cours")
    page.get_by_label("Progression (%)").fill("40")
    page.get_by_label("Où on en est").fill(UPDATE)
    page.get_by_role("button", name="Enregistrer le point d’avancement").click()
    expect(page.locator("body")).to_contain_text("Le point d’avancement est enregistré.")
    expect(page.locator("body")).to_contain_text("En cours, 40 %")
    assert_accessible(page)
    decision.refresh_from_db()
    assert (decision.status, decision.progress) == (Decision.Status.IN_PROGRESS, 40)

    # --- a citizen opens the follow-up from the consultation's page ---------------------------
    context, reader = new_page(browser)
    login_as(reader, live_server, citizen)
    reader.goto(live_server.url + consultation.get_absolute_url())
    reader.get_by_role("link", name="Où on en est\u00a0: le suivi des décisions").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Vous avez dit, nous avons fait, où on en est"
    )
    card = reader.locator(f"#decision-{decision.pk}")
    expect(card).to_contain_text("En cours")
    expect(card).to_contain_text("Avancement\u00a0: 40 %")
    expect(card).to_contain_text(UPDATE)
    expect(card.get_by_role("progressbar")).to_have_attribute("value", "40")
    assert_accessible(reader)
    context.close()


def test_the_lab_archives_without_restitution_and_the_reason_is_public(
    browser, live_server, login_as, assert_accessible, page, lab_staff
):
    consultation = _closed(lab_staff, title="Le rendez-vous des familles", slug="rdv-familles")

    login_as(page, live_server, lab_staff)
    page.goto(live_server.url + consultation.get_manage_url())
    page.get_by_role("button", name="Archiver", exact=True).click()
    expect(page.locator("body")).to_contain_text("Publiez d’abord la restitution")
    assert_accessible(page)
    page.get_by_role("link", name="Archiver sans restitution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archiver sans restitution")
    assert_accessible(page)
    page.get_by_label("Pas de restitution, parce que…").fill("Trop court.")
    page.get_by_role("button", name="Archiver sans restitution").click()
    expect(page.get_by_label("Pas de restitution, parce que…")).to_have_value("Trop court.")
    assert_accessible(page)
    page.get_by_label("Pas de restitution, parce que…").fill(REASON)
    page.get_by_role("button", name="Archiver sans restitution").click()
    expect(page.locator("body")).to_contain_text("La consultation est archivée")
    assert_accessible(page)

    context, visitor = new_page(browser)
    visitor.goto(live_server.url + consultation.get_absolute_url())
    expect(visitor.get_by_role("heading", name="Pas de restitution, parce que…")).to_be_visible()
    expect(visitor.locator("body")).to_contain_text(REASON)
    assert_accessible(visitor)
    context.close()
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ARCHIVED
