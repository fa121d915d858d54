"""The portfolio as a whole: the filtered list, the kanban board, the funnel, the director's
dashboard and the exports. Every page costs a fixed number of queries: counts and medians come
from the database in one query per statistic, never one per project."""

import datetime
import statistics
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lead, RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from caflab.accounts.models import User
from caflab.core import audit
from caflab.core.models import AuditEvent
from caflab.network.models import Caf, CogAmbition, Programme
from projects import charts, exports
from projects.filters import ProjectFilter
from projects.forms.portfolio import KanbanDisplayForm
from projects.models import (
    PIPELINE,
    BlockerLever,
    Deployment,
    GateReview,
    Health,
    Idea,
    Project,
    ProjectQuerySet,
    Stage,
    StageChange,
    TeamMember,
    next_stage,
)

SIDE_STAGES = (Stage.SHELVED, Stage.ABANDONED)
# Stages a project stays in for good: time "up to now" there says nothing about the pipeline.
FINAL_STAGES = (Stage.GENERALISED, Stage.ABANDONED)
# Cards per kanban column (six columns of 15 keep the page under 100 kB); the rest of a stage
# is one link away: the list filtered by that stage.
KANBAN_CARDS = 15
# Colours of the health chart; each bar also carries its label as text (never colour alone).
HEALTH_FILLS = {
    Health.UNKNOWN: "#6c757d",
    Health.GREEN: "#1e7b34",
    Health.AMBER: "#a35200",
    Health.RED: "#b3261e",
}
# The list's columns: (heading, ?tri= key or "" when the column does not sort).
LIST_COLUMNS = [
    (gettext_lazy("Code"), "code"),
    (gettext_lazy("Titre"), "title"),
    (gettext_lazy("Étape"), "stage"),
    (gettext_lazy("Santé"), "health"),
    (gettext_lazy("Porteur"), ""),
    (gettext_lazy("Caf pilote"), ""),
    (gettext_lazy("Programmes"), ""),
    (gettext_lazy("Mise à jour"), "updated"),
]


class PortfolioMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous → login page; signed in without the permission → 403."""

    permission_required = "projects.view_portfolio"

    def visible_projects(self) -> ProjectQuerySet:
        return Project.objects.visible_to(self.request.user)


# --- list ------------------------------------------------------------------------------------


class ProjectListView(PortfolioMixin, FilterView):
    filterset_class = ProjectFilter
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 25

    def get_queryset(self) -> ProjectQuerySet:
        return self.visible_projects().with_card_data()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        current = self.filterset.current_sort
        columns = []
        for label, sort in LIST_COLUMNS:
            column: dict[str, Any] = {"label": label, "sort": sort}
            if sort:
                # Clicking the sorted column reverses it; another column sorts ascending.
                column["next"] = f"-{sort}" if current == sort else sort
                column["aria"] = (
                    "ascending"
                    if current == sort
                    else "descending"
                    if current == f"-{sort}"
                    else ""
                )
            columns.append(column)
        context["columns"] = columns
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in ("page", "tri")
        )
        return context


# --- kanban ----------------------------------------------------------------------------------


def with_gate_rights(projects: ProjectQuerySet, user: User) -> ProjectQuerySet:
    """Annotate `can_request_gate` (the `projects.request_gate` rule, in SQL: lab staff, the
    lead or a team member) and `open_review_id` (the pending gate review, if any)."""
    if user.is_lab_staff:
        allowed: Any = Value(True)
    else:
        in_team = TeamMember.objects.filter(project=OuterRef("pk"), user=user)
        allowed = Case(
            When(Q(lead=user) | Q(Exists(in_team)), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    pending = GateReview.objects.pending().filter(project=OuterRef("pk")).values("pk")[:1]
    return projects.annotate(can_request_gate=allowed, open_review_id=Subquery(pending))


class KanbanView(PortfolioMixin, TemplateView):
    template_name = "projects/kanban.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = KanbanDisplayForm.from_request(self.request)
        stages = list(PIPELINE) + (list(SIDE_STAGES) if form.show_side_stages else [])
        # Each column shows its KANBAN_CARDS most recently changed projects, and its total
        # (the rest are a link to the list filtered by that stage): one query, whatever the
        # size of the portfolio, ranked per stage by window functions.
        recent = [F("updated_at").desc(), F("pk").asc()]
        projects = (
            with_gate_rights(
                self.visible_projects().filter(stage__in=stages).with_card_data(),
                self.request.user,
            )
            .annotate(
                rank_in_stage=Window(RowNumber(), partition_by=[F("stage")], order_by=recent),
                n_in_stage=Window(Count("pk"), partition_by=[F("stage")]),
            )
            .filter(rank_in_stage__lte=KANBAN_CARDS)
            .order_by("-updated_at", "pk")
        )
        columns: dict[str, list[Project]] = {stage: [] for stage in stages}
        totals = dict.fromkeys(stages, 0)
        for project in projects:
            target = next_stage(project.stage)
            project.next_stage_value = target or ""
            project.next_stage_label = Stage(target).label if target else ""
            columns[project.stage].append(project)
            totals[project.stage] = project.n_in_stage
        list_url = reverse("projects:index")
        context.update(
            form=form,
            fields_shown=form.fields_shown,
            columns=[
                {
                    "stage": stage,
                    "label": Stage(stage).label,
                    "projects": columns[stage],
                    "total": totals[stage],
                    "n_more": totals[stage] - len(columns[stage]),
                    "more_url": f"{list_url}?{urlencode({'stage': stage})}",
                }
                for stage in stages
            ],
        )
        return context


# --- funnel ----------------------------------------------------------------------------------


def funnel_counts(projects: ProjectQuerySet) -> dict[str, dict[str, int]]:
    """For each pipeline stage, in one query: `reached`, the projects that reached at least that
    stage (their stage history or current stage includes it or a later one: a project that
    skipped a stage still went past it), and `now`, the projects in it today."""
    aggregates: dict[str, Any] = {}
    for i, stage in enumerate(PIPELINE):
        later = PIPELINE[i:]
        aggregates[f"reached_{stage}"] = Count(
            "pk",
            distinct=True,
            filter=Q(stage__in=later) | Q(stage_changes__to_stage__in=later),
        )
        aggregates[f"now_{stage}"] = Count("pk", distinct=True, filter=Q(stage=stage))
    result = projects.order_by().aggregate(**aggregates)
    return {
        stage: {"reached": result[f"reached_{stage}"], "now": result[f"now_{stage}"]}
        for stage in PIPELINE
    }


def median_days_by_stage(projects: ProjectQuerySet) -> dict[str, float]:
    """Median days spent in each stage, in one query: each StageChange opens a stay that the
    project's next change closes (a window function reads it); the current stay runs up to now.
    Final stages (generalised, abandoned) are left out: a project stays there for good."""
    now = timezone.now()
    stays = (
        StageChange.objects.filter(project__in=projects.values("pk"))
        .annotate(
            left_at=Window(
                Lead("changed_at"),
                partition_by=[F("project_id")],
                order_by=[F("changed_at").asc(), F("pk").asc()],
            )
        )
        .values_list("to_stage", "changed_at", "left_at")
    )
    days: dict[str, list[float]] = {}
    for stage, entered, left in stays:
        if stage in FINAL_STAGES:
            continue
        days.setdefault(stage, []).append(((left or now) - entered).total_seconds() / 86400)
    return {stage: statistics.median(values) for stage, values in days.items()}


class FunnelView(PortfolioMixin, TemplateView):
    template_name = "projects/funnel.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        projects = self.visible_projects()
        counts = funnel_counts(projects)
        medians = median_days_by_stage(projects)
        rows = []
        previous = None
        for stage in PIPELINE:
            reached = counts[stage]["reached"]
            conversion = (
                round(100 * reached / previous, 1) if previous else None  # None: first or 0
            )
            rows.append(
                {
                    "stage": stage,
                    "label": Stage(stage).label,
                    "reached": reached,
                    "now": counts[stage]["now"],
                    "conversion": conversion,
                    "median_days": round(medians[stage], 1) if stage in medians else None,
                    # French plural: "1,5 jour", "2 jours" (the plural rule wants an integer).
                    "median_whole_days": int(medians.get(stage, 0)),
                    "is_final": stage in FINAL_STAGES,
                }
            )
            previous = reached
        context.update(
            rows=rows,
            chart=charts.funnel(
                "entonnoir",
                _("Projets ayant atteint chaque étape"),
                [charts.ChartRow(row["label"], row["reached"]) for row in rows],
                label_header=_("Étape"),
                value_header=_("Projets"),
            ),
        )
        return context


# --- director's dashboard --------------------------------------------------------------------


def _list_url(**params: str) -> str:
    return f"{reverse('projects:index')}?{urlencode(params)}"


class DashboardView(PortfolioMixin, TemplateView):
    """The director's dashboard: lab staff and directorate members (403 for the others)."""

    permission_required = "projects.view_dashboard"
    template_name = "projects/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        projects = self.visible_projects()
        ids = projects.values("pk")
        today = timezone.localdate()

        # 1 query: counts by stage and by health.
        totals = projects.order_by().aggregate(
            total=Count("pk"),
            **{f"stage_{s}": Count("pk", filter=Q(stage=s)) for s in Stage.values},
            **{f"health_{h}": Count("pk", filter=Q(health=h)) for h in Health.values},
        )
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
            open_levers.order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        recent_blockers = (
            open_levers.filter(kind=BlockerLever.Kind.BLOCKER)
            .select_related("project", "owner")
            .order_by("-opened_on", "-pk")[:10]
        )
        # 1 query: gate reviews to decide within a week (overdue included).
        reviews_due = (
            GateReview.objects.due_by(today + datetime.timedelta(days=7))
            .filter(project__in=ids)
            .select_related("project")
            .order_by("due_on", "pk")
        )
        # 1 query: projects on the shelf to revisit within 30 days.
        to_revisit = projects.filter(
            stage=Stage.SHELVED, revisit_on__lte=today + datetime.timedelta(days=30)
        ).order_by("revisit_on", "code")
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

        # 1 query: ideas by source and how many became projects ("Idées par origine").
        idea_sources = ideas_by_source(Idea.objects.visible_to(self.request.user))

        context.update(
            total=totals["total"],
            idea_sources=idea_sources,
            stage_chart=charts.bar_chart(
                "par-etape",
                _("Projets par étape"),
                [
                    charts.ChartRow(
                        s.label, totals[f"stage_{s.value}"], url=_list_url(stage=s.value)
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
                        url=_list_url(health=h.value),
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
                [charts.ChartRow(p.name, p.n, url=_list_url(programme=p.slug)) for p in programmes],
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
                [charts.ChartRow(c.name, c.n, url=_list_url(caf=c.code)) for c in cafs],
                label_header=_("Caf"),
                value_header=_("Déploiements"),
            ),
            open_blockers=lever_counts.get(BlockerLever.Kind.BLOCKER, 0),
            open_levers=lever_counts.get(BlockerLever.Kind.LEVER, 0),
            recent_blockers=recent_blockers,
            reviews_due=reviews_due,
            to_revisit=to_revisit,
            today=today,
        )
        return context


def ideas_by_source(ideas) -> dict[str, Any]:
    """Ideas per source and their conversion into portfolio projects, in one query: an idea
    converted is one a project came from (accepted as a project)."""
    counts = ideas.order_by().aggregate(
        **{f"n_{s}": Count("pk", filter=Q(source=s)) for s in Idea.Source.values},
        **{
            f"p_{s}": Count("pk", filter=Q(source=s, project__isnull=False))
            for s in Idea.Source.values
        },
    )
    rows = []
    for source in Idea.Source:
        n, converted = counts[f"n_{source.value}"], counts[f"p_{source.value}"]
        rows.append(
            {
                "label": source.label,
                "ideas": n,
                "projects": converted,
                "rate": round(100 * converted / n, 1) if n else None,
            }
        )
    total = sum(row["ideas"] for row in rows)
    converted = sum(row["projects"] for row in rows)
    return {
        "rows": rows,
        "total": total,
        "projects": converted,
        "rate": round(100 * converted / total, 1) if total else None,
    }


# --- exports ---------------------------------------------------------------------------------

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The visible portfolio, with the list's current filters, as CSV or XLSX."""
    if not request.user.has_perm("projects.view_portfolio"):
        raise PermissionDenied
    if fmt not in EXPORT_TYPES:
        raise Http404
    visible = Project.objects.visible_to(request.user).with_card_data()
    filterset = ProjectFilter(request.GET, queryset=visible, request=request)
    projects = filterset.qs if filterset.is_valid() else visible.none()
    header, rows = exports.headers(), exports.project_rows(projects)
    if fmt == "csv":
        content = exports.to_csv(header, rows)
    else:
        content = exports.to_xlsx(header, rows, title=_("Portefeuille"))
    audit.record(
        action=AuditEvent.Action.EXPORT,
        by=request.user,
        details={"what": "portfolio", "format": fmt},
        request=request,
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = f"portefeuille-caflab-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
