"""What the public écoute pages show the same to every visitor (the consultation list, a
published restitution), cached under a version key: any change of a consultation, its
restitution, decisions, contributions or their answers bumps the version, so the next visit
reads the change at once (the old entries expire on their own).

The version is bumped by signals (connected in EcouteConfig.ready) and, for the changes made
by queryset updates or bulk writes that send none, by the services that make them.
A cache outage (Redis down) degrades to computing the page: never to an error.
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "ecoute:public:version"
# An entry lives at most this long (a change missed by the signals shows within it).
TIMEOUT = 5 * 60

T = TypeVar("T")


def public_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def public_changed() -> None:
    """Bump the version now, and again once the current transaction commits: a visit between
    the change and its commit may have cached the old data under the first new key."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def cached_public(name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value, shared by every public visitor until the next change."""
    key = f"ecoute:public:{public_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def is_public_visitor(user: Any) -> bool:
    """Sees exactly the public consultations: an anonymous visitor (signed-in users may manage
    some, belong to a community or to the network)."""
    return not user.is_authenticated


def _changed(**kwargs: Any) -> None:
    public_changed()


def connect() -> None:
    from ecoute.models import (
        Consultation,
        Contribution,
        Decision,
        OfficialAnswer,
        Recruitment,
        Restitution,
    )

    for model in (Consultation, Restitution, Decision, Contribution, OfficialAnswer, Recruitment):
        uid = f"ecoute.public_cache.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
