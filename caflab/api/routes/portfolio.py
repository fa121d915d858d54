"""Projects: their sheet, stage, Caf and deployments. Who sees which project is the site's
rule, written once: the portfolio's `visible_to` (drafts of other teams stay hidden) together
with the public sheets (`published()`) that anyone reads."""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from caflab.api import schemas
from caflab.api.http import filtered, json_answer, list_answer, one_or_404, paginate
from projects.filters import ProjectFilter
from projects.models import Deployment, Project

router = Router(tags=["Projets"])


def project_scope(user: Any):
    """The projects `user` reads: their portfolio and every public sheet; each annotated
    `in_portfolio` (the portfolio's fields are shown, or only the public sheet's)."""
    portfolio = Project.objects.visible_to(user)
    return (Project.objects.published() | Project.objects.visible_to(user)).annotate(
        in_portfolio=Exists(portfolio.filter(pk=OuterRef("pk")))
    )


def _with_data(queryset):
    return queryset.select_related("pilot_caf").prefetch_related(
        "themes",
        "programmes",
        Prefetch(
            "deployments",
            queryset=Deployment.objects.select_related("caf").order_by("caf__position", "pk"),
        ),
    )


def caf_ref(caf: Any) -> dict[str, str] | None:
    return {"code": caf.code, "name": caf.name} if caf is not None else None


def ref(row: Any) -> dict[str, str]:
    return {"slug": row.slug, "name": row.name}


def serialize_project(project: Project) -> dict[str, Any]:
    inside = project.in_portfolio
    live = {Deployment.Status.DECLINED, Deployment.Status.STOPPED}
    deployments = [
        (
            {
                "caf": caf_ref(d.caf),
                "status": d.status,
                "status_label": d.get_status_display(),
                "status_changed_at": d.status_changed_at,
            }
            if inside
            else {"caf": caf_ref(d.caf)}  # the public sheet: where it runs, no more
        )
        for d in project.deployments.all()
        if inside or d.status not in live
    ]
    data: dict[str, Any] = {
        "code": project.code,
        "title": project.title,
        "problem": project.problem,
        "solution": project.solution,
        "target_publics": project.target_publics,
        "stage": project.stage,
        "stage_label": project.get_stage_display(),
        "pilot_caf": caf_ref(project.pilot_caf),
        "themes": [ref(t) for t in project.themes.all()],
        "deployments": deployments,
        "url": (
            project.get_absolute_url()
            if inside
            else reverse("projects:public-sheet", kwargs={"code": project.code})
        ),
        "updated_at": project.updated_at,
        "in_portfolio": inside,
    }
    if inside:
        data.update(
            stage_changed_at=project.stage_changed_at,
            health=project.health,
            track=project.track,
            is_draft=project.is_draft,
            programmes=[ref(p) for p in project.programmes.all()],
        )
    return schemas.ProjectOut(**data).model_dump(mode="json")


@router.get(
    "/projets/",
    response={200: schemas.ProjectPage, 400: schemas.ErrorOut},
    url_name="projects",
    summary="Projets du portefeuille et fiches publiques",
)
def projects(request: HttpRequest) -> HttpResponse:
    """Filters: those of the portfolio list (`q`, `stage`, `theme`, `programme`, `track`,
    `caf`, `health`, `sponsor`, `lead`, `ambition`, `advanced`, `moved_since`,
    `decided_since`); pagination: `limit`, `cursor`."""
    queryset = filtered(request, ProjectFilter, project_scope(request.auth))
    rows, next_url = paginate(request, _with_data(queryset))
    return list_answer(request, rows, next_url, serialize_project)


@router.get(
    "/projets/{code}/",
    response={200: schemas.ProjectOut, 404: schemas.ErrorOut},
    url_name="project",
    summary="Un projet",
)
def project(request: HttpRequest, code: str) -> HttpResponse:
    row = one_or_404(_with_data(project_scope(request.auth)), code=code)
    return json_answer(request, serialize_project(row), rows=[row])
