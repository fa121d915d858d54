"""Answering a questionnaire: store one response (its answers as rows the database aggregates),
at most once per person, account or browser; rate-limit anonymous visitors; keep e-mails left
to hear back apart from the answers.

The engine's entry point is `response_submit`, a function of a questionnaire: a consultation
(`consultation_answer` below) or an evaluation survey decides who answers and with which
participation keys, then calls it.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caflab.core import pow as proofs
from caflab.core.ratelimit import address_identity, rate_limit_count, rate_limit_peek
from caflab.network.models import Caf
from ecoute.conditions import Answers, AnswerValue
from ecoute.models import (
    Answer,
    AnswerChoice,
    Audience,
    Consultation,
    HearBackRequest,
    ParticipationToken,
    Question,
    Questionnaire,
    Response,
)
from ecoute.plan import Plan
from ecoute.services.common import AlreadyAnswered, RateLimited
from ecoute.services.results import results_refresh_request

Kind = Question.Kind

# Anonymous submissions per connection (IP address) and window, in seconds (defaults of the
# ECOUTE_ANONYMOUS_* settings). The counter lives in the cache (Redis in production) under a
# keyed hash of the address: never in the database.
ANONYMOUS_RATE_LIMIT = 1000
ANONYMOUS_RATE_WINDOW = 60 * 60
ANONYMOUS_SCOPE = "ecoute:anonymous"

logger = logging.getLogger(__name__)


class ProofRequired(RateLimited):
    """Past the challenge threshold, an anonymous submission without a valid proof of work."""


class IncompleteAnswers(ValidationError):
    """Required questions left unanswered; `missing` lists them in order."""

    def __init__(self, missing: list[Question]) -> None:
        super().__init__(_("Des questions obligatoires sont restées sans réponse."))
        self.missing = missing


# --- participation keys ----------------------------------------------------------------------


def _keyed_hash(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def new_browser_token() -> str:
    """A random token for the participation cookie: it names a browser, not a person."""
    return secrets.token_urlsafe(32)


def participation_key(questionnaire: Questionnaire, *, kind: str, secret: str) -> str:
    """What is stored to say "this one has answered": a keyed hash, distinct per questionnaire
    (the rows of two questionnaires cannot be matched to the same browser or person). `kind`
    names the source: "browser", "account", or another app's (e.g. a single-use invitation)."""
    return _keyed_hash(f"ecoute:{kind}:{questionnaire.pk}:{secret}")


def browser_participation_key(questionnaire: Questionnaire, token: str) -> str:
    return participation_key(questionnaire, kind="browser", secret=token)


def account_participation_key(questionnaire: Questionnaire, user: Any) -> str:
    """For an account answering anonymously: one answer per account, with no link to it."""
    return participation_key(questionnaire, kind="account", secret=str(user.pk))


def has_participated(questionnaire: Questionnaire, keys: Iterable[str]) -> bool:
    keys = [key for key in keys if key]
    return bool(keys) and questionnaire.participations.filter(token_hash__in=keys).exists()


def has_answered(questionnaire: Questionnaire, user: Any) -> bool:
    return bool(user.is_authenticated and questionnaire.responses.filter(respondent=user).exists())


# --- rate limit ------------------------------------------------------------------------------


def _anonymous_identity(client_ip: str | None) -> str | None:
    return address_identity(client_ip)


def anonymous_challenge_needed(client_ip: str | None) -> bool:
    """Whether the next anonymous submission from `client_ip` must carry a proof of work (the
    address is past ECOUTE_ANONYMOUS_CHALLENGE_AFTER submissions in the window)."""
    count = rate_limit_peek(ANONYMOUS_SCOPE, _anonymous_identity(client_ip))
    return count >= settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER


def anonymous_challenge(questionnaire: Questionnaire) -> proofs.Challenge:
    """A proof-of-work challenge valid for answering `questionnaire` once."""
    return proofs.challenge_issue(scope=f"ecoute:{questionnaire.pk}")


