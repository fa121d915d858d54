"""The evaluation's part of the home's "Ce qui vous attend" (caflab.core.waiting; page panel
"home", registered in EvaluationConfig.ready()): the impact reports ready to be read and
published, for the lab; the measurements due for their Caf, for a correspondent. A fixed
number of queries per role."""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.core.navigation import url_or_none
from caflab.core.waiting import WaitingEntry, WaitingItem, first_rows_counted, waiting_panel
from evaluation.models import ImpactReport, Indicator, Measurement
from evaluation.services.indicators import MONTHS_PER_PERIOD, period_label, previous_period
from projects.models import Deployment, Stage

SHOWN = 5
# Where an innovation is measured in a Caf: its pilot Caf, and the Caf where it runs.
MEASURED_DEPLOYMENTS = (
    Deployment.Status.PREPARING,
    Deployment.Status.RUNNING,
    Deployment.Status.SUSTAINED,
)


def context(request: HttpRequest, user: Any) -> dict[str, Any] | None:
    if not user.is_authenticated:
        return None
    if user.is_lab_staff:
        items = [reports_ready_item()]
    elif user.is_correspondent and user.caf_id:
        items = [measurements_due_item(user)]
    else:
        return None
    return waiting_panel(_("Évaluation"), items, key="evaluation")


def reports_ready_item() -> WaitingItem:
    """Impact reports built and not published yet, the latest first: two queries."""
    ready = ImpactReport.objects.filter(status=ImpactReport.Status.READY, is_published=False)
    n = ready.count()
    entries: tuple[WaitingEntry, ...] = ()
    if n:
        entries = tuple(
            WaitingEntry(
                label=report.title,
                url=reverse("evaluation:report-detail", kwargs={"pk": report.pk}),
                note=_("prêt le %(day)s")
                % {
                    "day": formats.date_format(
                        timezone.localtime(report.updated_at), "SHORT_DATE_FORMAT"
                    )
                },
            )
            for report in ready.only("pk", "title", "updated_at").order_by("-updated_at", "-pk")[
                :SHOWN
            ]
        )
    return WaitingItem(
        label=ngettext(
            "rapport d’impact prêt à relire et publier",
            "rapports d’impact prêts à relire et publier",
            n,
        ),
        url=url_or_none("evaluation:index"),
        count=n,
        entries=entries,
    )


def due_measurements(caf_id: int) -> Any:
    """The indicators of the live projects measured in the Caf (its pilot Caf, or deployed
    there) whose period that just ended has no measurement for that Caf: one query, whatever
    the number of frequencies (one condition each)."""
    today = timezone.localdate()
    missing = [
        Q(frequency=frequency)
        & ~Exists(
            Measurement.objects.filter(
                indicator=OuterRef("pk"), caf=caf_id, period=previous_period(today, frequency)
            )
        )
        for frequency in MONTHS_PER_PERIOD
    ]
    deployed = Deployment.objects.filter(caf=caf_id, status__in=MEASURED_DEPLOYMENTS)
    return (
        Indicator.objects.exclude(
            project__stage__in=[Stage.SHELVED, Stage.ABANDONED, Stage.GENERALISED]
        )
        .filter(Q(project__pilot_caf=caf_id) | Q(project__in=deployed.values("project")))
        .filter(reduce(or_, missing))
    )


def measurements_due_item(user: Any) -> WaitingItem:
    """One query: the first ones, counted all together."""
    today = timezone.localdate()
    rows, counts = first_rows_counted(
        due_measurements(user.caf_id)
        .select_related("project")
        .only("pk", "name", "frequency", "project__code")
        .order_by("project__code", "name", "pk"),
        SHOWN,
        n=Count("pk"),
    )
    n = counts["n"]
    entries = tuple(
        WaitingEntry(
            label=f"{indicator.project.code} – {indicator.name}",
            url=reverse("evaluation:indicator-detail", kwargs={"pk": indicator.pk}),
            note=_("période %(period)s")
            % {
                "period": period_label(
                    previous_period(today, indicator.frequency), indicator.frequency
                )
            },
        )
        for indicator in rows
    )
    return WaitingItem(
        label=ngettext("mesure attendue pour votre Caf", "mesures attendues pour votre Caf", n),
        url=url_or_none("evaluation:index"),
        count=n,
        entries=entries,
    )
