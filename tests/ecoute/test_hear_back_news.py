"""Issue 13: the people who left an address to hear back, without an account, hear what became
of the answers too (a written answer turned into an idea, the project it joined moving on), by
e-mail, each address once per news, never the answer's text; every e-mail to such an address
has a one-click way to stop (a signed link, no account, RFC 8058 headers), which erases it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ecoute.models import HearBackNews, HearBackRequest
from ecoute.services import hear_back
from ideas.models import Idea
from ideas.services import lineage
from ideas.services.ideas import idea_move
from projects.models import GateReview, Stage
from projects.services.gates import gate_decide
from tests.analysis.factories import answer_texts
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TEXT = "Mon voisin M. Martin attend depuis trois mois ; un accueil le samedi aiderait."


@pytest.fixture
def answer(correspondent_a, caf_a):
    consultation = ConsultationFactory(title="Vos horaires", owner=correspondent_a, caf=caf_a)
    question = QuestionFactory(section=first_section(consultation), label="Que changer ?")
    for email in ("a@exemple.fr", "b@exemple.fr"):
        HearBackRequest.objects.create(questionnaire=consultation.questionnaire, email=email)
    return answer_texts(question, [TEXT])[0]


def stop_link(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_an_answer_become_an_idea_is_told_to_each_address_once_without_its_text(
    lab_staff, answer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lineage.idea_from_origin(source=answer, by=lab_staff)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.fr", "b@exemple.fr"]
    message = mail.outbox[0]
    assert "est devenue une idée" in message.body
    assert "Martin" not in message.body
    assert TEXT[:30] not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop_link(message) in message.body
    assert HearBackNews.objects.get().sent_at is not None

    mail.outbox.clear()
    assert hear_back.news_send(news_id=HearBackNews.objects.get().pk) == 0  # each once
    assert mail.outbox == []


def test_the_project_it_joins_and_each_stage_are_news_too(
    lab_staff, answer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = lineage.idea_from_origin(source=answer, by=lab_staff)
        idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Retenue.")
    idea.refresh_from_db()
    assert any(idea.project.title in m.body for m in mail.outbox)
    mail.outbox.clear()
    review = GateReviewFactory(
        project=idea.project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY
    )
    with django_capture_on_commit_callbacks(execute=True):
        gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")
    assert len(mail.outbox) == 2
    assert "Séance de créativité" in mail.outbox[0].body


def test_one_click_stops_everything_for_that_address_and_erases_it(
    client, lab_staff, answer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lineage.idea_from_origin(source=answer, by=lab_staff)
    link = stop_link(next(m for m in mail.outbox if m.to == ["a@exemple.fr"]))
    path = link.split("://", 1)[1].split("/", 1)[1]
    url = f"/{path}"

    page = client.get(url)
    assert page.status_code == 200
    assert "a@exemple.fr" in page.content.decode()
    assert HearBackRequest.objects.filter(email="a@exemple.fr").exists()  # a GET changes nothing

    client.post(url)  # a mail client's one-click: no CSRF token, the signed link is the proof
    assert not HearBackRequest.objects.filter(email="a@exemple.fr").exists()
    assert "C’est déjà fait" in client.post(url).content.decode()

    mail.outbox.clear()
    project = ProjectFactory(title="Accueil du samedi")
    with django_capture_on_commit_callbacks(execute=True):
        lineage.origin_attach(source=answer, project=project, by=lab_staff)
    assert [m.to for m in mail.outbox] == [["b@exemple.fr"]]


def test_a_forged_or_damaged_link_is_refused(client):
    url = reverse("ecoute:hear-back-stop", kwargs={"token": "abc:def"})
    response = client.post(url)
    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in response.content.decode()


def test_news_not_all_sent_are_queued_again_by_the_beat(lab_staff, answer):
    news = hear_back.news_queue(
        questionnaire=answer.questionnaire, key="k", subject="S", text="T", path="/"
    )
    assert hear_back.news_resend() == 0  # too recent
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert hear_back.news_resend(now=later) == 1
    hear_back.news_send(news_id=news.pk)
    assert hear_back.news_resend(now=later) == 0


def test_no_address_no_news(lab_staff, answer):
    HearBackRequest.objects.all().delete()
    lineage.idea_from_origin(source=answer, by=lab_staff)
    assert not HearBackNews.objects.exists()
