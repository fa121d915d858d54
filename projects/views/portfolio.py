"""The portfolio as a whole: the filtered list, the kanban board, the funnel, the director's
dashboard and the exports. Every page costs a fixed number of queries: counts and medians come
from the database in one query per statistic, never one per project."""

import statistics
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
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
from caflab.core import audit, charts, spreadsheets
from caflab.core.fragments import fingerprint
from caflab.core.models import AuditEvent
from caflab.core.panels import shown_panels
from projects import exports
from projects.converters import SAMPLE_CODE, SAMPLE_PK, code_url
from projects.filters import LeverFilter, ProjectFilter
from projects.forms.portfolio import KanbanDisplayForm
from projects.models import (
    PIPELINE,
    BlockerLever,
    GateReview,
    Health,
    Project,
    ProjectQuerySet,
    Stage,
    StageChange,
    TeamMember,
    next_stage,
)
from projects.services.dashboard import portfolio_dashboard

SIDE_STAGES = (Stage.SHELVED, Stage.ABANDONED)
# Stages a project stays in for good: time "up to now" there says nothing about the pipeline.
FINAL_STAGES = (Stage.GENERALISED, Stage.ABANDONED)
# Cards per kanban column (six columns of 15 keep the page under 100 kB); the rest of a stage
# is one link away: the list filtered by that stage.
KANBAN_CARDS = 15
# The columns a kanban card reads (projects/includes/project_card.html).
KANBAN_CARD_FIELDS = (
    "code",
    "title",
    "is_draft",
    "stage",
    "health",
    "updated_at",
    "lead__first_name",
    "lead__last_name",
    "lead__email",
    "pilot_caf__name",
)
# The shape beside each health label (never colour alone), as on the list's rows.
HEALTH_ICONS = {Health.UNKNOWN: "○", Health.GREEN: "●", Health.AMBER: "▲", Health.RED: "■"}
# Text columns no list row or card reads.
LONG_TEXT_FIELDS = ("problem", "solution", "lesson_learned", "search_vector")
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
        # What a row reads: no themes, and not the long texts of 25 projects.
        return (
            self.visible_projects()
            .select_related("lead", "pilot_caf")
            .prefetch_related("programmes")
            .defer(*LONG_TEXT_FIELDS)
        )

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
        # What each row prints, prepared once per page: one reverse(), one translation per
        # stage and per health.
        detail_url = code_url("projects:detail")
        stage_labels = {stage.value: str(stage.label) for stage in Stage}
        health_labels = {health.value: str(health.label) for health in Health}
        for project in context["projects"]:
            project.detail_url = detail_url.replace(SAMPLE_CODE, project.code)
            project.stage_label = stage_labels.get(project.stage, project.stage)
            project.health_icon = HEALTH_ICONS.get(project.health, HEALTH_ICONS[Health.UNKNOWN])
            project.health_label = health_labels.get(project.health, project.health)
            project.programme_names = ", ".join(p.name for p in project.programmes.all())
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in ("page", "tri")
        )
        # Filtered by a programme: a link to its page (the choices are already loaded).
        slug = self.request.GET.get("programme", "")
        names = dict(self.filterset.filters["programme"].extra["choices"])
        if slug in names:
            context["programme_page"] = {
                "name": names[slug],
                "url": reverse("projects:programme-detail", kwargs={"slug": slug}),
            }
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
        fields_shown = form.fields_shown
        stages = list(PIPELINE) + (list(SIDE_STAGES) if form.show_side_stages else [])
        visible = self.visible_projects().filter(stage__in=stages)
        # 1 query: which cards each column shows (its KANBAN_CARDS most recently changed
        # projects) and its total (the rest are a link to the list filtered by that stage),
        # ranked per stage by window functions over three narrow columns only: the text
        # columns of every project would otherwise travel through the window.
        recent = [F("updated_at").desc(), F("pk").asc()]
        ranked = (
            visible.annotate(
                rank_in_stage=Window(RowNumber(), partition_by=[F("stage")], order_by=recent),
                n_in_stage=Window(Count("pk"), partition_by=[F("stage")]),
            )
            .filter(rank_in_stage__lte=KANBAN_CARDS)
            .values_list("pk", "stage", "n_in_stage")
        )
        totals = dict.fromkeys(stages, 0)
        shown = []
        for pk, stage, n_in_stage in ranked:
            shown.append(pk)
            totals[stage] = n_in_stage
        # 1 query: those cards, with only what a card reads.
        projects = (
            with_gate_rights(Project.objects.filter(pk__in=shown), self.request.user)
            .select_related("lead", "pilot_caf")
            .only(*KANBAN_CARD_FIELDS)
            .order_by("-updated_at", "pk")
        )
        # 1 query: their programmes' names (none when the cards do not show them).
        programmes: dict[int, list[str]] = {}
        if "programme" in fields_shown:
            for project_id, name in (
                Project.programmes.through.objects.filter(project__in=shown)
                .order_by("programme__name", "programme_id")
                .values_list("project_id", "programme__name")
            ):
                programmes.setdefault(project_id, []).append(name)
        # What each card prints, prepared once per page rather than per card: two reverse(),
        # one translation per stage and per health.
        detail_url = code_url("projects:detail")
        gate_url = code_url("projects:gate-request")
        gate_labels = {
            stage: _("Demander le passage à « %(stage)s »") % {"stage": str(Stage(stage).label)}
            for stage in PIPELINE
        }
        health_labels = {health.value: str(health.label) for health in Health}
        review_url = reverse("projects:gate-review", kwargs={"code": SAMPLE_CODE, "pk": SAMPLE_PK})
        columns: dict[str, list[Project]] = {stage: [] for stage in stages}
        cards: dict[str, list[dict[str, Any]]] = {stage: [] for stage in stages}
        for project in projects:
            columns[project.stage].append(project)
            cards[project.stage].append(
                kanban_card(
                    project,
                    programme_names=", ".join(programmes.get(project.pk, ())),
                    detail_url=detail_url,
                    gate_url=gate_url,
                    review_url=review_url,
                    gate_labels=gate_labels,
                    health_labels=health_labels,
                )
            )
        list_url = reverse("projects:index")
        shown_fields = {
            "show_health": "health" in fields_shown,
            "show_lead": "lead" in fields_shown,
            "show_caf": "caf" in fields_shown,
            "show_programme": "programme" in fields_shown,
        }
        board = [
            {
                "stage": stage,
                "label": str(Stage(stage).label),
                "cards": cards[stage],
                "total": totals[stage],
                "n_more": totals[stage] - len(cards[stage]),
                "more_url": f"{list_url}?{urlencode({'stage': stage})}",
            }
            for stage in stages
        ]
        context.update(
            form=form,
            fields_shown=fields_shown,
            **shown_fields,
            # The board is cached under the fingerprint of everything it prints
            # (caflab.core.fragments): the cards as plain dicts, and the fields shown.
            board=board,
            board_fingerprint=fingerprint(board, shown_fields),
            columns=[{**column, "projects": columns[column["stage"]]} for column in board],
        )
        return context


