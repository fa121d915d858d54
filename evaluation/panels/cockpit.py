"""The director's cockpit ("portfolio_dashboard" page panel, registered in
EvaluationConfig.ready()): the negative effects still open, severe first; the evaluations in
progress; the impact reports published. The portfolio does not import this: the panel
registry (caflab.core.panels) brings it to the page."""

from typing import Any

from django.db.models import Count, Q, Window
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from projects.converters import SAMPLE_CODE, SAMPLE_PK, code_url

# Rows per list; each list's count says how many there are in all.
SHOWN = 10


def context(request: HttpRequest, projects: Any) -> dict[str, Any] | None:
    """Three queries whatever the data (each list's rows carry its total, a window count).
    `projects` are those the reader sees. Plain data: it joins the cached page's
    fingerprint."""
    from evaluation.models import Effect, EvaluationPlan, ImpactReport
    from projects.models import Stage

    user = request.user
    ids = projects.values("pk")
    # A reverse() per list, not per row: the sample address with the row's key put in.
    effect_url = reverse("evaluation:effect-detail", kwargs={"pk": SAMPLE_PK})
    plan_url = code_url("evaluation:plan")
    report_url = reverse("evaluation:report-detail", kwargs={"pk": SAMPLE_PK})
    # 1 query: negative effects still open (open or being mitigated), severe first.
    effects = list(
        Effect.objects.unresolved()
        .exclude(nature=Effect.Nature.UNEXPECTED_POSITIVE)
        .filter(project__in=ids)
        .select_related("project")
        .only("description", "severity", "status", "created_at", "project__code", "project__title")
        .annotate(
            n_total=Window(Count("pk")),
            n_severe=Window(Count("pk", filter=Q(severity=Effect.Severity.SEVERE))),
        )
        .order_by("-severity", "-likelihood", "created_at", "pk")[:SHOWN]
    )
    severity_labels = dict(Effect.Severity.choices)
    status_labels = dict(Effect.Status.choices)
    effect_rows = [
        {
            "url": effect_url.replace(str(SAMPLE_PK), str(effect.pk)),
            "project": f"{effect.project.code} {effect.project.title}",
            "text": effect.description,
            "severity": str(severity_labels.get(effect.severity, effect.severity)),
            "is_severe": effect.severity == Effect.Severity.SEVERE,
            "status": str(status_labels.get(effect.status, effect.status)),
            "since": timezone.localdate(effect.created_at),
        }
        for effect in effects
    ]
    # 1 query: evaluations in progress, the plans of the projects still moving (not on the
    # shelf, abandoned or generalised), the latest updated first.
    plans = list(
        EvaluationPlan.objects.filter(project__in=ids)
        .exclude(project__stage__in=[Stage.SHELVED, Stage.ABANDONED, Stage.GENERALISED])
        .select_related("project")
        .only("updated_at", "project__code", "project__title", "project__stage")
        .annotate(n_total=Window(Count("pk")))
        .order_by("-updated_at", "-pk")[:SHOWN]
    )
    stage_labels = dict(Stage.choices)
    plan_rows = [
        {
            "url": plan_url.replace(SAMPLE_CODE, plan.project.code),
            "project": f"{plan.project.code} {plan.project.title}",
            "stage": str(stage_labels.get(plan.project.stage, plan.project.stage)),
            "updated_on": timezone.localdate(plan.updated_at),
        }
        for plan in plans
    ]
    # 1 query: impact reports published that the reader may open, the latest first.
    reports = list(
        ImpactReport.objects.visible_to(user)
        .filter(is_published=True)
        .only("title", "created_at")
        .annotate(n_total=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    report_rows = [
        {
            "url": report_url.replace(str(SAMPLE_PK), str(report.pk)),
            "title": report.title,
            "on": timezone.localdate(report.created_at),
        }
        for report in reports
    ]
    return {
        "evaluation": {
            "effects": effect_rows,
            "n_effects": effects[0].n_total if effects else 0,
            "n_severe": effects[0].n_severe if effects else 0,
            "plans": plan_rows,
            "n_plans": plans[0].n_total if plans else 0,
            "reports": report_rows,
            "n_reports": reports[0].n_total if reports else 0,
            "shown": SHOWN,
        }
    }
