"""After the event (issue 14), walked as its users would: an agent of Caf A registers to a
training, downloads its iCal file, and subscribes to "mes inscriptions" as a calendar (the
signed link, copied with the button, read without a session); the organiser (the lab) takes
attendance and sends the satisfaction questionnaire; the agent answers it through écoute's
pages, once; the lab reads the summary on the event's page and the year's figures with the
satisfaction per event and per type. Zero axe violations on every page visited."""

import datetime
import re
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from ecoute.conditions import AnswerValue
from ecoute.models import Consultation, Response
from ecoute.services import consultation_answer
from events.models import Event, Registration, Satisfaction
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import new_context
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Conduire un entretien usager"
OTHERS_SCORES = (5, 4, 4, 3)  # with the agent's 5: a mean of 4.2 over five answers


@pytest.fixture
def training(lab_staff, caf_a):
    """A training of the day (it began an hour ago, registrations still taken), with four
    colleagues of Caf A already registered."""
    now = timezone.now()
    event = EventFactory(
        title=TITLE,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_opens_at=now - datetime.timedelta(days=3),
        registration_closes_at=now + datetime.timedelta(hours=4),
        organisers=[lab_staff],
    )
    for number in range(len(OTHERS_SCORES)):
        colleague = UserFactory(
            email=f"collegue{number}@caf-a.example", last_name=f"Collègue {number}", caf=caf_a
        )
        RegistrationFactory(event=event, user=colleague)
    return event


def vevents(content: bytes) -> list:
    return [c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT"]


def test_an_agent_answers_the_satisfaction_questionnaire_and_the_lab_sees_it_in_the_figures(
    page, browser, live_server, login_as, assert_accessible, agent_a, lab_staff, training
):
    # --- the agent registers, downloads the iCal file and subscribes to their calendar -------
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login_as(page, live_server, agent_a)
    page.goto(live_server.url + reverse("events:detail", kwargs={"pk": training.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.get_by_text("Vous êtes inscrit(e).").first).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (fichier iCal)").click()
    (item,) = vevents(Path(download_info.value.path()).read_bytes())
    assert TITLE in str(item["summary"])

    page.goto(live_server.url + reverse("events:index"))
    page.get_by_role("link", name="Mes inscriptions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes inscriptions aux événements")
    link = page.get_by_label("Lien d’abonnement")
    subscription = link.input_value()
    assert "/evenements/agenda/" in subscription
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_role("status").filter(has_text="Lien copié.")).to_be_visible()
    assert_accessible(page)
    # A calendar application reads it without any session.
    with urllib.request.urlopen(subscription) as answer:  # noqa: S310 (the live server)
        (subscribed,) = vevents(answer.read())
    assert TITLE in str(subscribed["summary"])

    # --- the organiser takes attendance and sends the questionnaire ---------------------------
    context = new_context(browser)
    context.set_default_timeout(10_000)
    lab = context.new_page()
    login_as(lab, live_server, lab_staff)
    lab.goto(live_server.url + reverse("events:attendance", kwargs={"pk": training.pk}))
    expect(lab.get_by_role("heading", level=1)).to_contain_text("Présence et supports")
    for box in lab.get_by_role("checkbox").all():
        box.check()
    lab.get_by_role("button", name="Enregistrer la présence").click()
    expect(lab.get_by_text("5 personne(s) présente(s)")).to_be_visible()
    assert_accessible(lab)
    lab.get_by_role("button", name="Envoyer le questionnaire de satisfaction").click()
    expect(lab.get_by_text("Le questionnaire de satisfaction est ouvert")).to_be_visible()
    assert_accessible(lab)
    satisfaction = Satisfaction.objects.select_related("consultation").get(event=training)
    consultation = Consultation.objects.select_related("questionnaire").get(
        pk=satisfaction.consultation_id
    )
    # The four colleagues answer (through the same service as écoute's pages).
    rating = satisfaction.rating_question
    for registration, score in zip(
        Registration.objects.filter(event=training).exclude(user=agent_a).order_by("pk"),
        OTHERS_SCORES,
        strict=True,
    ):
        answers = {rating.pk: AnswerValue(number=Decimal(score))}
        consultation_answer(consultation=consultation, answers=answers, user=registration.user)

    # --- the agent answers through écoute's pages, once -------------------------------------
    page.goto(live_server.url + reverse("events:detail", kwargs={"pk": training.pk}))
    page.get_by_role("link", name="Donner mon avis sur l’événement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_label("5 – Très satisfait(e)").check()
    page.get_by_label("Tout à fait", exact=True).check()
    page.get_by_label(re.compile("Que faudrait-il améliorer")).fill("Plus de mises en situation.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    assert_accessible(page)
    page.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous avez déjà répondu")
    assert Response.objects.filter(questionnaire=consultation.questionnaire).count() == 5

    # --- the lab reads the summary and the year's figures -----------------------------------
    lab.goto(live_server.url + reverse("events:detail", kwargs={"pk": training.pk}))
    summary = lab.get_by_role("region", name="Satisfaction des personnes venues")
    expect(summary).to_contain_text("5 réponses reçues")
    expect(summary).to_contain_text("moyenne 4,2 sur 5")
    assert_accessible(lab)
    lab.goto(live_server.url + reverse("events:figures"))
    held = lab.get_by_role("table", name=re.compile("Les événements tenus en"))
    row = held.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("4,2")
    by_kind = lab.get_by_role("table", name="Satisfaction par type d’événement")
    expect(by_kind.get_by_role("row").filter(has_text="Formation")).to_contain_text("4,2")
    assert_accessible(lab)
    context.close()
    assert Event.objects.get(pk=training.pk).status == Event.Status.HELD
