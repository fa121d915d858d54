"""Anonymity that holds against the database itself (ecoute.services.batches).

Someone who reads every table, PostgreSQL's system columns and the rows' physical order must
not link an anonymous response to its "has answered" marker, to an address left to hear back,
nor to when it was sent. 200 answers are sent one after another, each carrying its rank in a
number question (so the test knows the order of arrival), and the rows they leave are read the
way such a person would: `xmin` (the inserting transaction), the keys and `ctid` (the physical
order). PostgreSQL only, with real transactions.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caflab.accounts.models import Role
from ecoute.conditions import AnswerValue
from ecoute.models import (
    Answer,
    Consultation,
    HearBackRequest,
    ParticipationToken,
    PendingSubmission,
    Question,
    Response,
)
from ecoute.services import AlreadyAnswered, consultation_answer, new_browser_token
from ecoute.services.answering import participation_key
from ecoute.services.batches import pending_flush_due
from ecoute.services.consultations import consultation_move
from ecoute.views.answering import PARTICIPATION_COOKIE
from tests.accounts.factories import UserFactory
from tests.concurrency import RACE
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

pytestmark = RACE

ANSWERS = 200
SIGNED_IN_EVERY = 10  # one answer in ten from a signed-in account answering anonymously
HEAR_BACK_EVERY = 3  # one in three leaves an address


@pytest.fixture
def survey(lab_staff):
    consultation = ConsultationFactory(
        title="Le site caf.fr", slug="site-caf", owner=lab_staff, allow_anonymous=True
    )
    rank = QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.NUMBER,
        label="Votre numéro",
        is_required=True,
    )
    return consultation, rank


def _send(consultation, rank_question, rank: int, user=None, email: str = ""):
    from django.contrib.auth.models import AnonymousUser

    return consultation_answer(
        consultation=consultation,
        answers={rank_question.pk: AnswerValue(number=Decimal(rank))},
        user=user or AnonymousUser(),
        browser_token="" if user else new_browser_token(),
        hear_back_email=email,
    )


def _xmins(table: str, questionnaire_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text::bigint FROM {table} WHERE questionnaire_id = %s",  # noqa: S608
            [questionnaire_id],
        )
        return [row[0] for row in cursor.fetchall()]


def _physical(table: str, column: str, questionnaire_id: int) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE questionnaire_id = %s ORDER BY ctid",  # noqa: S608
            [questionnaire_id],
        )
        return [row[0] for row in cursor.fetchall()]


def spearman(ranks: list[int]) -> float:
    """Rank correlation between positions 0..n-1 and `ranks` (distinct values)."""
    n = len(ranks)
    order = {value: position for position, value in enumerate(sorted(ranks))}
    d2 = sum((position - order[value]) ** 2 for position, value in enumerate(ranks))
    return 1 - 6 * d2 / (n * (n * n - 1))


# For 200 independent random orders the rank correlation has a standard deviation of about
# 1/sqrt(199) = 0.07: 0.3 is more than four of them (a false alarm about once in 100,000 runs),
# while an order that follows arrival gives 1.
NEAR_ZERO = 0.3


def test_two_hundred_answers_leave_no_trace_of_whose_or_when(survey, settings, caf_a):
    settings.ECOUTE_ANONYMOUS_BATCH_SIZE = ANSWERS
    consultation, rank_question = survey
    questionnaire = consultation.questionnaire
    accounts = {}
    for rank in range(ANSWERS):
        user = None
        if rank % SIGNED_IN_EVERY == 0:
            user = UserFactory(role=Role.AGENT, caf=caf_a)
            accounts[rank] = user
        email = f"personne{rank:03d}@example.org" if rank % HEAR_BACK_EVERY == 0 else ""
        _send(consultation, rank_question, rank, user=user, email=email)
        if rank < ANSWERS - 1:
            # Until the batch is full nothing is written: only the markers are.
            assert not Response.objects.filter(questionnaire=questionnaire).exists()

    # The 200th answer completed the batch: all are written, nothing waits any more.
    assert Response.objects.filter(questionnaire=questionnaire).count() == ANSWERS
    assert not PendingSubmission.objects.exists()
    emails = ANSWERS // HEAR_BACK_EVERY + 1
    assert HearBackRequest.objects.filter(questionnaire=questionnaire).count() == emails

    # 1. No response shares a transaction with a marker or an address.
    marker_xmins = set(_xmins("ecoute_participationtoken", questionnaire.pk))
    hear_back_xmins = set(_xmins("ecoute_hearbackrequest", questionnaire.pk))
    response_xmins = set(_xmins("ecoute_response", questionnaire.pk))
    answer_xmins = set(_xmins("ecoute_answer", questionnaire.pk))
    assert len(marker_xmins) == ANSWERS  # one transaction per marker, committed at once
    assert not response_xmins & marker_xmins
    assert not response_xmins & hear_back_xmins
    assert not answer_xmins & (marker_xmins | hear_back_xmins)
    assert len(response_xmins) == 1  # the batch: one transaction for the 200

    # 2. Neither keys nor physical order follow the order of arrival.
    rank_of = dict(
        Answer.objects.filter(question=rank_question).values_list("response_id", "value_number")
    )
    by_ctid = [int(rank_of[pk]) for pk in _physical("ecoute_response", "id", questionnaire.pk)]
    by_key = [int(rank_of[pk]) for pk in sorted(rank_of, key=str)]
    answers_by_id = [
        int(value)
        for value in Answer.objects.filter(question=rank_question)
        .order_by("id")
        .values_list("value_number", flat=True)
    ]
    answers_by_ctid = [
        int(value) for value in _physical("ecoute_answer", "value_number", questionnaire.pk)
    ]
    for order in (by_ctid, by_key, answers_by_id, answers_by_ctid):
        assert sorted(order) == list(range(ANSWERS))
        assert abs(spearman(order)) < NEAR_ZERO, spearman(order)
    # The test would see an order that follows arrival: the markers' physical order does.
    assert spearman(list(range(ANSWERS))) == 1

    addresses = _physical("ecoute_hearbackrequest", "email", questionnaire.pk)
    address_ranks = [int(email[len("personne") : len("personne") + 3]) for email in addresses]
    assert abs(spearman(address_ranks)) < NEAR_ZERO

    # 3. An account's marker cannot be recomputed from its id with the application's key.
    for user in accounts.values():
        user.refresh_from_db()
        assert len(user.participation_secret) >= 32
        from_id = participation_key(questionnaire, kind="account", secret=str(user.pk))
        assert not ParticipationToken.objects.filter(token_hash=from_id).exists()
    # …and the one-answer rule holds for each of them, as for each browser.
    with pytest.raises(AlreadyAnswered):
        _send(consultation, rank_question, 999, user=accounts[0])
    assert Response.objects.filter(questionnaire=questionnaire).count() == ANSWERS


def test_the_person_is_thanked_at_once_and_cannot_answer_twice_while_the_batch_waits(
    survey, settings
):
    settings.ECOUTE_ANONYMOUS_BATCH_SIZE = 10
    consultation, rank_question = survey
    browser = Client()
    url = reverse("ecoute:answer", kwargs={"slug": consultation.slug})
    browser.get(url)
    assert browser.cookies.get(PARTICIPATION_COOKIE)
    sent = browser.post(url, {"etape": 1, f"q{rank_question.pk}": "7"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("ecoute:thanks", kwargs={"slug": consultation.slug})
    assert ParticipationToken.objects.count() == 1
    assert PendingSubmission.objects.count() == 1
    assert not Response.objects.exists()
    # Through the page too, the marker and the waiting response are separate transactions.
    questionnaire_id = consultation.questionnaire.pk
    assert not set(_xmins("ecoute_participationtoken", questionnaire_id)) & set(
        _xmins("ecoute_pendingsubmission", questionnaire_id)
    )
    again = browser.get(url)
    assert "déjà" in again.content.decode()
    assert browser.post(url, {"etape": 1, f"q{rank_question.pk}": "8"}).status_code == 200
    assert PendingSubmission.objects.count() == 1


def test_a_batch_that_waited_its_maximum_or_a_closed_consultation_is_written(
    survey, settings, lab_staff
):
    settings.ECOUTE_ANONYMOUS_BATCH_SIZE = 10
    settings.ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS = 1
    consultation, rank_question = survey
    for rank in range(3):
        _send(consultation, rank_question, rank, email=f"p{rank}@example.org")
    assert PendingSubmission.objects.count() == 6
    # The same day: a batch of 3 waits for more.
    assert pending_flush_due() == 0
    assert not Response.objects.exists()
    # The next day, the oldest has waited a day: written, whatever its size.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert pending_flush_due(now=tomorrow) == 3
    assert Response.objects.count() == 3
    assert HearBackRequest.objects.count() == 3
    assert not PendingSubmission.objects.exists()
    # The answers keep the day they were sent, never the day they were written.
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}

    # A consultation closed by its manager has its last answers written at once.
    for rank in range(3, 5):
        _send(consultation, rank_question, rank)
    consultation_move(consultation=consultation, action="close", by=lab_staff)
    assert Consultation.objects.get(pk=consultation.pk).status == Consultation.Status.CLOSED
    assert Response.objects.count() == 5
    assert not PendingSubmission.objects.exists()
