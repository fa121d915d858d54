"""The events' part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel "home",
registered in EventsConfig.ready()): the person's coming registrations, the nearest first, in
one query whatever their number."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingEntry, WaitingItem, waiting_panel
from events.models import Event, Registration

SHOWN = 3


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not user.is_authenticated or getattr(user, "is_pending", False):
        return None
    registrations = (
        Registration.objects.live()
        .filter(user=user, event__ends_at__gte=timezone.now())
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event")
        .only("pk", "status", "event__id", "event__title", "event__starts_at")
        .order_by("event__starts_at", "pk")[:SHOWN]
    )
    entries = tuple(
        WaitingEntry(
            label=registration.event.title,
            url=reverse("events:detail", kwargs={"pk": registration.event.pk}),
            note=(
                _("le %(day)s, sur liste d’attente")
                if registration.status == Registration.Status.WAITING
                else _("le %(day)s")
            )
            % {
                "day": formats.date_format(
                    timezone.localtime(registration.event.starts_at), "SHORT_DATETIME_FORMAT"
                )
            },
        )
        for registration in registrations
    )
    item = WaitingItem(
        label=_("Vos prochaines inscriptions"), url=url_or_none("events:mine"), entries=entries
    )
    return waiting_panel(_("Formations et événements"), [item], key="evenements")
