"""The project-page panel: reports part (see evaluation/panels/__init__.py).

At most one query whatever the number of reports: the latest reports the user sees (none when
the project has no report, counted by `project_counts`); the team membership behind the
"request" permission is read from the project's prefetched team on its page."""

from typing import Any

from evaluation import permissions  # noqa: F401  (registers the app's permissions)
from evaluation.models import ImpactReport
from evaluation.panels import project_counts

LATEST = 3


def context(project, user) -> dict[str, Any] | None:
    reports = []
    if project_counts(project)["n_reports"]:  # no report at all: no query for them
        reports = list(
            ImpactReport.objects.visible_to(user)
            .filter(project=project)
            .only("pk", "title", "status", "is_published", "created_at", "project_id")
            .order_by("-created_at", "-pk")[:LATEST]
        )
    return {
        "project": project,
        "reports": reports,
        "can_request": user.has_perm("evaluation.request_report", project),
        # No plan, no report (evaluation.services.reports.NoEvaluationPlan): the panel says so
        # instead of offering the button (the plans part links to the plan's creation).
        "has_plan": project_counts(project)["plan_id"] is not None,
    }
