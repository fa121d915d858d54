"""Anonymous answers written among others, so that the database itself cannot tell whose they are.

Whoever reads every table of PostgreSQL, its system columns and the rows' physical order (a
DBA, a restored backup, a replica, a BI extract) must not be able to link an anonymous response
to the marker that says who has answered, nor to an address left to hear back. So:

1. the marker ("this browser, account or invitation has answered") is written and committed by
   its own transaction: the one-answer rule holds at once;
2. the response then waits as a `PendingSubmission`, written by another transaction; an
   address left to hear back waits the same way, by a third one;
3. `pending_flush` writes the waiting responses of a questionnaire together, in a random order,
   with random keys, in one transaction that also deletes them from the waiting store; then the
   waiting addresses, shuffled, in another transaction. It runs as soon as a questionnaire has
   ECOUTE_ANONYMOUS_BATCH_SIZE waiting responses (inside the submission that completes the
   batch), for any questionnaire whose oldest one has waited ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS
   days (checked every ten minutes by celery beat: the waiting rows keep the day, not the
   time), and for a consultation that closes.

A batch is the set of answers that cannot be told apart: its size is the anonymity the database
gives. The waiting rows themselves sit in adjacent transactions while they wait; they are
deleted in the transaction that writes the batch.

Another app ties its own row to each response it queued through a named link (`links` in the
payload, a handler registered with `register_link`): evaluation's survey waves.
"""

import datetime
import logging
import random
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from ecoute.conditions import AnswerValue, answers_from_json, answers_to_json
from ecoute.models import (
    Answer,
    AnswerChoice,
    HearBackRequest,
    Option,
    PendingSubmission,
    Question,
    Questionnaire,
    Response,
)
from ecoute.services.results import results_refresh_request

logger = logging.getLogger(__name__)

Kind = PendingSubmission.Kind
Question_Kind = Question.Kind

# One random source for the order of the rows: the system's, not a seeded one.
_shuffle = random.SystemRandom().shuffle

LinkHandler = Callable[[list[tuple[Response, Any]]], object]
_links: dict[str, LinkHandler] = {}


def register_link(name: str, handler: LinkHandler) -> None:
    """Have `handler(pairs)` tie another app's rows to the responses written by a batch:
    `pairs` lists (response, value) for each response queued with `links={name: value}`. It
    runs inside the batch's transaction."""
    _links[name] = handler


def batch_size() -> int:
    return max(1, settings.ECOUTE_ANONYMOUS_BATCH_SIZE)


def _waited_enough(queued_on: datetime.date, today: datetime.date) -> bool:
    return queued_on <= today - datetime.timedelta(
        days=settings.ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS
    )


# --- waiting ---------------------------------------------------------------------------------


def response_queue(
    *,
    questionnaire: Questionnaire,
    answers: dict[int, AnswerValue],
    audience: str,
    caf_id: int | None,
    is_assisted: bool = False,
    links: dict[str, Any] | None = None,
) -> PendingSubmission:
    """Keep an anonymous response (already checked: the answers of the questions it shows)
    until its batch is written. Its own transaction: the caller must not hold one open."""
    payload = {
        "answers": answers_to_json(answers),
        "audience": audience,
        "caf": caf_id,
        "assisted": is_assisted,
        "day": timezone.localdate().isoformat(),
        "links": links or {},
    }
    with transaction.atomic():
        return PendingSubmission.objects.create(
            questionnaire=questionnaire, kind=Kind.RESPONSE, payload=payload
        )


def hear_back_queue(*, questionnaire: Questionnaire, email: str) -> bool:
    """Keep an address left to hear back until its batch is written (its own transaction).
    Returns False for an empty address."""
    email = email.strip().lower()
    if not email:
        return False
    payload = {"email": email, "day": timezone.localdate().isoformat()}
    with transaction.atomic():
        PendingSubmission.objects.create(
            questionnaire=questionnaire, kind=Kind.HEAR_BACK, payload=payload
        )
    return True


