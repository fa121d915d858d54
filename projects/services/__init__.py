"""Flows of the projects app: the portfolio (portfolio.py); ideas (ideas.py); challenges and
creativity sessions (sessions.py). Import from here or from the module."""

from projects.services.portfolio import (
    AlreadyDone,
    adaptation_add,
    deployment_declare,
    deployment_move,
    gate_criteria_for,
    gate_decide,
    gate_request,
    gate_score,
    gate_summary,
    lever_add,
    lever_lift,
    project_audience,
    project_create,
    project_origin_add,
    project_reactivate,
    review_url,
    status_report_add,
    team_member_set,
)

__all__ = [
    "AlreadyDone",
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
    "review_url",
    "status_report_add",
    "team_member_set",
]
