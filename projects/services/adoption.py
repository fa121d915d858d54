"""Essaimage reach for the director's cockpit (projects.services.dashboard): the Caf with the
most live deployments of a set of projects, and the deployments started month by month (the
adoption curve), each counted by the database in one query whatever the number of rows."""

import datetime
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from caflab.network.models import Caf
from projects.models import Deployment, DeploymentChange

# Months of the adoption curve.
ADOPTION_MONTHS = 12
# A deployment "started" when it first went running (or straight to sustained).
STARTED = (Deployment.Status.RUNNING, Deployment.Status.SUSTAINED)
# Caf listed by the live deployments chart.
TOP_CAFS = 15


def month_start(day: datetime.date, months_back: int = 0) -> datetime.date:
    """The first day of `day`'s month, or of the month `months_back` months before."""
    month = day.year * 12 + day.month - 1 - months_back
    return datetime.date(month // 12, month % 12 + 1, 1)


def live_cafs(ids: Any) -> tuple[list[Caf], int]:
    """The Caf with the most live deployments of the projects `ids` (a values("pk") query),
    each with its count as `n`, and how many Caf have one at least (2 queries)."""
    live = Deployment.objects.live().filter(project__in=ids)
    cafs = []
    for row in (
        live.order_by()
        .values("caf", "caf__code", "caf__name", "caf__position")
        .annotate(n=Count("pk"))
        .order_by("-n", "caf__position")[:TOP_CAFS]
    ):
        caf = Caf(pk=row["caf"], code=row["caf__code"], name=row["caf__name"])
        caf.n = row["n"]
        cafs.append(caf)
    return cafs, live.aggregate(n=Count("caf", distinct=True))["n"]


def started_per_month(ids: Any, today: datetime.date) -> dict[datetime.date, int]:
    """Deployments of the projects `ids` started (first running) in each of the last
    ADOPTION_MONTHS months, oldest first (1 query): the first start of each deployment, grouped
    by month by the database, then placed in the site's time zone; a dozen rows, not one per
    deployment."""
    first_month = month_start(today, ADOPTION_MONTHS - 1)
    first_start = (
        DeploymentChange.objects.filter(deployment=OuterRef("pk"), to_status__in=STARTED)
        .order_by("changed_at")
        .values("changed_at")[:1]
    )
    started = (
        Deployment.objects.filter(project__in=ids)
        .annotate(first=Subquery(first_start))
        .filter(first__date__gte=first_month)
        .annotate(month=TruncMonth("first"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    months = [month_start(today, back) for back in range(ADOPTION_MONTHS - 1, -1, -1)]
    per_month = dict.fromkeys(months, 0)
    for moment, n in started:
        month = month_start(timezone.localdate(moment))
        if month in per_month:
            per_month[month] += n
    return per_month