def anonymous_submission_check(
    *, questionnaire: Questionnaire, client_ip: str | None, proof_token: str, proof_counter: str
) -> None:
    """Count one anonymous submission from `client_ip`. Refused past the budget
    (ECOUTE_ANONYMOUS_RATE_LIMIT per window), or past ECOUTE_ANONYMOUS_CHALLENGE_AFTER without a
    valid proof of work (fresh, signed, for this questionnaire, not replayed). A cache outage
    lets submissions through (the participation token still holds)."""
    count = rate_limit_count(
        ANONYMOUS_SCOPE,
        _anonymous_identity(client_ip),
        window=getattr(settings, "ECOUTE_ANONYMOUS_RATE_WINDOW", ANONYMOUS_RATE_WINDOW),
    )
    if count is None:
        return
    if count > getattr(settings, "ECOUTE_ANONYMOUS_RATE_LIMIT", ANONYMOUS_RATE_LIMIT):
        raise RateLimited(
            _(
                "Trop de réponses ont été envoyées depuis cette connexion internet. "
                "Merci de réessayer dans une heure."
            )
        )
    if count > settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER:
        try:
            proofs.proof_verify(
                scope=f"ecoute:{questionnaire.pk}", token=proof_token, counter=proof_counter
            )
        except proofs.ProofError as refused:
            logger.info("Anonymous answer refused: proof of work %s.", refused.reason)
            raise ProofRequired(
                _(
                    "Beaucoup de réponses arrivent depuis votre connexion internet : votre "
                    "navigateur doit faire une courte vérification automatique. Attendez la fin "
                    "de la vérification, puis envoyez à nouveau vos réponses (elles sont "
                    "conservées)."
                )
            ) from refused


# --- storing a response ----------------------------------------------------------------------


def _answer_row(question: Question, value: AnswerValue) -> Answer:
    answer = Answer(question=question, other_text=value.other[:500])
    if question.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        answer.value_text = value.text
    elif question.kind in (Kind.SCALE, Kind.NUMBER):
        answer.value_number = value.number
    elif question.kind == Kind.DATE:
        answer.value_date = value.date
    elif question.kind == Kind.CONSENT:
        answer.value_bool = bool(value.flag)
    return answer


def _choice_rows(question: Question, value: AnswerValue, answer: Answer) -> list[AnswerChoice]:
    allowed = {option.pk for option in question.options.all()}
    if question.kind == Kind.RANKING:
        return [
            AnswerChoice(answer=answer, option_id=option_id, rank=rank)
            for option_id, rank in sorted(value.ranks.items(), key=lambda item: item[1])
            if option_id in allowed
        ]
    if question.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        return [
            AnswerChoice(answer=answer, option_id=option_id)
            for option_id in value.choices
            if option_id in allowed
        ]
    return []


