"""The project-page panel: plans part (see evaluation/panels/__init__.py)."""

from typing import Any

from django.db.models import Count, Q

from evaluation import permissions
from evaluation.models import EvaluationPlan, Indicator


def context(project, user) -> dict[str, Any] | None:
    """The plan's version, evidence level and counts: two queries, plus the permission checks
    (at most two)."""
    if not user.has_perm("evaluation.read_project_evaluation"):
        return None
    plan = (
        EvaluationPlan.objects.filter(project=project)
        .annotate(n_questions=Count("questions"))
        .first()
    )
    counts = Indicator.objects.filter(project=project).aggregate(
        n_indicators=Count("pk", distinct=True),
        n_measurements=Count("measurements", filter=Q(measurements__isnull=False)),
    )
    can_edit = user.has_perm("evaluation.change_plan", project)
    return {
        "plan": plan,
        "n_indicators": counts["n_indicators"],
        "n_measurements": counts["n_measurements"],
        "can_edit": can_edit,
        # Not `has_perm("evaluation.enter_measurements")`: it would ask about the team again.
        "can_measure": can_edit or permissions.is_project_caf_correspondent(user, project),
    }
