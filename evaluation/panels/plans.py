"""The project-page panel: plans part (see evaluation/panels/__init__.py)."""

from typing import Any

from evaluation import permissions
from evaluation.models import EvaluationPlan
from evaluation.panels import project_counts


def context(project, user) -> dict[str, Any] | None:
    """The plan's version, evidence level and counts: one query shared with the panel's other
    parts (`project_counts`), plus the permission checks (at most two)."""
    if not user.has_perm("evaluation.read_project_evaluation"):
        return None
    counts = project_counts(project)  # shared with the other parts: one query
    plan = None
    if counts["plan_id"] is not None:
        plan = EvaluationPlan(
            pk=counts["plan_id"],
            project=project,
            version=counts["plan_version"],
            evidence_level=counts["plan_evidence_level"],
        )
        plan.n_questions = counts["n_questions"]
    can_edit = user.has_perm("evaluation.change_plan", project)
    return {
        "plan": plan,
        "n_indicators": counts["n_indicators"],
        "n_measurements": counts["n_measurements"],
        "can_edit": can_edit,
        # Not `has_perm("evaluation.enter_measurements")`: it would ask about the team again.
        "can_measure": can_edit or permissions.is_project_caf_correspondent(user, project),
    }
