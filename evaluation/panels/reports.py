"""The project-page panel: reports part (see evaluation/panels/__init__.py).

Two queries whatever the number of reports: the latest reports the user sees, and (for a
non-lead outside the lab) the team membership behind the "request" permission."""

from typing import Any

from evaluation import permissions  # noqa: F401  (registers the app's permissions)
from evaluation.models import ImpactReport

LATEST = 3


def context(project, user) -> dict[str, Any] | None:
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
    }
