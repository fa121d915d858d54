"""Issue 13: a questionnaire's written answer becomes an idea. The consultation's team opens
the answer and turns it into an idea; the respondent of an answer given by name is told, sees
their answer and what became of it, and hears of each stage of the project; an anonymous
answer leads to no one. Nobody else sees the answer's page (404)."""

import pytest
from django.urls import reverse

from caflab.notifications.models import Notification
from ecoute.models import Answer, Response
from ideas.models import Idea
from ideas.services import lineage
from ideas.services.ideas import idea_move
from projects.models import GateReview, Stage
from projects.services.gates import gate_decide
from tests.analysis.factories import answer_texts
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section
from tests.projects.factories import GateReviewFactory

pytestmark = pytest.mark.django_db

TEXT = "Un accueil le samedi matin pour les parents qui travaillent."


@pytest.fixture
def question(correspondent_a, caf_a):
    consultation = ConsultationFactory(
        title="Vos horaires", slug="horaires", owner=correspondent_a, caf=caf_a
    )
    return QuestionFactory(section=first_section(consultation), label="Que changer ?")


@pytest.fixture
def named_answer(question, citizen, caf_a):
    response = Response.objects.create(
        questionnaire=question.questionnaire, respondent=citizen, audience="citizen", caf=caf_a
    )
    return Answer.objects.create(
        **{"question": question, "value_text": TEXT},
        **_columns(response),
    )


def _columns(response: Response) -> dict:
    return {
        "response": response,
        "questionnaire_id": response.questionnaire_id,
        "audience": response.audience,
        "caf_id": response.caf_id,
    }


def convert_url(answer: Answer) -> str:
    return reverse("ideas:idea-from-origin", kwargs={"model": "ecoute.answer", "pk": answer.pk})


def test_the_team_turns_a_written_answer_into_an_idea_and_its_respondent_is_told(
    client, correspondent_a, citizen, named_answer
):
    client.force_login(correspondent_a)
    page = client.get(named_answer.get_absolute_url()).content.decode()
    assert TEXT in page
    assert convert_url(named_answer) in page
    assert citizen.email not in page
    assert citizen.last_name not in page

    response = client.post(convert_url(named_answer))
    idea = Idea.objects.get()
    assert response.url == idea.get_absolute_url()
    assert (idea.origin, idea.source, idea.caf_id) == (
        named_answer,
        Idea.Source.CONSULTATION,
        named_answer.caf_id,
    )
    assert idea.title == TEXT
    assert "Que changer ?" in idea.problem
    assert "Vos horaires" in idea.problem
    told = Notification.objects.get(kind="origin.idea", recipient=citizen)
    assert told.url == named_answer.get_absolute_url()


def test_an_anonymous_answer_becomes_an_idea_and_no_one_is_told(client, lab_staff, question):
    [answer] = answer_texts(question, [TEXT])
    client.force_login(lab_staff)
    assert client.post(convert_url(answer)).status_code == 302
    assert Idea.objects.get().origin == answer
    assert not Notification.objects.filter(kind="origin.idea").exists()


def test_the_answer_page_is_its_team_s_and_its_respondent_s_only(
    client, named_answer, citizen, correspondent_a, lab_staff, moderator, agent_a, correspondent_b
):
    url = named_answer.get_absolute_url()
    for user in (agent_a, correspondent_b):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(convert_url(named_answer)).status_code == 404
    for user in (correspondent_a, lab_staff, moderator, citizen):
        client.force_login(user)
        assert client.get(url).status_code == 200
    # A moderator and the respondent read it; only the lab and the Caf's correspondent convert.
    for user in (moderator, citizen):
        client.force_login(user)
        assert convert_url(named_answer) not in client.get(url).content.decode()
        assert client.post(convert_url(named_answer)).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_the_respondent_sees_what_their_answer_became_and_hears_of_each_stage(
    client, lab_staff, citizen, named_answer
):
    idea = lineage.idea_from_origin(source=named_answer, by=lab_staff)
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Retenue.")
    idea.refresh_from_db()
    project = idea.project
    client.force_login(citizen)
    page = client.get(named_answer.get_absolute_url()).content.decode()
    assert "Votre réponse" in page
    assert f"Puis le projet «\u00a0{project.title}\u00a0», à l’étape «\u00a0Idée\u00a0»" in page

    Notification.objects.all().delete()
    review = GateReviewFactory(project=project, from_stage=Stage.IDEA, to_stage=Stage.CREATIVITY)
    gate_decide(review=review, by=lab_staff, decision=GateReview.Decision.GO, rationale="Go")
    moved = Notification.objects.get(kind="ecoute.project_stage", recipient=citizen)
    assert "Séance de créativité" in moved.title
    assert moved.url == named_answer.get_absolute_url()


def test_the_free_texts_page_opens_each_answer(client, correspondent_a, question):
    answers = answer_texts(question, [TEXT, "Plus de rendez-vous en visio."])
    client.force_login(correspondent_a)
    page = client.get(reverse("ecoute:free-text", kwargs={"pk": question.pk})).content.decode()
    for answer in answers:
        assert f'href="{answer.get_absolute_url()}"' in page
