"""The portfolio's part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel
"home", registered in ProjectsConfig.ready()): gate reviews to decide for the lab, the
sponsored projects and their reviews for a directorate, the Caf's deployments for its
correspondent, the incubated projects a partner works on. A fixed number of queries per role."""

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingEntry, WaitingItem, first_rows_counted, waiting_panel
from projects.models import Deployment, GateReview, Project, Track

SHOWN = 5  # entries under an item
# A deployment whose page has not moved for this long is one its Caf should update.
DEPLOYMENT_STALE_DAYS = 90


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if user.is_lab_staff:
        items = lab_items()
    elif user.is_directorate_member and user.directorate_id:
        items = directorate_items(user)
    elif user.is_correspondent and user.caf_id:
        items = correspondent_items(user)
    elif user.is_partner and user.partner_id:
        items = partner_items(user)
    else:
        return None
    return waiting_panel(_("Portefeuille"), items, key="portefeuille")


def _review_entries(reviews: Any, today: datetime.date) -> tuple[WaitingEntry, ...]:
    """The reviews to decide first (the most overdue), each linking to its page."""
    rows = reviews.select_related("project").order_by(
        F("due_on").asc(nulls_last=True), "created_at", "pk"
    )[:SHOWN]
    entries = []
    for review in rows:
        note, late = "", False
        if review.due_on:
            late = review.due_on < today
            day = formats.date_format(review.due_on, "SHORT_DATE_FORMAT")
            note = (
                _("en retard, à décider avant le %(day)s")
                if late
                else _("à décider avant le %(day)s")
            ) % {"day": day}
        entries.append(
            WaitingEntry(
                label=f"{review.project.code} – {review.project.title} : "
                f"{review.get_from_stage_display()} → {review.get_to_stage_display()}",
                url=reverse(
                    "projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk}
                ),
                note=note,
                urgent=late,
            )
        )
    return tuple(entries)


def _reviews_item(reviews: Any, label: Callable[[int], str], url: str | None) -> WaitingItem:
    today = timezone.localdate()
    counts = reviews.aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    n, late = counts["n"], counts["late"]
    return WaitingItem(
        label=label(n),
        url=url,
        count=n,
        urgency=ngettext("%(n)s en retard", "%(n)s en retard", late) % {"n": late} if late else "",
        entries=_review_entries(reviews, today) if n else (),
    )


def lab_items() -> list[WaitingItem]:
    """Gate reviews requested and not decided yet, the overdue ones counted apart: two queries
    (the counts, the first ones to decide)."""
    return [
        _reviews_item(
            GateReview.objects.pending(),
            lambda n: ngettext("revue de passage à décider", "revues de passage à décider", n),
            url_or_none("projects:dashboard"),
        )
    ]


def directorate_items(user: Any) -> list[WaitingItem]:
    """The projects the directorate sponsors (a project's `sponsor`) and their gate reviews,
    which the lab decides: three queries at most."""
    sponsored = Project.objects.visible_to(user).filter(sponsor=user.directorate_id)
    n_projects = sponsored.active().count()
    projects_url = url_or_none("projects:index")
    if projects_url and n_projects:
        # The list filtered on the directorate (one query for its acronym, kept on the user).
        projects_url = f"{projects_url}?{urlencode({'sponsor': user.directorate.acronym})}"
    return [
        WaitingItem(
            label=ngettext(
                "projet en cours parrainé par votre direction",
                "projets en cours parrainés par votre direction",
                n_projects,
            ),
            url=projects_url,
            count=n_projects,
        ),
        _reviews_item(
            GateReview.objects.pending().filter(project__in=sponsored.values("pk")),
            lambda n: ngettext(
                "revue de passage à venir sur vos projets",
                "revues de passage à venir sur vos projets",
                n,
            ),
            url_or_none("projects:dashboard"),
        ),
    ]


def correspondent_items(user: Any) -> list[WaitingItem]:
    """The Caf's deployments under way (interested, preparing, running), those whose page has
    not moved for DEPLOYMENT_STALE_DAYS counted apart and listed first: one query."""
    stale_before = timezone.now() - datetime.timedelta(days=DEPLOYMENT_STALE_DAYS)
    under_way = Deployment.objects.filter(
        caf=user.caf_id,
        status__in=[
            Deployment.Status.INTERESTED,
            Deployment.Status.PREPARING,
            Deployment.Status.RUNNING,
        ],
    )
    rows, counts = first_rows_counted(
        under_way.select_related("project").order_by("updated_at", "pk"),
        SHOWN,
        n=Count("pk"),
        stale=Count("pk", filter=Q(updated_at__lt=stale_before)),
    )
    n, stale = counts["n"], counts["stale"]
    entries = tuple(
        WaitingEntry(
            label=f"{d.project.code} – {d.project.title} ({d.get_status_display()})",
            url=reverse("projects:deployment", kwargs={"pk": d.pk}),
            note=_("sans mise à jour depuis plus de 3 mois") if d.updated_at < stale_before else "",
            urgent=d.updated_at < stale_before,
        )
        for d in rows
    )
    return [
        WaitingItem(
            label=ngettext(
                "essaimage de votre Caf à tenir à jour",
                "essaimages de votre Caf à tenir à jour",
                n,
            ),
            url=url_or_none("projects:map"),
            count=n,
            urgency=ngettext("%(n)s sans nouvelles", "%(n)s sans nouvelles", stale) % {"n": stale}
            if stale
            else "",
            entries=entries,
        )
    ]


def partner_items(user: Any) -> list[WaitingItem]:
    """The incubated projects the partner's organisation works on: two queries."""
    theirs = Project.objects.visible_to(user).active().filter(track=Track.LOCAL_INCUBATOR)
    n = theirs.count()
    entries: tuple[WaitingEntry, ...] = ()
    if n:
        entries = tuple(
            WaitingEntry(
                label=f"{p.code} – {p.title}",
                url=reverse("projects:detail", kwargs={"code": p.code}),
                note=p.get_stage_display(),
            )
            for p in theirs.order_by("-updated_at", "pk").only("code", "title", "stage")[:SHOWN]
        )
    url = url_or_none("projects:index")
    return [
        WaitingItem(
            label=ngettext(
                "projet incubé auquel vous participez",
                "projets incubés auxquels vous participez",
                n,
            ),
            url=f"{url}?{urlencode({'track': Track.LOCAL_INCUBATOR})}" if url else None,
            count=n,
            entries=entries,
        )
    ]
