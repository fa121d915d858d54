"""A proof of work asked of a browser instead of a third-party captcha: nothing leaves the
server, nothing about the person is stored or sent anywhere.

The server issues a challenge, a string signed with SECRET_KEY (django.core.signing) carrying its
date, a random nonce, the difficulty and what it is for (`scope`). The browser
(static/js/ecoute-pow.js) looks for a counter such that sha256(challenge + counter) begins with
`difficulty` zero bits, about 2**difficulty hashes: a second or so for one person, a real cost
for a script sending thousands of answers. The server checks the signature, the age, the scope,
the difficulty and the hash, and accepts a challenge once (its nonce is remembered in the cache
until it expires).
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "caflab.core.pow"
MAX_COUNTER_LENGTH = 20


class ProofError(Exception):
    """A proof that cannot be accepted; `reason` says why (for tests and logs, never shown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Challenge:
    token: str
    difficulty: int


def default_difficulty() -> int:
    return settings.POW_DIFFICULTY


def challenge_issue(*, scope: str, difficulty: int | None = None) -> Challenge:
    """A new signed challenge for `scope` (e.g. "ecoute:12")."""
    bits = default_difficulty() if difficulty is None else difficulty
    token = signing.dumps(
        {"s": scope, "n": secrets.token_urlsafe(12), "d": bits}, salt=SALT, compress=False
    )
    return Challenge(token=token, difficulty=bits)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def proof_digest(token: str, counter: str) -> bytes:
    return hashlib.sha256(f"{token}{counter}".encode()).digest()


def solve(challenge: Challenge) -> str:
    """The counter that solves `challenge`, as the browser finds it (used by tests)."""
    counter = 0
    while leading_zero_bits(proof_digest(challenge.token, str(counter))) < challenge.difficulty:
        counter += 1
    return str(counter)


def proof_verify(*, scope: str, token: str, counter: str) -> None:
    """Accept a solved challenge once, or raise ProofError: missing, forged or for another
    scope, expired (POW_MAX_AGE seconds), easier than POW_DIFFICULTY, wrong, or replayed."""
    if not token or not counter:
        raise ProofError("missing")
    if len(counter) > MAX_COUNTER_LENGTH or not counter.isdigit():
        raise ProofError("malformed")
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.POW_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ProofError("expired") from exc
    except signing.BadSignature as exc:
        raise ProofError("forged") from exc
    if not isinstance(data, dict) or data.get("s") != scope:
        raise ProofError("scope")
    difficulty = data.get("d")
    if not isinstance(difficulty, int) or difficulty < settings.POW_DIFFICULTY:
        raise ProofError("too easy")
    if leading_zero_bits(proof_digest(token, counter)) < difficulty:
        raise ProofError("wrong")
    nonce = str(data.get("n", ""))
    # Single use: the first to record the nonce wins; a replay finds it already there. A cache
    # outage refuses the proof (the rate limit that asked for it is then off anyway).
    try:
        first = cache.add(f"pow:used:{nonce}", 1, timeout=settings.POW_MAX_AGE + 60)
    except Exception as exc:
        raise ProofError("cache unavailable") from exc
    if not first:
        raise ProofError("replayed")