def pending_count(questionnaire: Questionnaire | int, kind: str = Kind.RESPONSE) -> int:
    """How many anonymous responses (or hear-back addresses) of `questionnaire` wait to be
    written."""
    return PendingSubmission.objects.filter(questionnaire=questionnaire, kind=kind).count()


def flush_if_due(questionnaire: Questionnaire, kind: str = Kind.RESPONSE) -> int:
    """Write `questionnaire`'s waiting responses (or addresses) when they make a batch;
    returns how many."""
    if pending_count(questionnaire, kind) < batch_size():
        return 0
    if kind == Kind.HEAR_BACK:
        return _flush_hear_backs(questionnaire.pk)
    return pending_flush(questionnaire.pk)


# --- writing a batch -------------------------------------------------------------------------


def _answer_row(question: Question, value: AnswerValue, response: Response) -> Answer:
    answer = Answer(question=question, other_text=value.other[:500]).copy_response_columns(response)
    if question.kind in (Question_Kind.SHORT_TEXT, Question_Kind.LONG_TEXT):
        answer.value_text = value.text
    elif question.kind in (Question_Kind.SCALE, Question_Kind.NUMBER):
        answer.value_number = value.number
    elif question.kind == Question_Kind.DATE:
        answer.value_date = value.date
    elif question.kind == Question_Kind.CONSENT:
        answer.value_bool = bool(value.flag)
    return answer


def _choice_rows(
    question: Question, value: AnswerValue, answer: Answer, allowed: set[int]
) -> list[AnswerChoice]:
    if question.kind == Question_Kind.RANKING:
        return [
            AnswerChoice(answer=answer, option_id=option_id, rank=rank)
            for option_id, rank in sorted(value.ranks.items(), key=lambda item: item[1])
            if option_id in allowed
        ]
    if question.kind in (Question_Kind.SINGLE_CHOICE, Question_Kind.MULTIPLE_CHOICE):
        return [
            AnswerChoice(answer=answer, option_id=option_id)
            for option_id in value.choices
            if option_id in allowed
        ]
    return []


def responses_write(
    questionnaire_id: int, items: Iterable[tuple[dict[int, AnswerValue], dict[str, Any]]]
) -> list[Response]:
    """Write responses with their answers and choices in the order given; each item is
    (answers, fields): `fields` has audience, caf, assisted, anonymous, respondent, day. The
    caller decides the order and holds the transaction."""
    questions = {
        question.pk: question
        for question in Question.objects.filter(questionnaire_id=questionnaire_id)
    }
    # The answers were checked against the visible options when they were sent: here only
    # an option of the question is kept (one deleted since is dropped).
    allowed: dict[int, set[int]] = {}
    for question_id, option_id in Option.objects.filter(
        question__questionnaire_id=questionnaire_id
    ).values_list("question_id", "pk"):
        allowed.setdefault(question_id, set()).add(option_id)
    responses, values = [], []
    for answers, fields in items:
        response = Response(
            questionnaire_id=questionnaire_id,
            respondent=fields.get("respondent"),
            is_anonymous=fields.get("anonymous", True),
            is_assisted=fields.get("assisted", False),
            audience=fields["audience"],
            caf_id=fields.get("caf"),
            submitted_on=fields.get("day") or timezone.localdate(),
        )
        responses.append(response)
        values.append(answers)
    Response.objects.bulk_create(responses)
    rows: list[tuple[Answer, Question, AnswerValue]] = []
    for response, answers in zip(responses, values, strict=True):
        for question_id, value in answers.items():
            question = questions.get(question_id)
            if question is None:  # deleted since: its answer cannot be kept
                logger.warning(
                    "Answer to a removed question dropped (questionnaire %s).", questionnaire_id
                )
                continue
            rows.append((_answer_row(question, value, response), question, value))
    if len(responses) > 1:
        _shuffle(rows)  # the answers' keys follow no response's order either
    Answer.objects.bulk_create([answer for answer, _question, _value in rows])
    choices: list[AnswerChoice] = []
    for answer, question, value in rows:
        choices += _choice_rows(question, value, answer, allowed.get(question.pk, set()))
    AnswerChoice.objects.bulk_create(choices)
    return responses


