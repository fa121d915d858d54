"""Anonymous answering behind a shared address: a budget large enough for a thousand people
(mobile carrier CGNAT, a Caf's public Wi-Fi), and past a threshold a proof of work computed by
the browser (caflab.core.pow), checked once, fresh, for this questionnaire."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from caflab.core import pow as proofs
from ecoute.conditions import AnswerValue
from ecoute.models import Response
from ecoute.services import RateLimited, consultation_answer, new_browser_token
from ecoute.services.answering import ProofRequired, anonymous_challenge
from tests.ecoute.factories import option

pytestmark = pytest.mark.django_db

# A Redis cache where nothing listens (port 1): every call raises ConnectionError.
DEAD_REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.5},
}

SHARED_ADDRESS = "203.0.113.7"
PROOF_REFUSED = "votre navigateur doit faire une courte vérification automatique"
BUDGET_REFUSED = "Trop de réponses ont été envoyées depuis cette connexion"


@pytest.fixture(autouse=True)
def light_proofs(settings):
    """The real budget and threshold; an easy proof, so that tests solve it quickly."""
    settings.ECOUTE_ANONYMOUS_RATE_LIMIT = 1000
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 30
    settings.POW_DIFFICULTY = 6


def answers_of(consultation) -> dict:
    question = consultation.questionnaire.questions.get()
    return {question.pk: AnswerValue(choices=(option(question, "Oui").pk,))}


def answer_as_a_new_person(consultation, proof: tuple[str, str] = ("", "")) -> Response:
    return consultation_answer(
        consultation=consultation,
        answers=answers_of(consultation),
        user=AnonymousUser(),
        browser_token=new_browser_token(),
        client_ip=SHARED_ADDRESS,
        proof_token=proof[0],
        proof_counter=proof[1],
    )


def solved(consultation) -> tuple[str, str]:
    challenge = anonymous_challenge(consultation.questionnaire)
    return challenge.token, proofs.solve(challenge)


def test_a_thousand_people_behind_one_address_answer_solving_the_proof_past_30(
    anonymous_consultation,
):
    for person in range(1000):
        proof = solved(anonymous_consultation) if person >= 30 else ("", "")
        answer_as_a_new_person(anonymous_consultation, proof)
    assert Response.objects.count() == 1000
    # the budget is an hour's: the 1,001st is refused even with a valid proof
    with pytest.raises(RateLimited, match=BUDGET_REFUSED):
        answer_as_a_new_person(anonymous_consultation, solved(anonymous_consultation))
    assert Response.objects.count() == 1000


def test_a_script_without_a_valid_proof_is_refused_past_the_threshold(
    settings, anonymous_consultation
):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 3
    for _ in range(3):
        answer_as_a_new_person(anonymous_consultation)
    challenge = anonymous_challenge(anonymous_consultation.questionnaire)
    token, counter, wrong = challenge.token, proofs.solve(challenge), unsolving(challenge)
    other = anonymous_challenge(anonymous_consultation.questionnaire)
    easy = proofs.challenge_issue(
        scope=f"ecoute:{anonymous_consultation.questionnaire.pk}", difficulty=1
    )
    elsewhere = proofs.challenge_issue(scope="ecoute:999999")
    for proof in (
        ("", ""),  # no proof at all
        (token, ""),  # a challenge, not solved
        (token, wrong),  # a counter that does not solve it
        (token + "x", counter),  # a forged signature
        (easy.token, proofs.solve(easy)),  # a challenge easier than asked
        (elsewhere.token, proofs.solve(elsewhere)),  # solved for another questionnaire
        (other.token, "1" * 40),  # a malformed counter
    ):
        with pytest.raises(ProofRequired, match=PROOF_REFUSED):
            answer_as_a_new_person(anonymous_consultation, proof)
    assert Response.objects.count() == 3
    answer_as_a_new_person(anonymous_consultation, (token, counter))
    assert Response.objects.count() == 4


def test_a_replayed_proof_is_refused(settings, anonymous_consultation):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 0
    proof = solved(anonymous_consultation)
    answer_as_a_new_person(anonymous_consultation, proof)
    with pytest.raises(ProofRequired):
        answer_as_a_new_person(anonymous_consultation, proof)
    assert Response.objects.count() == 1


def test_an_expired_proof_is_refused(settings, anonymous_consultation):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 0
    settings.POW_MAX_AGE = 30 * 60
    proof = solved(anonymous_consultation)
    with time_machine.travel(timedelta(minutes=31)), pytest.raises(ProofRequired):
        answer_as_a_new_person(anonymous_consultation, proof)
    assert not Response.objects.exists()


def test_a_cache_outage_lets_anonymous_answers_through(settings, anonymous_consultation, caplog):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 0
    settings.CACHES = {"default": DEAD_REDIS_CACHE}
    answer_as_a_new_person(anonymous_consultation)
    assert Response.objects.count() == 1
    assert "cache unavailable" in caplog.text  # the outage was met, and let the answer through


def test_leading_zero_bits():
    assert proofs.leading_zero_bits(bytes([0, 0, 0x80])) == 16
    assert proofs.leading_zero_bits(bytes([0, 0x01])) == 15
    assert proofs.leading_zero_bits(bytes([0xFF])) == 0
    assert proofs.leading_zero_bits(bytes(4)) == 32


# --- in the browser's place: the answering page ---------------------------------------------


def answer_url(consultation) -> str:
    return reverse("ecoute:answer", kwargs={"slug": consultation.slug})


def unsolving(challenge: proofs.Challenge) -> str:
    """A counter that does not solve `challenge`."""
    return next(
        str(n)
        for n in range(10_000)
        if proofs.leading_zero_bits(proofs.proof_digest(challenge.token, str(n)))
        < challenge.difficulty
    )


def page_and_post(consultation, *, solve: bool = True):
    """A new person on the shared connection: opens the page, answers, solves the proof the
    page carries (in Python, as static/js/ecoute-pow.js does), or sends a wrong one."""
    browser = Client(REMOTE_ADDR=SHARED_ADDRESS)
    page = browser.get(answer_url(consultation))
    question = consultation.questionnaire.questions.get()
    data = {"etape": 1, f"q{question.pk}": option(question, "Oui").pk}
    challenge = page.context["challenge"]
    if challenge is not None:
        data["defi"] = challenge.token
        data["preuve"] = proofs.solve(challenge) if solve else unsolving(challenge)
    return page, browser.post(answer_url(consultation), data)


def test_the_page_asks_the_proof_past_the_threshold_and_keeps_the_answers_when_refused(
    settings, anonymous_consultation
):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 2
    for _ in range(2):
        page, sent = page_and_post(anonymous_consultation)
        assert page.context["challenge"] is None
        assert "ecoute-pow.js" not in page.content.decode()
        assert sent.status_code == 302

    page, refused = page_and_post(anonymous_consultation, solve=False)
    html = page.content.decode()
    assert page.context["challenge"] is not None
    assert 'src="/static/js/ecoute-pow.js"' in html
    assert 'role="status"' in html
    assert 'aria-live="polite"' in html
    assert "<noscript>" in html
    assert refused.status_code == 429
    body = refused.content.decode()
    assert PROOF_REFUSED in body
    question = anonymous_consultation.questionnaire.questions.get()
    kept = re.search(
        rf'name="q{question.pk}" value="{option(question, "Oui").pk}"[^>]*checked', body
    )
    assert kept, "the answer given is still selected"
    assert refused.context["challenge"] is not None  # a fresh challenge to solve this time
    assert Response.objects.count() == 2

    page, sent = page_and_post(anonymous_consultation)
    assert sent.status_code == 302
    assert Response.objects.count() == 3


def test_a_signed_in_person_is_never_asked_a_proof(settings, anonymous_consultation, citizen):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 0
    browser = Client(REMOTE_ADDR=SHARED_ADDRESS)
    browser.force_login(citizen)
    page = browser.get(answer_url(anonymous_consultation))
    assert page.context["challenge"] is None
