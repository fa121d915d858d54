"""The incubator's part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel
"home", registered in IncubatorConfig.ready()): for the lab, the applications waiting for a
decision in the closed calls; for network members and partners, the calls open to them and
what became of their applications. A fixed number of queries whatever the rows."""

from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingEntry, WaitingItem, first_rows_counted, waiting_panel
from incubator.models import Application, Call

SHOWN = 3


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not (user.is_authenticated and user.is_active) or getattr(user, "is_pending", False):
        return None
    if user.is_lab_staff:
        return _lab(user)
    if not (user.is_network_member or user.is_partner):
        return None
    return _applicant(user)


def _applicant(user: Any) -> dict[str, Any] | None:
    """The calls open to `user` and their own applications, in one query: the person's drafts
    first, then the calls they may still apply to, then what became of their applications."""
    today = timezone.localdate()
    audiences = (
        [Call.Audience.AGENTS, Call.Audience.BOTH]
        if user.is_network_member
        else [Call.Audience.PARTNERS, Call.Audience.BOTH]
    )
    mine = Application.objects.filter(call=OuterRef("pk"), applicant=user)
    calls = list(
        Call.objects.filter(
            Q(Exists(mine))
            | Q(
                status=Call.Status.OPEN,
                opens_on__lte=today,
                closes_on__gte=today,
                audience__in=audiences,
            )
        )
        .annotate(
            my_pk=Subquery(mine.values("pk")[:1]),
            my_title=Subquery(mine.values("title")[:1]),
            my_status=Subquery(mine.values("status")[:1]),
            my_decision=Subquery(mine.values("decision")[:1]),
            rank=Case(
                When(my_status=Application.Status.DRAFT, then=Value(0)),
                When(my_pk__isnull=True, then=Value(1)),
                default=Value(2),
            ),
        )
        .only("pk", "slug", "title", "closes_on")
        .order_by("rank", "closes_on", "pk")[:SHOWN]
    )
    statuses = dict(Application.Status.choices)
    decisions = dict(Application.Decision.choices)
    entries = []
    for call in calls:
        if call.my_pk is None:
            entries.append(
                WaitingEntry(
                    label=call.title,
                    url=call.get_absolute_url(),
                    note=_("candidatures jusqu’au %(day)s")
                    % {"day": formats.date_format(call.closes_on, "SHORT_DATE_FORMAT")},
                )
            )
            continue
        entries.append(
            WaitingEntry(
                label=_("Votre candidature « %(title)s »") % {"title": call.my_title},
                url=reverse("incubator:application", kwargs={"pk": call.my_pk}),
                note=decisions.get(call.my_decision) or statuses.get(call.my_status, ""),
                urgent=call.my_status == Application.Status.DRAFT,
            )
        )
    item = WaitingItem(
        label=_("Appels à projets et candidatures"),
        url=url_or_none("incubator:index"),
        entries=tuple(entries),
    )
    return waiting_panel(_("Incubateur"), [item], key="incubateur")


def _lab(user: Any) -> dict[str, Any] | None:
    """The submitted applications of the closed calls still without a decision (one query)."""
    undecided = (
        Application.objects.submitted()
        .filter(call__status=Call.Status.CLOSED, decision="")
        .select_related("call")
        .only("pk", "title", "call__title", "call__slug")
        .order_by("submitted_at", "pk")
    )
    rows, counts = first_rows_counted(undecided, SHOWN, n=Count("pk"))
    item = WaitingItem(
        label=_("Candidatures à décider"),
        url=url_or_none("incubator:index"),
        count=counts["n"],
        entries=tuple(
            WaitingEntry(
                label=application.title,
                url=url_or_none("incubator:ranking", slug=application.call.slug),
                note=application.call.title,
            )
            for application in rows
        ),
    )
    return waiting_panel(_("Incubateur"), [item], key="incubateur")
