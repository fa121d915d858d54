"""La Caf à votre écoute's part of the home's "Ce qui vous attend" (caflab.core.waiting; page
panel "home", registered in EcouteConfig.ready()): restitutions due and overdue for the lab and
the correspondents (their Caf's consultations); for everyone else, the consultations open to
them and the official answers to their contributions. A fixed number of queries per role."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.core.navigation import url_or_none
from caflab.core.waiting import (
    WaitingEntry,
    WaitingItem,
    first_rows_counted,
    status_news,
    waiting_panel,
)
from ecoute.models import Consultation, OfficialAnswer

SHOWN = 5


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not user.is_authenticated or getattr(user, "is_pending", False):
        return None
    if user.is_lab_staff or (user.is_correspondent and user.caf_id):
        items = [restitutions_item(user)]
        if user.is_correspondent:
            items.append(open_consultations_item(user))
    else:
        items = [open_consultations_item(user), answers_item(user)]
    return waiting_panel(_("La Caf à votre écoute"), items, key="ecoute")


def restitutions_item(user: Any) -> WaitingItem:
    """Closed consultations that owe their participants a restitution (`restitution_due`), the
    overdue ones (`restitution_overdue`) counted apart and listed first: one query."""
    today = timezone.localdate()
    managed = Consultation.objects.managed_by(user)
    overdue = managed.restitution_overdue(today)
    rows, counts = first_rows_counted(
        managed.restitution_due()
        .with_restitution_state(today)
        .only("pk", "title", "closes_at")
        .order_by("closes_at", "pk"),
        SHOWN,
        n=Count("pk"),
        late=Count("pk", filter=Q(pk__in=overdue.values("pk"))),
    )
    n, late = counts["n"], counts["late"]
    entries = tuple(
        WaitingEntry(
            label=consultation.title,
            url=reverse("ecoute:restitution-edit", kwargs={"pk": consultation.pk}),
            note=(
                _("restitution en retard, close le %(day)s")
                if consultation.restitution_state == "overdue"
                else _("close le %(day)s")
            )
            % {
                "day": formats.date_format(
                    timezone.localtime(consultation.closes_at), "SHORT_DATE_FORMAT"
                )
            },
            urgent=consultation.restitution_state == "overdue",
        )
        for consultation in rows
    )
    url = url_or_none("ecoute:manage")
    return WaitingItem(
        label=ngettext("restitution attendue", "restitutions attendues", n),
        url=f"{url}?{urlencode({'restitution': 'due'})}" if url else None,
        count=n,
        urgency=ngettext("%(n)s en retard", "%(n)s en retard", late) % {"n": late} if late else "",
        entries=entries,
    )


def open_consultations_item(user: Any) -> WaitingItem:
    """The open consultations the user may read that consult people like them (citizens, or
    agents for the network's members): the nearest to close first, one query."""
    if user.is_network_member:
        audiences = [Consultation.Audience.AGENTS, Consultation.Audience.BOTH]
    else:
        audiences = [Consultation.Audience.CITIZENS, Consultation.Audience.BOTH]
    rows = (
        Consultation.objects.visible_to(user)
        .open()
        .filter(audience__in=audiences)
        .only("pk", "title", "slug", "closes_at")
        .order_by("closes_at", "pk")[:SHOWN]
    )
    return WaitingItem(
        label=_("Consultations ouvertes où donner votre avis"),
        url=url_or_none("ecoute:index"),
        entries=tuple(
            WaitingEntry(
                label=consultation.title,
                url=reverse("ecoute:detail", kwargs={"slug": consultation.slug}),
                note=_("jusqu’au %(day)s")
                % {
                    "day": formats.date_format(
                        timezone.localtime(consultation.closes_at), "SHORT_DATE_FORMAT"
                    )
                },
            )
            for consultation in rows
        ),
    )


def answers_item(user: Any) -> WaitingItem:
    """The latest official answer to each of the user's latest answered contributions: one
    query."""
    newer = OfficialAnswer.objects.filter(
        contribution=OuterRef("contribution"), created_at__gt=OuterRef("created_at")
    )
    answers = (
        OfficialAnswer.objects.filter(contribution__author=user)
        .exclude(answered_by=user)
        .exclude(Exists(newer))
        .select_related("contribution")
        .only("pk", "status", "created_at", "contribution__id", "contribution__title")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    return WaitingItem(
        label=_("Les réponses à vos contributions"),
        url=None,
        entries=tuple(
            status_news(
                answer.contribution.title,
                reverse("ecoute:contribution-detail", kwargs={"pk": answer.contribution.pk}),
                answer.get_status_display(),
                answer.created_at,
            )
            for answer in answers
        ),
    )