def kanban_card(
    project: Project,
    *,
    programme_names: str,
    detail_url: str,
    gate_url: str,
    review_url: str,
    gate_labels: dict[str, str],
    health_labels: dict[str, str],
) -> dict[str, Any]:
    """What a kanban card prints, as plain data (the board is cached under its fingerprint).
    `project` has with_gate_rights' annotations; the URLs are code_url() templates."""
    target = next_stage(project.stage) or ""
    can_request = bool(project.can_request_gate)
    open_review = project.open_review_id
    return {
        "code": project.code,
        "title": project.title,
        "is_draft": project.is_draft,
        "detail_url": detail_url.replace(SAMPLE_CODE, project.code),
        "health": project.health,
        "health_icon": HEALTH_ICONS.get(project.health, HEALTH_ICONS[Health.UNKNOWN]),
        "health_label": health_labels.get(project.health, project.health),
        "lead": str(project.lead),
        "caf": project.pilot_caf.name if project.pilot_caf else "",
        "programmes": programme_names,
        # The gate request: a link for the lab, the lead and the team, to the next stage, or
        # to the review already open; drag and drop (projects-kanban.js) follows that link.
        "gate_url": gate_url.replace(SAMPLE_CODE, project.code)
        if can_request and target and not open_review
        else "",
        "next_stage": target,
        "gate_label": gate_labels.get(target, ""),
        "review_url": review_url.replace(SAMPLE_CODE, project.code).replace(
            str(SAMPLE_PK), str(open_review)
        )
        if can_request and open_review
        else "",
    }


# --- funnel ----------------------------------------------------------------------------------


