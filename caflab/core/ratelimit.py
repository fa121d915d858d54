"""Counting actions per visitor, account or address in a window: one helper for every limit
(sign-ups, anonymous answers, password-reset requests, people search).

The counter lives in the cache (Redis in production) under a keyed hash of what it counts, so
neither an address nor an e-mail is ever written in clear, in the cache or in the database. A
cache outage lets the action through: a limit is a brake, never a reason to refuse service
(the actions it guards have their own safeguards: participation tokens, confirmation links).
"""

import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# One IPv6 subscriber holds a whole /64: counting single addresses would let them rotate.
IPV6_PREFIX = 64


def _key(scope: str, identity: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}|{identity}".encode(), hashlib.sha256
    ).hexdigest()
    return f"ratelimit:{scope}:{digest[:40]}"


def rate_limit_count(scope: str, identity: str | None, *, window: int) -> int | None:
    """Count one action of `identity` in `scope` and return how many were counted in the
    current window of `window` seconds, this one included; None when it cannot be counted (no
    identity, cache unavailable)."""
    if not identity:
        return None
    key = _key(scope, identity)
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception as exc:  # any cache failure: let the action through
        logger.warning("Rate limit %s not counted, cache unavailable (%s).", scope, exc)
        return None
    # django-redis with IGNORE_EXCEPTIONS answers None while Redis is down.
    return count or None


def rate_limit_peek(scope: str, identity: str | None) -> int:
    """How many actions of `identity` were counted in `scope`'s current window, without counting
    one more (0 when unknown)."""
    if not identity:
        return 0
    try:
        return int(cache.get(_key(scope, identity)) or 0)
    except Exception:  # a cache failure: nothing known
        return 0


def rate_limit_hit(scope: str, identity: str | None, *, limit: int, window: int) -> bool:
    """Count one action of `identity` (an address, an account…) in `scope`; True once more than
    `limit` actions were counted in the current window of `window` seconds. An empty identity
    is never limited (nothing to count it by)."""
    count = rate_limit_count(scope, identity, window=window)
    return bool(count and count > limit)


def address_identity(client_ip: str | None) -> str | None:
    """What an address is counted by: the address itself for IPv4, its /64 for IPv6."""
    if not client_ip:
        return None
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return f"ip:{client_ip}"
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False)
        return f"ip:{network}"
    return f"ip:{address}"
