"""The director's dashboard: what the portfolio looks like for whoever sees these projects, in a
fixed number of queries (counts and rankings come from the database, one query per statistic,
never one per project)."""

import dataclasses
import datetime
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from caflab.core import charts
from caflab.core.fragments import fingerprint
from caflab.network.models import Caf, CogAmbition, Programme
from projects.converters import SAMPLE_CODE, SAMPLE_PK, code_url
from projects.models import BlockerLever, Deployment, GateReview, Health, ProjectQuerySet, Stage

# Colours of the health chart; each bar also carries its label as text (never colour alone).
HEALTH_FILLS = {
    Health.UNKNOWN: "#6c757d",
    Health.GREEN: "#1e7b34",
    Health.AMBER: "#a35200",
    Health.RED: "#b3261e",
}


@dataclasses.dataclass
class Dashboard:
    """Everything the dashboard page prints. The `*_rows` are what its three tables print,
    prepared once per page; `recent_blockers`, `reviews_due` and `to_revisit` are their rows."""

    total: int
    open_blockers: int
    open_levers: int
    stage_chart: charts.Chart
    health_chart: charts.Chart
    programme_chart: charts.Chart
    ambition_chart: charts.Chart
    caf_chart: charts.Chart
    recent_blockers: list[BlockerLever]
    reviews_due: list[GateReview]
    to_revisit: list[Any]
    blocker_rows: list[dict[str, Any]]
    review_rows: list[dict[str, Any]]
    revisit_rows: list[dict[str, Any]]
    today: datetime.date

    @property
    def fingerprint(self) -> str:
        """A digest of everything the page prints below its sub-navigation (the figures, the
        charts, the tables' rows): the key its cached part is kept under
        (caflab.core.fragments)."""
        return fingerprint(
            [self.total, self.open_blockers, self.open_levers],
            [
                dataclasses.asdict(chart)
                for chart in (
                    self.stage_chart,
                    self.health_chart,
                    self.programme_chart,
                    self.ambition_chart,
                    self.caf_chart,
                )
            ],
            self.blocker_rows,
            self.review_rows,
            self.revisit_rows,
        )

    def as_context(self) -> dict[str, Any]:
        """The fields as template variables (a shallow copy: the charts stay objects)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _move_label(labels: dict[str, str], from_stage: str, to_stage: str) -> str:
    return f"{labels.get(from_stage, from_stage)} → {labels.get(to_stage, to_stage)}"


def _list_url(base: str, **params: str) -> str:
    return f"{base}?{urlencode(params)}"


def portfolio_dashboard(
    *, projects: ProjectQuerySet, today: datetime.date | None = None
) -> Dashboard:
    """The dashboard of `projects` (already scoped to the person who reads it). Costs eight
    queries whatever the number of rows; other apps' sections are page panels
    ("portfolio_dashboard")."""
    ids = projects.values("pk")
    today = today or timezone.localdate()

    # 1 query: counts by stage and by health, grouped by the database (a few dozen rows;
    # thirteen filtered counts cost more to build than to run).
    totals = {"total": 0}
    totals |= {f"stage_{s}": 0 for s in Stage.values}
    totals |= {f"health_{h}": 0 for h in Health.values}
    for stage, health, n in (
        projects.order_by().values_list("stage", "health").annotate(n=Count("pk"))
    ):
        totals["total"] += n
        totals[f"stage_{stage}"] = totals.get(f"stage_{stage}", 0) + n
        totals[f"health_{health}"] = totals.get(f"health_{health}", 0) + n
    # 1 query each: by programme, by COG ambition (every one listed, zero included).
    programmes = Programme.objects.annotate(
        n=Count("projects", filter=Q(projects__in=ids))
    ).order_by("-n", "name")
    ambitions = (
        CogAmbition.objects.select_related("axis")
        .annotate(n=Count("projects", filter=Q(projects__in=ids)))
        .order_by("axis__number", "number")
    )
    # 1 query: open blockers and levers; 1 query: the 10 most recent open blockers.
    open_levers = BlockerLever.objects.open().filter(project__in=ids)
    lever_counts = dict(
        open_levers.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    # The ten are picked first, then joined to their project and owner: joining every open
    # blocker before picking cost ten times more.
    latest = (
        open_levers.filter(kind=BlockerLever.Kind.BLOCKER)
        .order_by("-opened_on", "-pk")
        .values("pk")[:10]
    )
    recent_blockers = list(
        BlockerLever.objects.filter(pk__in=latest)
        .select_related("project", "owner")
        .only(
            "text",
            "opened_on",
            "project__code",
            "project__title",
            "owner__first_name",
            "owner__last_name",
            "owner__email",
        )
        .order_by("-opened_on", "-pk")[:10]
    )
    # 1 query: gate reviews to decide within a week (overdue included).
    reviews_due = list(
        GateReview.objects.due_by(today + datetime.timedelta(days=7))
        .filter(project__in=ids)
        .select_related("project")
        .only("from_stage", "to_stage", "due_on", "project__code", "project__title")
        .order_by("due_on", "pk")
    )
    # 1 query: projects on the shelf to revisit within 30 days.
    to_revisit = list(
        projects.filter(stage=Stage.SHELVED, revisit_on__lte=today + datetime.timedelta(days=30))
        .only("code", "title", "revisit_on")
        .order_by("revisit_on", "code")
    )
    # What the three tables print, prepared once per page: a reverse() per table, a
    # translation per stage (not one per row).
    detail_url = code_url("projects:detail")
    review_url = reverse("projects:gate-review", kwargs={"code": SAMPLE_CODE, "pk": SAMPLE_PK})
    stage_labels = {stage.value: str(stage.label) for stage in Stage}
    blocker_rows = [
        {
            "url": detail_url.replace(SAMPLE_CODE, blocker.project.code),
            "project": f"{blocker.project.code} {blocker.project.title}",
            "text": blocker.text,
            "owner": str(blocker.owner) if blocker.owner else "",
            "opened_on": blocker.opened_on,
        }
        for blocker in recent_blockers
    ]
    review_rows = [
        {
            "url": review_url.replace(SAMPLE_CODE, review.project.code).replace(
                str(SAMPLE_PK), str(review.pk)
            ),
            "project": f"{review.project.code} {review.project.title}",
            "move": _move_label(stage_labels, review.from_stage, review.to_stage),
            "due_on": review.due_on,
            "is_late": review.due_on is not None and review.due_on < today,
        }
        for review in reviews_due
    ]
    revisit_rows = [
        {
            "url": detail_url.replace(SAMPLE_CODE, project.code),
            "project": f"{project.code} {project.title}",
            "revisit_on": project.revisit_on,
            "is_late": project.revisit_on < today,
        }
        for project in to_revisit
    ]
    # 1 query: the 15 Caf with the most live deployments, grouped from the deployments.
    cafs = []
    for row in (
        Deployment.objects.live()
        .filter(project__in=ids)
        .order_by()
        .values("caf", "caf__code", "caf__name", "caf__position")
        .annotate(n=Count("pk"))
        .order_by("-n", "caf__position")[:15]
    ):
        caf = Caf(pk=row["caf"], code=row["caf__code"], name=row["caf__name"])
        caf.n = row["n"]
        cafs.append(caf)

    list_url = reverse("projects:index")
    return Dashboard(
        total=totals["total"],
        open_blockers=lever_counts.get(BlockerLever.Kind.BLOCKER, 0),
        open_levers=lever_counts.get(BlockerLever.Kind.LEVER, 0),
        stage_chart=charts.bar_chart(
            "par-etape",
            _("Projets par étape"),
            [
                charts.ChartRow(
                    s.label, totals[f"stage_{s.value}"], url=_list_url(list_url, stage=s.value)
                )
                for s in Stage
            ],
            label_header=_("Étape"),
            value_header=_("Projets"),
        ),
        health_chart=charts.bar_chart(
            "par-sante",
            _("Projets par santé"),
            [
                charts.ChartRow(
                    h.label,
                    totals[f"health_{h.value}"],
                    url=_list_url(list_url, health=h.value),
                    fill=HEALTH_FILLS[h],
                )
                for h in Health
            ],
            label_header=_("Santé"),
            value_header=_("Projets"),
        ),
        programme_chart=charts.bar_chart(
            "par-programme",
            _("Projets par programme"),
            [
                charts.ChartRow(p.name, p.n, url=_list_url(list_url, programme=p.slug))
                for p in programmes
            ],
            label_header=_("Programme"),
            value_header=_("Projets"),
        ),
        ambition_chart=charts.bar_chart(
            "par-ambition",
            _("Projets par ambition de la COG"),
            [charts.ChartRow(str(a), a.n) for a in ambitions],
            label_header=_("Ambition de la COG"),
            value_header=_("Projets"),
        ),
        caf_chart=charts.bar_chart(
            "deploiements-par-caf",
            _("Déploiements en cours par Caf (15 premières)"),
            [charts.ChartRow(c.name, c.n, url=_list_url(list_url, caf=c.code)) for c in cafs],
            label_header=_("Caf"),
            value_header=_("Déploiements"),
        ),
        recent_blockers=recent_blockers,
        reviews_due=reviews_due,
        to_revisit=to_revisit,
        blocker_rows=blocker_rows,
        review_rows=review_rows,
        revisit_rows=revisit_rows,
        today=today,
    )
