""" "Mes inscriptions" as a calendar a calendar application subscribes to: a URL carrying a
signed token (`django.core.signing`), read without a session.

The token names the person and the version of their link (`CalendarKey`); regenerating the
link bumps the version, so an older URL answers 404, and so does a token whose signature does
not check. The calendar lists the person's live registrations: confirmed ones, and waiting-list
ones marked as such (TENTATIVE, "[Liste d'attente]")."""

import dataclasses
import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from caflab.accounts.models import User
from caflab.core import ical as core_ical
from events import ical
from events.models import CalendarKey, Event, Registration

SALT = "events.calendar"
# The nearest registrations first, and no older than this: a calendar is about what comes.
PAST_DAYS = 90
MAX_ENTRIES = 300


def version_of(user: User) -> int:
    """The current version of the person's link: 1 until they first regenerate it (no row is
    written before that, so showing the link never writes)."""
    version = CalendarKey.objects.filter(user=user).values_list("version", flat=True).first()
    return version or 1


def token_for(user: User, version: int) -> str:
    return signing.dumps({"u": user.pk, "v": version}, salt=SALT, compress=True)


def url_for(user: User) -> str:
    """The person's subscription path (one query)."""
    token = token_for(user, version_of(user))
    return reverse("events:personal-feed", kwargs={"token": token})


def user_for(token: str) -> User | None:
    """The active person a token names at its current version; None for a bad signature, a
    revoked (older) version or an inactive account. One query."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, version = int(data["u"]), int(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    current = CalendarKey.objects.filter(user=OuterRef("pk")).values("version")[:1]
    user = (
        User.objects.filter(pk=user_id, is_active=True)
        .annotate(link_version=Coalesce(Subquery(current), Value(1)))
        .first()
    )
    if user is None or user.link_version != version:
        return None
    return user


@transaction.atomic
def calendar_key_rotate(*, user: User) -> int:
    """A new link for `user`: every earlier one stops working at once. Returns the version."""
    key, _created = CalendarKey.objects.select_for_update().get_or_create(user=user)
    key.version += 1
    key.rotated_at = timezone.now()
    key.save(update_fields=["version", "rotated_at"])
    return key.version


def calendar_for(user: User, now: datetime.datetime | None = None) -> bytes:
    """The person's live registrations from PAST_DAYS ago on, as an iCalendar file (the
    entries are the events' own, `events.ical.entry`, written by `caflab.core.ical`)."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.live()
        .filter(user=user, event__ends_at__gte=now - datetime.timedelta(days=PAST_DAYS))
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event")
        .order_by("event__starts_at", "pk")[:MAX_ENTRIES]
    )
    calendar = Calendar()
    calendar.add("prodid", ical.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("CafLab : mes inscriptions"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Calendar applications poll a subscription: every six hours is enough.
    calendar.add("refresh-interval", datetime.timedelta(hours=6), parameters={"value": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    stamp = now.astimezone(datetime.UTC).replace(microsecond=0)
    for registration in registrations:
        entry = ical.entry(registration.event)
        waiting = registration.status == Registration.Status.WAITING
        if waiting:
            entry = dataclasses.replace(
                entry, summary=_("[Liste d’attente] %(summary)s") % {"summary": entry.summary}
            )
        item = core_ical.vevent(entry, stamp=stamp)
        if waiting and not entry.cancelled:
            item.pop("status")
            item.add("status", "TENTATIVE")  # on the waiting list: not sure to have a seat
        calendar.add_component(item)
    return calendar.to_ical()


def feed_response(user: User) -> HttpResponse:
    """The calendar, shown inline (a calendar application subscribes to it; a browser may
    download it), never cached, never indexed."""
    response = core_ical.ical_response(calendar_for(user), "mes-inscriptions.ics")
    response["Content-Disposition"] = 'inline; filename="mes-inscriptions.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
