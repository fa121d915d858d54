"""A double submission of a state change ends in "already done" (issue 20): the second POST of
a double click, or a concurrent one, is told the move is made, never shown a form error such as
"Sélectionnez un choix valide", and the move is recorded once.

Covered: an idea's status, a creativity-session request's status, a contribution's official
answer, a consultation's publish and close. (Deployments keep the current status as a choice,
effects answer "already done" in their view, gate decisions, challenges, criées, initiatives and
moderation already did.)"""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from caflab.accounts.models import Role
from caflab.network.models import Directorate
from ecoute.models import AnswerStatus, Consultation
from ideas.models import Idea, IdeaStatusChange, SessionRequest, SessionRequestChange
from ideas.services import ideas as idea_services
from tests.accounts.factories import UserFactory
from tests.concurrency import run_together
from tests.ecoute.factories import (
    ConsultationFactory,
    ContributionFactory,
    QuestionFactory,
    first_section,
)
from tests.ideas.factories import SessionRequestFactory

pytestmark = pytest.mark.django_db

CHOICE_ERROR = "Sélectionnez un choix valide"


def told(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def post_twice(client, url: str, data: dict):
    first = client.post(url, data)
    second = client.post(url, data)
    return first, second


def assert_already_done(response, *, redirect_to: str) -> None:
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert response["Location"] == redirect_to
    (message,) = [text for level, text in told(response) if level == "info"]
    assert "déjà" in message
    assert CHOICE_ERROR not in message


# --- an idea's status ---------------------------------------------------------------------


@pytest.fixture
def idea(agent_a):
    return idea_services.idea_submit(
        by=agent_a,
        title="Un rappel plutôt qu'une file d'attente",
        problem="Les familles attendent longtemps au téléphone.",
    )


def idea_status_url(idea: Idea) -> str:
    return reverse("ideas:idea-status", kwargs={"pk": idea.pk})


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": "under_review", "reason": "Le comité l'examine en juin."},
        {"to_status": "declined", "reason": "Déjà couvert par le projet national."},
    ],
)
def test_a_double_clicked_idea_status_change_answers_already_done(client, lab_staff, idea, data):
    client.force_login(lab_staff)
    first, second = post_twice(client, idea_status_url(idea), data)
    assert first.status_code == 302
    assert_already_done(second, redirect_to=idea.get_absolute_url())
    assert IdeaStatusChange.objects.filter(idea=idea, to_status=data["to_status"]).count() == 1


def test_another_move_made_meanwhile_is_still_refused_with_the_form(client, lab_staff, idea):
    """Only the same move is "already done": a stale page asking for a move that is no longer
    possible (a declined idea cannot be shelved) gets the form back, and nothing changes."""
    client.force_login(lab_staff)
    client.post(idea_status_url(idea), {"to_status": "declined", "reason": "Hors périmètre."})
    response = client.post(
        idea_status_url(idea),
        {"to_status": "shelved", "reason": "Plus tard.", "revisit_on": "2999-01-01"},
    )
    assert response.status_code == 200
    assert not [text for level, text in told(response) if level == "info"]
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DECLINED


# --- a session request's status -------------------------------------------------------------


@pytest.fixture
def session_request():
    directorate = Directorate.objects.first()
    member = UserFactory(
        email="direction.double@cnaf.example",
        role=Role.DIRECTORATE,
        caf=None,
        directorate=directorate,
    )
    return SessionRequestFactory(requested_by=member, directorate=directorate)


def test_a_double_clicked_session_request_move_answers_already_done(
    client, lab_staff, session_request
):
    client.force_login(lab_staff)
    url = reverse("ideas:session-request-move", kwargs={"pk": session_request.pk})
    first, second = post_twice(client, url, {"status": "qualified", "note": "Vu en comité."})
    assert first.status_code == 302
    assert_already_done(second, redirect_to=session_request.get_absolute_url())
    assert SessionRequestChange.objects.filter(request=session_request).count() == 1
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.QUALIFIED


# --- a contribution's official answer ---------------------------------------------------------


def test_a_double_clicked_official_answer_answers_already_done(client, correspondent_a, caf_a):
    call = ConsultationFactory(
        owner=correspondent_a,
        caf=caf_a,
        audience=Consultation.Audience.BOTH,
        collects_contributions=True,
    )
    contribution = ContributionFactory(consultation=call, title="Visio le soir")
    client.force_login(correspondent_a)
    url = reverse("ecoute:contribution-answer", kwargs={"pk": contribution.pk})
    data = {"status": "under_study", "text": "Le service étudie la visio du soir."}
    first, second = post_twice(client, url, data)
    assert first.status_code == 302, first.content.decode()[-2000:]
    assert_already_done(second, redirect_to=contribution.get_absolute_url())
    contribution.refresh_from_db()
    assert contribution.answer_status == AnswerStatus.UNDER_STUDY


# --- a consultation's publish and close ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "reached"),
    [
        (Consultation.Status.DRAFT, "publish", Consultation.Status.OPEN),
        (Consultation.Status.OPEN, "close", Consultation.Status.CLOSED),
    ],
)
def test_a_double_clicked_consultation_move_answers_already_done(
    client, lab_staff, status, action, reached
):
    consultation = ConsultationFactory(owner=lab_staff, status=status)
    QuestionFactory(section=first_section(consultation))
    client.force_login(lab_staff)
    url = reverse("ecoute:status", kwargs={"pk": consultation.pk})
    first, second = post_twice(client, url, {"action": action})
    assert [level for level, _ in told(first)] == ["success"]
    assert_already_done(second, redirect_to=consultation.get_manage_url())
    consultation.refresh_from_db()
    assert consultation.status == reached


# --- two POSTs at once ------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a real race needs PostgreSQL's concurrent transactions (SQLite serialises writes)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_idea_status_posts_make_one_change_and_one_already_done(lab_staff, idea):
    url = idea_status_url(idea)
    data = {"to_status": "under_review", "reason": "Le comité l'examine en juin."}

    def double_click():
        client = Client()
        client.force_login(lab_staff)
        response = client.post(url, data)
        return response.status_code, told(response)

    outcomes = run_together(double_click, 2)
    assert sorted(status for status, _ in outcomes) == [302, 302], outcomes
    levels = sorted(messages[0][0] for _, messages in outcomes)
    assert levels == ["info", "success"], outcomes
    assert not any(CHOICE_ERROR in text for _, messages in outcomes for _, text in messages)
    assert IdeaStatusChange.objects.filter(idea=idea, to_status="under_review").count() == 1
