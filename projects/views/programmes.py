"""Programme pages: the index of programmes and one page per programme (the ecological
transition, the incubator…): its projects by stage, what was spread where, and the other
apps' sections through page panels ("programme": the aggregated ecological assessment and the
environmental indicators from `evaluation`, the programme's events from `events`).

Who sees them: the portfolio's readers (network members and partners, `projects
.view_portfolio`); citizens get 403 and anonymous visitors the login page, as on the
portfolio. Every count is over `Project.objects.visible_to(reader)`: a draft of another team
is never counted. A fixed number of queries whatever the programme's size.
"""

from typing import Any

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from caflab.core import charts
from caflab.core.panels import shown_panels
from caflab.network.models import Programme
from projects.converters import SAMPLE_CODE, code_url
from projects.models import ADVANCED_STAGES, PIPELINE, Deployment, Health, Project, Stage
from projects.views.portfolio import HEALTH_ICONS, PortfolioMixin

# Projects listed per stage on a programme's page; the rest are the list filtered by both.
PROJECTS_PER_STAGE = 12
STAGE_ORDER = (*PIPELINE, Stage.SHELVED, Stage.ABANDONED)
SAMPLE_SLUG = "programme-exemple"


def programme_url_template() -> str:
    """A programme page's address with SAMPLE_SLUG, replaced per row (one reverse a page)."""
    return reverse("projects:programme-detail", kwargs={"slug": SAMPLE_SLUG})


class ProgrammeListView(PortfolioMixin, TemplateView):
    """Every active programme, with how many of the projects the reader sees are in it and
    how many reached experimentation or beyond. Two queries."""

    template_name = "projects/programme_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ids = self.visible_projects().values("pk")
        in_scope = Q(projects__in=ids)
        programmes = (
            Programme.objects.active()
            .annotate(
                n=Count("projects", filter=in_scope),
                n_advanced=Count(
                    "projects",
                    filter=in_scope & Q(projects__stage__in=ADVANCED_STAGES),
                ),
            )
            .order_by("name")
        )
        url = programme_url_template()
        rows = [
            {
                "name": programme.name,
                "description": programme.description,
                "url": url.replace(SAMPLE_SLUG, programme.slug),
                "n": programme.n,
                "n_advanced": programme.n_advanced,
                "requires_ecological_assessment": programme.requires_ecological_assessment,
            }
            for programme in programmes
        ]
        context["rows"] = rows
        return context


class ProgrammeDetailView(PortfolioMixin, TemplateView):
    template_name = "projects/programme_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme = get_object_or_404(Programme, slug=kwargs["slug"])
        projects = self.visible_projects().filter(programmes=programme)
        # What the panels read: the programme and the projects of it the reader sees.
        programme.visible_projects = projects
        stages = programme_stages(projects, programme)
        spread = programme_spread(projects)
        list_url = reverse("projects:index")
        context.update(
            scope=Project.objects.scope_label(self.request.user),
            programme=programme,
            stages=stages,
            n_projects=sum(stage["total"] for stage in stages),
            stage_chart=charts.bar_chart(
                "programme-etapes",
                _("%(programme)s : projets par étape") % {"programme": programme.name},
                [
                    charts.ChartRow(stage["label"], stage["total"], url=stage["list_url"])
                    for stage in stages
                ],
                label_header=_("Étape"),
                shares=True,
                value_header=_("Projets"),
            ),
            spread=spread,
            n_cafs=len(spread),
            n_deployments=sum(caf["n_live"] for caf in spread),
            list_url=f"{list_url}?{urlencode({'programme': programme.slug})}",
            programme_panels=shown_panels("programme", self.request, programme),
        )
        return context


def programme_stages(projects: Any, programme: Programme) -> list[dict[str, Any]]:
    """Per stage (the pipeline, then on the shelf and abandoned): its total and its
    PROJECTS_PER_STAGE most recently changed projects, in one query (window functions)."""
    ranked = (
        projects.select_related("pilot_caf")
        .annotate(
            rank_in_stage=Window(
                RowNumber(), partition_by=[F("stage")], order_by=[F("updated_at").desc(), "pk"]
            ),
            n_in_stage=Window(Count("pk"), partition_by=[F("stage")]),
        )
        .filter(rank_in_stage__lte=PROJECTS_PER_STAGE)
        .only("code", "title", "stage", "health", "is_draft", "updated_at", "pilot_caf__name")
        .order_by("stage", "rank_in_stage")
    )
    by_stage: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGE_ORDER}
    totals = dict.fromkeys(STAGE_ORDER, 0)
    detail_url = code_url("projects:detail")
    health_labels = {health.value: str(health.label) for health in Health}
    for project in ranked:
        totals[project.stage] = project.n_in_stage
        by_stage.setdefault(project.stage, []).append(
            {
                "code": project.code,
                "title": project.title,
                "url": detail_url.replace(SAMPLE_CODE, project.code),
                "is_draft": project.is_draft,
                "health_icon": HEALTH_ICONS.get(project.health, HEALTH_ICONS[Health.UNKNOWN]),
                "health_label": health_labels.get(project.health, project.health),
                "caf": project.pilot_caf.name if project.pilot_caf else "",
            }
        )
    list_url = reverse("projects:index")
    return [
        {
            "stage": stage,
            "label": str(Stage(stage).label),
            "total": totals[stage],
            "projects": by_stage[stage],
            "n_more": totals[stage] - len(by_stage[stage]),
            "list_url": f"{list_url}?{urlencode({'programme': programme.slug, 'stage': stage})}",
        }
        for stage in STAGE_ORDER
    ]


def programme_spread(projects: Any) -> list[dict[str, Any]]:
    """What was spread where: per Caf (in the order of the départements), the programme's
    projects deployed there with their status, live ones first. One query."""
    deployments = (
        Deployment.objects.filter(project__in=projects.values("pk"))
        .order_by("caf__position", "project__code")
        .values_list("caf__code", "caf__name", "status", "project__code", "project__title")
    )
    status_labels = {status.value: str(status.label) for status in Deployment.Status}
    dead = {Deployment.Status.DECLINED, Deployment.Status.STOPPED}
    detail_url = code_url("projects:deployments")
    cafs: dict[str, dict[str, Any]] = {}
    for caf_code, caf_name, status, code, title in deployments:
        caf = cafs.setdefault(
            caf_code, {"code": caf_code, "name": caf_name, "n_live": 0, "projects": []}
        )
        is_live = status not in dead
        caf["n_live"] += is_live
        caf["projects"].append(
            {
                "code": code,
                "title": title,
                "url": detail_url.replace(SAMPLE_CODE, code),
                "status": status_labels.get(status, status),
                "is_live": is_live,
            }
        )
    for caf in cafs.values():
        caf["projects"].sort(key=lambda row: not row["is_live"])
    return list(cafs.values())
