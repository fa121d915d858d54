"""The "Évaluation" section of a project's page, registered with the core's page panels
(`caflab.core.panels`, page "project") in EvaluationConfig.ready()."""

from typing import Any

from django.http import HttpRequest

from evaluation.panels import ecological_notice, participation, plans, reports


def context(request: HttpRequest, project: Any) -> dict[str, Any] | None:
    """Network members and partners only; each part hides itself without its permission."""
    user = request.user
    if not user.is_authenticated or user.is_citizen:
        return None
    return {
        "project": project,
        "ecological_notice": ecological_notice.context(project, user),
        "plans": plans.context(project, user),
        "participation": participation.context(project, user),
        "reports": reports.context(project, user),
    }
