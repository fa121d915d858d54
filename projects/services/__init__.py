"""Flows of the portfolio: projects, their team, reports and levers (projects.py); gate
reviews and stage moves (gates.py); deployments (deployments.py); the director's dashboard
(dashboard.py). Import from here or from the module. The idea box, challenges and creativity
sessions are the `ideas` app's."""

from projects.services.deployments import adaptation_add, deployment_declare, deployment_move
from projects.services.gates import (
    gate_criteria_for,
    gate_decide,
    gate_request,
    gate_score,
    gate_summary,
    project_reactivate,
    review_url,
)
from projects.services.projects import (
    AlreadyDone,
    PartnerRefused,
    ensure_partner_may_contribute,
    lever_add,
    lever_escalate,
    lever_lift,
    lever_pull,
    project_audience,
    project_create,
    project_origin_add,
    project_update,
    prototype_add,
    status_report_add,
    team_member_remove,
    team_member_set,
)

__all__ = [
    "AlreadyDone",
    "PartnerRefused",
    "adaptation_add",
    "deployment_declare",
    "deployment_move",
    "ensure_partner_may_contribute",
    "gate_criteria_for",
    "gate_decide",
    "gate_request",
    "gate_score",
    "gate_summary",
    "lever_add",
    "lever_escalate",
    "lever_lift",
    "lever_pull",
    "project_audience",
    "project_create",
    "project_origin_add",
    "project_reactivate",
    "project_update",
    "prototype_add",
    "review_url",
    "status_report_add",
    "team_member_remove",
    "team_member_set",
]
