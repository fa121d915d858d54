"""Consultations another app reserves to people it names: an event's satisfaction questionnaire
is read and answered by the people who came to the event, and by nobody else (its managers
excepted). A higher app registers a `Reservation` from its `AppConfig.ready()`; écoute never
imports it.

A reserved consultation stays out of the public lists (`ConsultationQuerySet.unreserved`, the
index cached per visibility key), is visible to the people the reservation names
(`ConsultationQuerySet.visible_to`) and answered by them only (`ecoute.permissions`). Its access
is "community" with no community: nobody reads it through its access, only through the
reservation, which costs the other consultations no query. Managers (the lab, moderators, the
Caf's correspondent) see it as any other consultation: its results, its exports."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Reservation:
    """`reserved()`: the ids of the consultations the app reserves (a values query, used as a
    subquery); `open_to(user)`: among them, the ids of those `user` may read and answer."""

    name: str
    reserved: Callable[[], QuerySet]
    open_to: Callable[[Any], QuerySet]


_reservations: dict[str, Reservation] = {}


def register_reservation(reservation: Reservation) -> None:
    _reservations[reservation.name] = reservation


def reserved_q() -> Q | None:
    """A filter matching every reserved consultation (None when no app reserves any)."""
    query: Q | None = None
    for reservation in _reservations.values():
        part = Q(pk__in=reservation.reserved())
        query = part if query is None else query | part
    return query


def open_to_q(user: Any) -> Q | None:
    """A filter matching the reserved consultations `user` may read and answer."""
    if not (user.is_authenticated and user.is_active):
        return None
    query: Q | None = None
    for reservation in _reservations.values():
        part = Q(pk__in=reservation.open_to(user))
        query = part if query is None else query | part
    return query


def is_open_to(user: Any, consultation: Any) -> bool:
    """Whether a reservation names `user` for `consultation` (one query; False when no app
    reserves any)."""
    allowed = open_to_q(user)
    if allowed is None:
        return False
    return type(consultation).objects.filter(allowed, pk=consultation.pk).exists()
