"""The "Évaluation" section of a Caf's dashboard, registered with the core's page panels
(`caflab.core.panels`, page "caf_dashboard") in EvaluationConfig.ready()."""

from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.http import HttpRequest

from caflab.core.queries import count_of

SHOWN = 10  # evaluated innovations listed, the latest updated first


def context(request: HttpRequest, caf: Any) -> dict[str, Any] | None:
    """The evaluations of the innovations run in the Caf (its pilot Caf, or deployed there and
    not declined nor stopped) that the reader sees: each plan with its version, indicators,
    open negative effects and published reports, the Caf's part (pilot or deployment status).
    Two queries (the count, the latest ones; none listed when there is none)."""
    from evaluation.models import Effect, ImpactReport, Indicator
    from projects.models import Deployment, Project

    run_here = Deployment.objects.filter(caf=caf).exclude(
        status__in=[Deployment.Status.DECLINED, Deployment.Status.STOPPED]
    )
    evaluated = (
        Project.objects.visible_to(request.user)
        .filter(Q(pilot_caf=caf) | Q(pk__in=run_here.values("project")))
        .filter(evaluation_plan__isnull=False)
    )
    total = evaluated.count()
    projects = []
    if total:
        local = Deployment.objects.filter(project=OuterRef("pk"), caf=caf)
        latest_report = ImpactReport.objects.filter(
            project=OuterRef("pk"), is_published=True
        ).order_by("-created_at", "-pk")
        projects = list(
            evaluated.annotate(
                plan_version=F("evaluation_plan__version"),
                n_indicators=count_of(Indicator, "project"),
                n_open_negative=count_of(
                    Effect,
                    "project",
                    status__in=["open", "mitigating"],
                    nature__in=["negative", "unexpected_negative"],
                ),
                n_published_reports=count_of(ImpactReport, "project", is_published=True),
                latest_report_id=Subquery(latest_report.values("pk")[:1]),
                local_status=Subquery(local.values("status")[:1]),
            )
            .only("pk", "code", "title", "stage", "pilot_caf_id")
            .order_by("-evaluation_plan__updated_at", "-pk")[:SHOWN]
        )
        labels = dict(Deployment.Status.choices)
        for project in projects:
            project.local_label = labels.get(project.local_status, "")
            project.is_pilot_here = project.pilot_caf_id == caf.pk
    return {"caf": caf, "projects": projects, "total": total, "shown": SHOWN}