def funnel_counts(projects: ProjectQuerySet) -> dict[str, dict[str, int]]:
    """For each pipeline stage, in one query: `reached`, the projects that reached at least that
    stage (their stage history or current stage includes it or a later one: a project that
    skipped a stage still went past it), and `now`, the projects in it today.

    The database gives, per current stage, how many projects went furthest to each pipeline
    step in their history (one grouped pass over the stage changes, a few dozen rows); the
    cumulative counts are summed here. Twelve COUNT(DISTINCT) over the projects joined to
    their history cost five times more."""
    counts = {stage: {"reached": 0, "now": 0} for stage in PIPELINE}
    try:
        visible_sql, visible_params = projects.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # projects.none(): nothing to count
        return counts
    step = " ".join(f"WHEN %s THEN {i}" for i in range(len(PIPELINE)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.stage, history.furthest, COUNT(*)
            FROM {Project._meta.db_table} AS p
            LEFT JOIN (
                SELECT project_id, MAX(CASE to_stage {step} END) AS furthest
                FROM {StageChange._meta.db_table}
                GROUP BY project_id
            ) AS history ON history.project_id = p.{Project._meta.pk.column}
            WHERE p.{Project._meta.pk.column} IN ({visible_sql})
            GROUP BY p.stage, history.furthest
            """,  # noqa: S608 -- table names from the models, values passed as parameters
            [*PIPELINE, *visible_params],
        )
        rows = cursor.fetchall()
    index = {stage: i for i, stage in enumerate(PIPELINE)}
    for stage, furthest, n in rows:
        if stage in index:
            counts[stage]["now"] += n
        top = max(index.get(stage, -1), -1 if furthest is None else furthest)
        for reached in PIPELINE[: top + 1]:
            counts[reached]["reached"] += n
    return counts


def median_days_by_stage(projects: ProjectQuerySet) -> dict[str, float]:
    """Median days spent in each stage, in one query computed by PostgreSQL: each StageChange
    opens a stay that the project's next change closes (a window function reads it); the
    current stay runs up to now. Final stages (generalised, abandoned) are left out: a project
    stays there for good. The median is the middle stay, or the mean of the two middle ones
    (percentile_cont(0.5), as statistics.median): thousands of stays never reach Python."""
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
    if connection.vendor != "postgresql":
        days: dict[str, list[float]] = {}
        for stage, entered, left in stays:
            if stage not in FINAL_STAGES:
                days.setdefault(stage, []).append(((left or now) - entered).total_seconds() / 86400)
        return {stage: statistics.median(values) for stage, values in days.items()}
    try:
        sql, params = stays.query.sql_with_params()
    except EmptyResultSet:  # projects.none(): no stay
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT stay.to_stage,
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY EXTRACT(EPOCH FROM COALESCE(stay.left_at, %s) - stay.changed_at)
                   ) / 86400
            FROM ({sql}) AS stay (to_stage, changed_at, left_at)
            WHERE NOT (stay.to_stage = ANY(%s))
            GROUP BY stay.to_stage
            """,  # noqa: S608 -- the inner query is the ORM's, its values passed as parameters
            [now, *params, list(FINAL_STAGES)],
        )
        return {stage: float(median) for stage, median in cursor.fetchall()}


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


class DashboardView(PortfolioMixin, TemplateView):
    """The director's cockpit: lab staff and directorate members (403 for the others). Read
    only and cached (no form): the actions are on the pages its rows link to."""

    permission_required = "projects.view_dashboard"
    template_name = "projects/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        projects = self.visible_projects()
        dashboard = portfolio_dashboard(projects=projects)
        context.update(dashboard.as_context())
        context["scope"] = Project.objects.scope_label(self.request.user)
        # Other apps' sections (ideas by origin…), computed now so that their data joins the
        # fingerprint: the page below the sub-navigation is cached under the fingerprint of
        # everything it prints (caflab.core.fragments).
        panels = shown_panels("portfolio_dashboard", self.request, projects)
        context["dashboard_panels"] = panels
        context["dashboard_fingerprint"] = fingerprint(
            dashboard.fingerprint, [values for _panel, values in panels]
        )
        return context


class LeverListView(PortfolioMixin, FilterView):
    """Every open blocker and lever of the visible projects, those waiting for the direction's
    arbitration first, then the oldest: the cockpit's "voir tout". Lab staff and directorate
    members (403 for the others); 25 a page, a fixed number of queries."""

    permission_required = "projects.view_dashboard"
    filterset_class = LeverFilter
    template_name = "projects/lever_list.html"
    context_object_name = "levers"
    paginate_by = 25

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "today": timezone.localdate()}

    def get_queryset(self) -> Any:
        user = self.request.user
        levers = (
            BlockerLever.objects.open()
            .filter(project__in=self.visible_projects().values("pk"))
            .select_related("project", "owner", "escalated_by")
            .only(
                "kind",
                "text",
                "status",
                "opened_on",
                "escalated_on",
                "pulled_on",
                "project__code",
                "project__title",
                "project__lead_id",
                "owner__first_name",
                "owner__last_name",
                "owner__email",
                "escalated_by__first_name",
                "escalated_by__last_name",
                "escalated_by__email",
            )
            .order_by(F("escalated_on").asc(nulls_last=True), "opened_on", "project__code", "pk")
        )
        # The `projects.escalate_lever` rule in SQL (lab staff, the project's lead or team), so
        # that a page of 25 rows costs no query per row.
        if user.is_lab_staff:
            return levers.annotate(may_escalate=Value(True))
        in_team = TeamMember.objects.filter(project=OuterRef("project"), user=user)
        return levers.annotate(
            may_escalate=Case(
                When(Q(project__lead=user) | Q(Exists(in_team)), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        detail_url = code_url("projects:detail")
        for lever in context["levers"]:
            lever.project_url = (
                f"{detail_url.replace(SAMPLE_CODE, lever.project.code)}#freins-leviers"
            )
            lever.age_days = (today - lever.opened_on).days
        context["can_pull"] = self.request.user.has_perm("projects.pull_lever")
        context["next_url"] = self.request.get_full_path()
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key != "page"
        )
        return context


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
        content = spreadsheets.to_csv(header, rows)
    else:
        content = spreadsheets.to_xlsx(header, rows, title=_("Portefeuille"))
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