def response_submit(
    *,
    questionnaire: Questionnaire,
    answers: Answers,
    audience: str,
    respondent: Any = None,
    is_anonymous: bool = False,
    is_assisted: bool = False,
    caf: Caf | None = None,
    participation_keys: Iterable[str] = (),
    plan: Plan | None = None,
) -> Response:
    """Store one response to `questionnaire`, with the answers of the questions they show.

    `respondent` only for a named answer (never for an anonymous or assisted one). Each
    participation key (a browser's, an account's, later an invitation's) is recorded apart, and
    its unique constraint refuses a second answer; so does the one-response-per-respondent
    constraint. A race or a second answer raises `AlreadyAnswered`, never an IntegrityError.
    Raises `IncompleteAnswers` when required questions are missing.
    """
    if respondent is not None and (is_anonymous or is_assisted):
        raise ValueError("An anonymous or assisted response names no respondent.")
    plan = plan or Plan(questionnaire)
    missing = plan.missing(answers)
    if missing:
        raise IncompleteAnswers(missing)
    kept = plan.keep_shown(answers)
    keys = sorted({key for key in participation_keys if key})
    try:
        with transaction.atomic():
            # The participation rows first: a concurrent duplicate fails here, before any work.
            ParticipationToken.objects.bulk_create(
                ParticipationToken(questionnaire=questionnaire, token_hash=key) for key in keys
            )
            response = Response.objects.create(
                questionnaire=questionnaire,
                respondent=respondent,
                is_anonymous=is_anonymous,
                is_assisted=is_assisted,
                audience=audience,
                caf=caf,
            )
            rows = []
            for question_id, value in kept.items():
                answer = _answer_row(plan.by_id[question_id], value)
                rows.append(answer.copy_response_columns(response))
            Answer.objects.bulk_create(rows)
            choices = []
            for answer in rows:
                choices += _choice_rows(
                    plan.by_id[answer.question_id], kept[answer.question_id], answer
                )
            AnswerChoice.objects.bulk_create(choices)
            # The results are kept computed: ask for their refresh (debounced) once committed;
            # a failure there never loses the answer (the periodic task catches up).
            transaction.on_commit(
                partial(results_refresh_request, questionnaire_id=questionnaire.pk), robust=True
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(_("Vous avez déjà répondu à ce questionnaire.")) from exc
    return response


def hear_back_request(*, questionnaire: Questionnaire, email: str) -> HearBackRequest | None:
    """Keep `email` to tell its owner what became of the answers. Apart from the answers (no
    link, the day only); once per address and questionnaire."""
    email = email.strip().lower()
    if not email:
        return None
    try:
        with transaction.atomic():
            request, _created = HearBackRequest.objects.get_or_create(
                questionnaire=questionnaire, email=email
            )
    except IntegrityError:  # the same address, submitted twice at once
        return HearBackRequest.objects.filter(questionnaire=questionnaire, email=email).first()
    return request


# --- a consultation's answers ----------------------------------------------------------------


def audience_of(user: Any) -> str:
    if user.is_authenticated and user.is_network_member:
        return Audience.AGENT
    if user.is_authenticated and user.is_partner:
        return Audience.PARTNER
    return Audience.CITIZEN


def consultation_answer(
    *,
    consultation: Consultation,
    answers: Answers,
    user: Any,
    browser_token: str = "",
    client_ip: str | None = None,
    caf: Caf | None = None,
    hear_back_email: str = "",
    assisted: bool = False,
    plan: Plan | None = None,
    proof_token: str = "",
    proof_counter: str = "",
) -> Response:
    """Answer `consultation`'s questionnaire as `user` (possibly anonymous), who the caller has
    checked may answer (or assist). Three ways:

    - assisted: an agent enters a visitor's answer; neither is stored as respondent, the answer
      is flagged and counted for the agent's Caf;
    - anonymous (the consultation allows it): no respondent; one answer per browser (token) and
      per account if signed in; visitors without an account are rate-limited per connection,
      and past a threshold must send a solved proof of work (`proof_token`, `proof_counter`);
    - named: the respondent is stored, one answer per person (a database constraint).
    """
    questionnaire = consultation.questionnaire
    signed_in = bool(user and user.is_authenticated)
    if assisted:
        response = response_submit(
            questionnaire=questionnaire,
            answers=answers,
            audience=Audience.CITIZEN,
            is_assisted=True,
            caf=user.caf if user.caf_id else caf,
            plan=plan,
        )
    elif consultation.allow_anonymous:
        if not (signed_in or browser_token):
            # Without its cookie a browser could answer again and again.
            raise ValidationError(
                _(
                    "Votre navigateur n'a pas conservé le cookie de participation : "
                    "autorisez les cookies de ce site pour répondre sans compte."
                )
            )
        keys = [browser_participation_key(questionnaire, browser_token) if browser_token else ""]
        if signed_in:
            keys.append(account_participation_key(questionnaire, user))
        if has_participated(questionnaire, keys):
            raise AlreadyAnswered(_("Une réponse a déjà été envoyée depuis ce navigateur."))
        if not signed_in:
            anonymous_submission_check(
                questionnaire=questionnaire,
                client_ip=client_ip,
                proof_token=proof_token,
                proof_counter=proof_counter,
            )
        response = response_submit(
            questionnaire=questionnaire,
            answers=answers,
            audience=audience_of(user) if signed_in else Audience.CITIZEN,
            is_anonymous=True,
            caf=user.caf if signed_in and user.caf_id else caf,
            participation_keys=keys,
            plan=plan,
        )
    else:
        response = response_submit(
            questionnaire=questionnaire,
            answers=answers,
            audience=audience_of(user),
            respondent=user,
            caf=user.caf if user.caf_id else caf,
            plan=plan,
        )
    if hear_back_email:
        hear_back_request(questionnaire=questionnaire, email=hear_back_email)
    return response