def pending_flush(questionnaire_id: int) -> int:
    """Write everything waiting for `questionnaire_id`: its responses in a shuffled batch, then
    its hear-back addresses in another; returns how many responses were written. The callers
    decide when (`flush_if_due`, `pending_flush_due`, a closing). Rows another flush holds are
    skipped (it writes them): two flushes never write the same response."""
    written = _flush_responses(questionnaire_id)
    _flush_hear_backs(questionnaire_id)
    return written


def _flush_responses(questionnaire_id: int) -> int:
    with transaction.atomic():
        rows = list(
            PendingSubmission.objects.select_for_update(skip_locked=True).filter(
                questionnaire_id=questionnaire_id, kind=Kind.RESPONSE
            )
        )
        if not rows:
            return 0
        _shuffle(rows)
        items = []
        for row in rows:
            payload = row.payload
            items.append(
                (
                    answers_from_json(payload["answers"]),
                    {
                        "audience": payload["audience"],
                        "caf": payload.get("caf"),
                        "assisted": payload.get("assisted", False),
                        "anonymous": True,
                        "day": datetime.date.fromisoformat(payload["day"]),
                    },
                )
            )
        responses = responses_write(questionnaire_id, items)
        linked: dict[str, list[tuple[Response, Any]]] = {}
        for response, row in zip(responses, rows, strict=True):
            for name, value in (row.payload.get("links") or {}).items():
                linked.setdefault(name, []).append((response, value))
        for name, pairs in linked.items():
            _links[name](pairs)
        PendingSubmission.objects.filter(pk__in=[row.pk for row in rows]).delete()
        transaction.on_commit(
            partial(results_refresh_request, questionnaire_id=questionnaire_id), robust=True
        )
    return len(rows)


def _flush_hear_backs(questionnaire_id: int) -> int:
    with transaction.atomic():
        rows = list(
            PendingSubmission.objects.select_for_update(skip_locked=True).filter(
                questionnaire_id=questionnaire_id, kind=Kind.HEAR_BACK
            )
        )
        if not rows:
            return 0
        _shuffle(rows)
        HearBackRequest.objects.bulk_create(
            [
                HearBackRequest(
                    questionnaire_id=questionnaire_id,
                    email=row.payload["email"],
                    created_on=datetime.date.fromisoformat(row.payload["day"]),
                )
                for row in rows
            ],
            ignore_conflicts=True,  # the same address twice: one request
        )
        PendingSubmission.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def pending_flush_due(now: datetime.datetime | None = None) -> int:
    """Every ten minutes (beat): write the batches that are due (full, or waited the maximum),
    and everything waiting for a questionnaire that no longer takes answers. Returns how many
    responses were written."""
    today = timezone.localdate(now)
    waiting = (
        PendingSubmission.objects.values("questionnaire_id")
        .annotate(
            responses=Count("pk", filter=Q(kind=Kind.RESPONSE)),
            oldest=Min("queued_on"),
        )
        .order_by()
    )
    written = 0
    closed = _closed_questionnaires({row["questionnaire_id"] for row in waiting})
    for row in waiting:
        questionnaire_id = row["questionnaire_id"]
        force = questionnaire_id in closed or _waited_enough(row["oldest"], today)
        if force or row["responses"] >= batch_size():
            written += pending_flush(questionnaire_id)
    return written


ClosedCheck = Callable[[set[int]], set[int]]
_closed_checks: list[ClosedCheck] = []


def register_closed_check(check: ClosedCheck) -> None:
    """Have `check(questionnaire_ids)` return those of the ids that take no more answers in
    another app (e.g. a survey whose waves are over), so their waiting answers are written."""
    if check not in _closed_checks:
        _closed_checks.append(check)


def _closed_questionnaires(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    from ecoute.models import Consultation

    closed = set(
        Consultation.objects.filter(questionnaire__in=ids)
        .exclude(status=Consultation.Status.OPEN)
        .values_list("questionnaire", flat=True)
    )
    for check in _closed_checks:
        closed |= check(ids)
    return closed
