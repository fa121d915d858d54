"""Portfolio flows, by flow: projects, their team, status reports and levers (projects.py);
gate reviews and stage moves (gates.py); deployments across the network (deployments.py).
Kept so that `from projects.services.portfolio import …` goes on working."""

from projects.services.deployments import (
    DEPLOYMENT_WORKFLOW,
    adaptation_add,
    deployment_declare,
    deployment_move,
)
from projects.services.gates import (
    STAGE_WORKFLOW,
    Decision,
    gate_criteria_for,
    gate_decide,
    gate_request,
    gate_score,
    gate_summary,
    project_reactivate,
    review_url,
)
from projects.services.projects import (
    CODE_ATTEMPTS,
    AlreadyDone,
    lever_add,
    lever_lift,
    project_audience,
    project_create,
    project_origin_add,
    project_update,
    status_report_add,
    team_member_remove,
    team_member_set,
)

__all__ = [
    "CODE_ATTEMPTS",
    "DEPLOYMENT_WORKFLOW",
    "STAGE_WORKFLOW",
    "AlreadyDone",
    "Decision",
    "adaptation_add",
    "deployment_declare",
    "deployment_move",
    "gate_criteria_for",
    "gate_decide",
    "gate_request",
    "gate_score",
    "gate_summary",
    "lever_add",
    "lever_lift",
    "project_audience",
    "project_create",
    "project_origin_add",
    "project_reactivate",
    "project_update",
    "review_url",
    "status_report_add",
    "team_member_remove",
    "team_member_set",
]
