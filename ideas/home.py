"""The idea box's part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel
"home", registered in IdeasConfig.ready()): the triage queue for the lab (every idea) and the
correspondents (their Caf's), and for everyone else in the network what became of their ideas."""

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingItem, status_news, waiting_panel
from ideas.models import Idea, IdeaStatusChange

SHOWN = 5
# An idea submitted this long ago and still in the queue is late for an answer.
TRIAGE_LATE_DAYS = 30


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not (user.is_authenticated and user.is_network_member):
        return None
    items = []
    if user.is_lab_staff or user.is_correspondent:
        items.append(triage_item(user))
    if not user.is_lab_staff:
        items.append(my_ideas_item(user))
    return waiting_panel(_("Idées"), items, key="idees")


def triage_item(user: Any) -> WaitingItem:
    """The queue's size and its late part, in one query."""
    late_before = timezone.now() - datetime.timedelta(days=TRIAGE_LATE_DAYS)
    counts = Idea.objects.triage_queue_for(user).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(created_at__lt=late_before))
    )
    n, late = counts["n"], counts["late"]
    return WaitingItem(
        label=ngettext("idée à trier", "idées à trier", n),
        url=url_or_none("ideas:triage"),
        count=n,
        urgency=ngettext(
            "%(n)s en attente depuis plus d’un mois",
            "%(n)s en attente depuis plus d’un mois",
            late,
        )
        % {"n": late}
        if late
        else "",
    )


def my_ideas_item(user: Any) -> WaitingItem:
    """Where the ideas the user wrote or co-wrote stand: the latest move of each, made by
    someone else (the triage's answers), the most recent first, in one query."""
    newer = IdeaStatusChange.objects.filter(
        idea=OuterRef("idea"), changed_at__gt=OuterRef("changed_at")
    )
    # The user's ideas as a UNION (the authors' index, then the co-authors'), then their
    # changes by idea: with an OR, PostgreSQL walked every status change by date (36 ms on
    # the national dataset, 0.2 ms this way).
    mine = (
        Idea.objects.filter(author=user)
        .values("pk")
        .union(Idea.co_authors.through.objects.filter(user=user).values("idea"))
    )
    changes = (
        IdeaStatusChange.objects.filter(idea__in=mine)
        .exclude(from_status="")
        .exclude(changed_by=user)
        .exclude(Exists(newer))
        .select_related("idea")
        .order_by("-changed_at", "-pk")[:SHOWN]
    )
    return WaitingItem(
        label=_("Ce que sont devenues vos idées"),
        url=url_or_none("ideas:my-ideas"),
        entries=tuple(
            status_news(
                change.idea.title,
                reverse("ideas:idea-detail", kwargs={"pk": change.idea_id}),
                change.get_to_status_display(),
                change.changed_at,
            )
            for change in changes
        ),
    )
