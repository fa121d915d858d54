"""The director's cockpit: what the portfolio looks like for whoever sees these projects, in a
fixed number of queries (counts and rankings come from the database, one query per statistic,
never one per project). Other apps' sections (restitutions due, negative effects, evaluations…)
are page panels ("portfolio_dashboard")."""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum, Window
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from caflab.core import charts
from caflab.core.fragments import fingerprint
from caflab.core.numbers import fr_number
from caflab.network.models import CogAmbition, Programme
from projects.converters import SAMPLE_CODE, SAMPLE_PK, code_url
from projects.models import (
    ADVANCED_STAGES,
    LEVER_AGE_GROUPS,
    PIPELINE,
    BlockerLever,
    GateReview,
    Health,
    ProjectQuerySet,
    Stage,
    StageChange,
    lever_age_q,
)
from projects.services.adoption import live_cafs, month_start, started_per_month

# A programme's slug in a reversed URL, replaced by each row's own: one reverse() a page.
SAMPLE_SLUG = "programme-exemple"
# Colours of the health chart; each bar also carries its label as text (never colour alone).
HEALTH_FILLS = {
    Health.UNKNOWN: "#6c757d",
    Health.GREEN: "#1e7b34",
    Health.AMBER: "#a35200",
    Health.RED: "#b3261e",
}
# Open blockers and levers printed on the cockpit (a glance between meetings: the first few);
# the rest are one link away (projects:levers).
LEVER_ROWS = 5
# Gate decisions of the month printed; the count and the list behind it give the rest.
DECISION_ROWS = 10
# The columns of the programme section: the pipeline, then on the shelf and abandoned.
PROGRAMME_STAGES: tuple[str, ...] = (*PIPELINE, Stage.SHELVED, Stage.ABANDONED)


