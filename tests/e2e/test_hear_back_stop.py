"""An address left to hear back, without an account: the e-mail telling what became of an
answer carries a link; the person opens it in a browser and stops everything in one click.
Zero axe violations on the pages visited."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from ecoute.models import HearBackRequest
from ideas.services import lineage
from tests.analysis.factories import answer_texts
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_person_without_an_account_stops_the_news_from_the_link_of_an_e_mail(
    live_server, page, assert_accessible, lab_staff, correspondent_a, caf_a
):
    consultation = ConsultationFactory(title="Vos horaires", owner=correspondent_a, caf=caf_a)
    question = QuestionFactory(section=first_section(consultation), label="Que changer ?")
    HearBackRequest.objects.create(questionnaire=consultation.questionnaire, email="a@exemple.fr")
    [answer] = answer_texts(question, ["Un accueil le samedi matin."])
    lineage.idea_from_origin(source=answer, by=lab_staff)  # committed: the news goes out

    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ne plus recevoir les nouvelles d’une consultation"
    )
    expect(page.get_by_role("main")).to_contain_text("a@exemple.fr")
    assert_accessible(page)
    page.get_by_role("button", name="Ne plus rien recevoir").click()
    expect(page.get_by_role("status")).to_contain_text("votre adresse est effacée")
    assert_accessible(page)
    assert not HearBackRequest.objects.exists()
