"""Answering a questionnaire: store one response (its answers as rows the database aggregates),
at most once per person, account or browser; rate-limit anonymous visitors; keep e-mails left
to hear back apart from the answers.

An anonymous response is never written with its "has answered" marker: the marker is committed
first, then the response waits to be written among others in a shuffled batch, and so does an
address left to hear back (ecoute.services.batches).

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
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caflab.core import pow as proofs
from caflab.core.errors import InvalidState
from caflab.core.ratelimit import address_identity, rate_limit_count, rate_limit_peek
from caflab.network.models import Caf
from ecoute.conditions import Answers, AnswerValue
from ecoute.models import (
    Audience,
    Consultation,
    ParticipationToken,
    Question,
    Questionnaire,
    Response,
)
from ecoute.plan import Plan
from ecoute.services import batches
from ecoute.services.common import AlreadyAnswered, RateLimited
from ecoute.services.results import results_refresh_request

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


def account_participation_key(
    questionnaire: Questionnaire, user: Any, *, create: bool = False
) -> str:
    """For an account answering anonymously: one answer per account, with no link to it. The
    key is a keyed hash of the account's random participation secret, never of its id: whoever
    holds the application's key still cannot recompute it from the account's id, and erasing
    the secret makes the account's markers unattributable. Empty when the account has no
    secret yet (it has never answered anonymously) unless `create` draws one."""
    secret = user.participation_secret
    if not secret and create:
        secret = _participation_secret_draw(user)
    if not secret:
        return ""
    return participation_key(questionnaire, kind="account", secret=secret)


def _participation_secret_draw(user: Any) -> str:
    """Give `user` a participation secret (its own transaction, at most once: a concurrent
    draw keeps the first)."""
    model = get_user_model()
    model.objects.filter(pk=user.pk, participation_secret="").update(
        participation_secret=secrets.token_urlsafe(32)
    )
    user.participation_secret = model.objects.values_list("participation_secret", flat=True).get(
        pk=user.pk
    )
    return user.participation_secret


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
                    "Beaucoup de réponses arrivent depuis votre connexion internet : votre "
                    "navigateur doit faire une courte vérification automatique. Attendez la fin "
                    "de la vérification, puis envoyez à nouveau vos réponses (elles sont "
                    "conservées)."
                )
            ) from refused


# --- storing a response ----------------------------------------------------------------------


def answers_check(
    questionnaire: Questionnaire, answers: Answers, plan: Plan | None = None
) -> dict[int, AnswerValue]:
    """The answers to keep (those of the questions shown); raises `IncompleteAnswers` when
    required questions are missing."""
    plan = plan or Plan(questionnaire)
    missing = plan.missing(answers)
    if missing:
        raise IncompleteAnswers(missing)
    return dict(plan.keep_shown(answers))


def participation_mark(questionnaire: Questionnaire, keys: Iterable[str]) -> list[str]:
    """Record that the holders of `keys` have answered `questionnaire` (in the caller's
    transaction). A key already recorded, or recorded at the same moment by a concurrent
    submission, raises `AlreadyAnswered`. Returns the keys recorded."""
    keys = sorted({key for key in keys if key})
    try:
        with transaction.atomic():
            ParticipationToken.objects.bulk_create(
                ParticipationToken(questionnaire=questionnaire, token_hash=key) for key in keys
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(_("Vous avez déjà répondu à ce questionnaire.")) from exc
    return keys


def participation_unmark(questionnaire: Questionnaire, keys: Iterable[str]) -> None:
    """Undo `participation_mark` when the response could not be kept: the person may answer
    again rather than lose the answer."""
    ParticipationToken.objects.filter(
        questionnaire=questionnaire, token_hash__in=list(keys)
    ).delete()


def anonymous_response_queue(
    *,
    questionnaire: Questionnaire,
    kept: dict[int, AnswerValue],
    audience: str,
    caf: Caf | None,
    keys: Iterable[str],
    links: dict[str, Any] | None = None,
) -> None:
    """After its marker is committed, have the response wait for its shuffled batch (another
    transaction), then write the batch if it is full. If the response cannot be kept, the
    marker goes too, so nothing stops the person from sending it again."""
    try:
        batches.response_queue(
            questionnaire=questionnaire,
            answers=kept,
            audience=audience,
            caf_id=caf.pk if caf is not None else None,
            links=links,
        )
    except Exception:
        participation_unmark(questionnaire, keys)
        raise
    try:
        batches.flush_if_due(questionnaire)
    except Exception:  # the answer is kept: the periodic task writes the batch
        logger.exception("Anonymous batch not written now (questionnaire %s).", questionnaire.pk)


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
) -> Response | None:
    """Store one response to `questionnaire`, with the answers of the questions they show.

    `respondent` only for a named answer (never for an anonymous or assisted one). Each
    participation key (a browser's, an account's, an invitation's) is recorded apart, and its
    unique constraint refuses a second answer; so does the one-response-per-respondent
    constraint. A race or a second answer raises `AlreadyAnswered`, never an IntegrityError.
    Raises `IncompleteAnswers` when required questions are missing.

    A named or assisted response is written at once and returned. An anonymous one is not
    returned: its marker is committed by its own transaction, then the response waits to be
    written in a shuffled batch (ecoute.services.batches). Call it outside any transaction.
    """
    if respondent is not None and (is_anonymous or is_assisted):
        raise ValueError("An anonymous or assisted response names no respondent.")
    kept = answers_check(questionnaire, answers, plan)
    if is_anonymous:
        keys = participation_mark(questionnaire, participation_keys)
        anonymous_response_queue(
            questionnaire=questionnaire, kept=kept, audience=audience, caf=caf, keys=keys
        )
        return None
    try:
        with transaction.atomic():
            # The participation rows first: a concurrent duplicate fails here, before any work.
            participation_mark(questionnaire, participation_keys)
            (response,) = batches.responses_write(
                questionnaire.pk,
                [
                    (
                        kept,
                        {
                            "respondent": respondent,
                            "anonymous": False,
                            "assisted": is_assisted,
                            "audience": audience,
                            "caf": caf.pk if caf is not None else None,
                        },
                    )
                ],
            )
            # The results are kept computed: ask for their refresh (debounced) once committed;
            # a failure there never loses the answer (the periodic task catches up).
            transaction.on_commit(
                partial(results_refresh_request, questionnaire_id=questionnaire.pk), robust=True
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(_("Vous avez déjà répondu à ce questionnaire.")) from exc
    return response


def hear_back_request(*, questionnaire: Questionnaire, email: str) -> bool:
    """Keep `email` to tell its owner what became of the answers: apart from the answers (no
    link, the day only), written in a shuffled batch of its own after the response's
    (ecoute.services.batches); once per address and questionnaire. Returns False for an empty
    address."""
    queued = batches.hear_back_queue(questionnaire=questionnaire, email=email)
    if queued:
        try:
            batches.flush_if_due(questionnaire, batches.Kind.HEAR_BACK)
        except Exception:  # the address is kept: the periodic task writes the batch
            logger.exception(
                "Hear-back batch not written now (questionnaire %s).", questionnaire.pk
            )
    return queued


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
) -> Response | None:
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
            raise InvalidState(
                _(
                    "Votre navigateur n’a pas conservé le cookie de participation : "
                    "autorisez les cookies de ce site pour répondre sans compte."
                )
            )
        keys = [browser_participation_key(questionnaire, browser_token) if browser_token else ""]
        if signed_in:
            keys.append(account_participation_key(questionnaire, user, create=True))
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