@dataclasses.dataclass
class Dashboard:
    """Everything the cockpit prints. The `*_rows` are what its tables print, prepared once per
    page (plain data, fingerprinted); `recent_blockers`, `reviews_due`, `to_revisit` are the
    rows' objects."""

    total: int
    open_blockers: int
    open_levers: int
    escalated: int
    stage_chart: charts.Chart
    health_chart: charts.Chart
    programme_chart: charts.Chart
    ambition_chart: charts.Chart
    caf_chart: charts.Chart
    age_chart: charts.Chart
    adoption_chart: charts.LineChart
    recent_blockers: list[BlockerLever]
    reviews_due: list[GateReview]
    to_revisit: list[Any]
    blocker_rows: list[dict[str, Any]]
    review_rows: list[dict[str, Any]]
    revisit_rows: list[dict[str, Any]]
    decision_rows: list[dict[str, Any]]
    programme_rows: list[dict[str, Any]]
    figures: dict[str, Any]
    urls: dict[str, str]
    today: datetime.date

    @property
    def fingerprint(self) -> str:
        """A digest of everything the page prints below its sub-navigation (the figures, the
        charts, the tables' rows): the key its cached part is kept under
        (caflab.core.fragments)."""
        return fingerprint(
            [self.today, self.total, self.open_blockers, self.open_levers, self.escalated],
            [
                dataclasses.asdict(chart)
                for chart in (
                    self.stage_chart,
                    self.health_chart,
                    self.programme_chart,
                    self.ambition_chart,
                    self.caf_chart,
                    self.age_chart,
                    self.adoption_chart,
                )
            ],
            self.blocker_rows,
            self.review_rows,
            self.revisit_rows,
            self.decision_rows,
            self.programme_rows,
            self.figures,
            self.urls,
        )

    def as_context(self) -> dict[str, Any]:
        """The fields as template variables (a shallow copy: the charts stay objects)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _move_label(labels: dict[str, str], from_stage: str, to_stage: str) -> str:
    return f"{labels.get(from_stage, from_stage)} → {labels.get(to_stage, to_stage)}"


def _list_url(base: str, **params: Any) -> str:
    return f"{base}?{urlencode(params)}"


def _euros(value: Decimal | None) -> str:
    return f"{fr_number(value or 0, 0, grouping=True)} €"


def portfolio_dashboard(
    *, projects: ProjectQuerySet, today: datetime.date | None = None
) -> Dashboard:
    """The cockpit of `projects` (already scoped to the person who reads it). Costs thirteen
    queries whatever the number of rows; other apps' sections are page panels
    ("portfolio_dashboard")."""
    ids = projects.values("pk")
    today = today or timezone.localdate()
    this_month = month_start(today)

    # 1 query: counts and budgets by stage and by health, grouped by the database (a few dozen
    # rows; thirteen filtered counts cost more to build than to run).
    totals = {"total": 0}
    totals |= {f"stage_{s}": 0 for s in Stage.values}
    totals |= {f"health_{h}": 0 for h in Health.values}
    planned = spent = Decimal(0)
    for stage, health, n, row_planned, row_spent in (
        projects.order_by()
        .values_list("stage", "health")
        .annotate(n=Count("pk"), planned=Sum("budget_planned"), spent=Sum("budget_spent"))
    ):
        totals["total"] += n
        totals[f"stage_{stage}"] = totals.get(f"stage_{stage}", 0) + n
        totals[f"health_{health}"] = totals.get(f"health_{health}", 0) + n
        planned += row_planned or 0
        spent += row_spent or 0
    # 1 query each: by programme; by COG ambition (every one listed, zero included), with the
    # projects tagged and those that reached the experimentation stage or beyond.
    # The programmes' query also counts their projects per stage: the programme section's
    # table (projects per programme by stage, each linking to the programme's page).
    programmes = Programme.objects.annotate(
        n=Count("projects", filter=Q(projects__in=ids)),
        **{
            f"n_{stage}": Count("projects", filter=Q(projects__in=ids, projects__stage=stage))
            for stage in PROGRAMME_STAGES
        },
    ).order_by("-n", "name")
    ambitions = list(
        CogAmbition.objects.select_related("axis")
        .annotate(
            n=Count("projects", filter=Q(projects__in=ids)),
            n_advanced=Count(
                "projects", filter=Q(projects__in=ids, projects__stage__in=ADVANCED_STAGES)
            ),
        )
        .order_by("axis__number", "number")
    )
    # 1 query: open blockers and levers by kind, escalated and by age group.
    open_levers = BlockerLever.objects.open().filter(project__in=ids)
    age_counts = {
        f"age_{key}": Count("pk", filter=lever_age_q(key, today))
        for key, _label, _low, _high in LEVER_AGE_GROUPS
    }
    lever_counts: dict[str, dict[str, int]] = {}
    for row in (
        open_levers.order_by()
        .values("kind")
        .annotate(n=Count("pk"), n_escalated=Count("escalated_on"), **age_counts)
    ):
        lever_counts[row["kind"]] = row
    n_escalated = sum(row["n_escalated"] for row in lever_counts.values())
    # 1 query: the open blockers and levers shown, those the teams put to the direction first,
    # then the oldest. They are picked first, then joined to their project and owner: joining
    # every open row before picking cost ten times more.
    shown = open_levers.order_by(F("escalated_on").asc(nulls_last=True), "opened_on", "pk").values(
        "pk"
    )[:LEVER_ROWS]
    recent_blockers = list(
        BlockerLever.objects.filter(pk__in=shown)
        .select_related("project", "owner")
        .only(
            "kind",
            "text",
            "opened_on",
            "escalated_on",
            "project__code",
            "project__title",
            "owner__first_name",
            "owner__last_name",
            "owner__email",
        )
        .order_by(F("escalated_on").asc(nulls_last=True), "opened_on", "pk")
    )
    # 1 query: gate reviews to decide within a week (overdue included).
    reviews_due = list(
        GateReview.objects.due_by(today + datetime.timedelta(days=7))
        .filter(project__in=ids)
        .select_related("project")
        .only("from_stage", "to_stage", "due_on", "project__code", "project__title")
        .order_by("due_on", "pk")
    )
    # 1 query: the gate decisions of the month (the latest ones), with their number.
    decisions = list(
        GateReview.objects.filter(
            project__in=ids,
            status=GateReview.Status.DECIDED,
            decided_at__date__gte=this_month,
        )
        .select_related("project")
        .only("decision", "decided_at", "from_stage", "to_stage", "project__code", "project__title")
        .annotate(n_total=Window(Count("pk")))
        .order_by("-decided_at", "-pk")[:DECISION_ROWS]
    )
    # 1 query: stage changes of the month, and the projects they moved.
    moves = StageChange.objects.filter(project__in=ids, changed_at__date__gte=this_month).aggregate(
        n=Count("pk"), n_projects=Count("project", distinct=True)
    )
    # 1 query: projects on the shelf to revisit within 30 days.
    to_revisit = list(
        projects.filter(stage=Stage.SHELVED, revisit_on__lte=today + datetime.timedelta(days=30))
        .only("code", "title", "revisit_on")
        .order_by("revisit_on", "code")
    )
    # What the tables print, prepared once per page: a reverse() per table, a translation per
    # stage (not one per row).
    detail_url = code_url("projects:detail")
    review_url = reverse("projects:gate-review", kwargs={"code": SAMPLE_CODE, "pk": SAMPLE_PK})

    def review_link(review: GateReview) -> str:
        return review_url.replace(SAMPLE_CODE, review.project.code).replace(
            str(SAMPLE_PK), str(review.pk)
        )

    stage_labels = {stage.value: str(stage.label) for stage in Stage}
    kind_labels = {kind.value: str(kind.label) for kind in BlockerLever.Kind}
    decision_labels = {d.value: str(d.label) for d in GateReview.Decision}
    blocker_rows = [
        {
            "url": f"{detail_url.replace(SAMPLE_CODE, blocker.project.code)}#freins-leviers",
            "project": f"{blocker.project.code} {blocker.project.title}",
            "kind": kind_labels.get(blocker.kind, blocker.kind),
            "text": blocker.text,
            "owner": str(blocker.owner) if blocker.owner else "",
            "opened_on": blocker.opened_on,
            "age": (today - blocker.opened_on).days,
            "escalated_on": blocker.escalated_on,
        }
        for blocker in recent_blockers
    ]
    review_rows = [
        {
            "url": review_link(review),
            "project": f"{review.project.code} {review.project.title}",
            "move": _move_label(stage_labels, review.from_stage, review.to_stage),
            "due_on": review.due_on,
            "is_late": review.due_on is not None and review.due_on < today,
        }
        for review in reviews_due
    ]
    decision_rows = [
        {
            "url": review_link(review),
            "project": f"{review.project.code} {review.project.title}",
            "move": _move_label(stage_labels, review.from_stage, review.to_stage),
            "decision": decision_labels.get(review.decision, review.decision),
            "decided_on": timezone.localdate(review.decided_at),
        }
        for review in decisions
    ]
    programme_url = reverse("projects:programme-detail", kwargs={"slug": SAMPLE_SLUG})
    programme_rows = [
        {
            "name": p.name,
            "url": programme_url.replace(SAMPLE_SLUG, p.slug),
            "total": p.n,
            "stages": [getattr(p, f"n_{stage}") for stage in PROGRAMME_STAGES],
        }
        for p in programmes
        if p.is_active or p.n
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
    # 2 queries: the 15 Caf with the most live deployments, and the Caf reached.
    cafs, caf_reached = live_cafs(ids)
    # 1 query: deployments started per month over the last twelve months.
    per_month = started_per_month(ids, today)
    months = list(per_month)

    list_url = reverse("projects:index")
    levers_url = reverse("projects:levers")
    month_iso = this_month.isoformat()
    blocker_counts = lever_counts.get(BlockerLever.Kind.BLOCKER, {})
    lever_only_counts = lever_counts.get(BlockerLever.Kind.LEVER, {})
    n_overdue = sum(1 for row in review_rows if row["is_late"])
    n_decisions = decisions[0].n_total if decisions else 0
    return Dashboard(
        total=totals["total"],
        open_blockers=blocker_counts.get("n", 0),
        open_levers=lever_only_counts.get("n", 0),
        escalated=n_escalated,
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
            shares=True,
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
            shares=True,
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
            _("Engagements de la COG : projets en expérimentation ou au-delà"),
            [
                charts.ChartRow(
                    str(a),
                    a.n_advanced,
                    url=_list_url(list_url, ambition=a.pk, advanced="true"),
                    note=_ambition_note(a.n_advanced, a.target, a.n),
                )
                for a in ambitions
            ],
            label_header=_("Ambition de la COG"),
            value_header=_("Projets en expérimentation ou au-delà"),
            note_header=_("Cible (avancement) ; projets rattachés à toutes les étapes"),
        ),
        caf_chart=charts.bar_chart(
            "deploiements-par-caf",
            _("Déploiements en cours par Caf (15 premières)"),
            [charts.ChartRow(c.name, c.n, url=_list_url(list_url, caf=c.code)) for c in cafs],
            label_header=_("Caf"),
            value_header=_("Déploiements"),
        ),
        age_chart=charts.bar_chart(
            "freins-par-anciennete",
            _("Freins et leviers ouverts par ancienneté"),
            [
                charts.ChartRow(
                    str(label),
                    blocker_counts.get(f"age_{key}", 0) + lever_only_counts.get(f"age_{key}", 0),
                    url=_list_url(levers_url, age=key),
                )
                for key, label, _low, _high in LEVER_AGE_GROUPS
            ],
            label_header=_("Ouverts depuis"),
            value_header=_("Freins et leviers"),
            shares=True,
        ),
        adoption_chart=charts.line_chart(
            "courbe-adoption",
            _("Déploiements entrés en fonctionnement par mois"),
            labels=[formats.date_format(month, "N Y") for month in months],
            values=[Decimal(per_month[month]) for month in months],
            targets=[None] * len(months),
            baseline=None,
            unit=_("déploiements"),
            # From zero: a count is never negative, even when every month is empty.
            y_range=(0, max([1, *per_month.values()])),
        ),
        recent_blockers=recent_blockers,
        reviews_due=reviews_due,
        to_revisit=to_revisit,
        blocker_rows=blocker_rows,
        review_rows=review_rows,
        revisit_rows=revisit_rows,
        decision_rows=decision_rows,
        programme_rows=programme_rows,
        figures={
            "moves": moves["n"],
            "moved_projects": moves["n_projects"],
            "decisions": n_decisions,
            "reviews_overdue": n_overdue,
            "caf_reached": caf_reached,
            "budget_planned": _euros(planned),
            "budget_spent": _euros(spent),
            "budget_rate": round(100 * spent / planned) if planned else None,
            "month": formats.date_format(this_month, "F Y"),
            # The COG section's line, read while its chart waits under a disclosure.
            "ambitions": len(ambitions),
            "ambitions_met": sum(1 for a in ambitions if a.target and a.n_advanced >= a.target),
            "programme_stages": [stage_labels[stage] for stage in PROGRAMME_STAGES],
        },
        urls={
            "list": list_url,
            "programmes": reverse("projects:programme-list"),
            "moves": _list_url(list_url, moved_since=month_iso),
            "decisions": _list_url(list_url, decided_since=month_iso),
            "levers": levers_url,
            "blockers": _list_url(levers_url, kind=BlockerLever.Kind.BLOCKER),
            "lever_only": _list_url(levers_url, kind=BlockerLever.Kind.LEVER),
            "escalated": _list_url(levers_url, escalated="oui"),
            "map": reverse("projects:map"),
        },
        today=today,
    )


def _ambition_note(advanced: int, target: int | None, tagged: int) -> str:
    """The table's last column: the target and how far along, and every project tagged."""
    if target:
        return _("cible : %(target)s (%(rate)s %%) ; rattachés : %(tagged)s") % {
            "target": target,
            "rate": round(100 * advanced / target),
            "tagged": tagged,
        }
    return _("pas de cible ; rattachés : %(tagged)s") % {"tagged": tagged}
