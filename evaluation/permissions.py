"""Who may do what in the participatory evaluations. Citizens see nothing; hidden projects answer
404 through the scopes (`Project.objects.visible_to`, `ImpactReport.objects.visible_to`)."""

import rules

from caflab.accounts.permissions import (
    is_correspondent,
    is_directorate_member,
    is_lab_staff,
    is_network_member,
    is_partner,
)
from projects.permissions import is_lead, is_team_member

can_view_evaluations = is_network_member
rules.add_perm("evaluation.view_evaluations", can_view_evaluations)


# participation: surveys, testimonies, effects, judgements ------------------------------------
# Network members and the project's partners read (the project scope, `Project.objects
# .visible_to`, hides the rest: 404); the lead, the team and the lab edit; citizens: 403.

can_view_participation = is_network_member | is_partner
can_change_participation = is_lab_staff | is_lead | is_team_member

rules.add_perm("evaluation.view_participation", can_view_participation)
rules.add_perm("evaluation.change_participation", can_change_participation)


# plans and indicators --------------------------------------------------------------------------
# Who may do what with a project's evaluation plan, theory of change, indicators and
# measurements. The object is the project; hidden projects are 404 through
# `Project.objects.visible_to`. Citizens see nothing (403 on every evaluation URL).
#
# Read: the network's members and the project's partners. Edit the plan and indicators: the
# lab, the project's lead and team. Enter measurements: the same, plus the correspondents of
# the project's Caf (pilot or deployment), for their own Caf only (see
# `evaluation.services.indicators.measurement_cafs_for`).


@rules.predicate
def is_project_caf_correspondent(user, project) -> bool:
    """A correspondent of the project's pilot Caf or of one of its deployments' Caf."""
    if not (project and is_correspondent(user) and user.caf_id):
        return False
    if project.pilot_caf_id == user.caf_id:
        return True
    return project.deployments.exclude(status="declined").filter(caf_id=user.caf_id).exists()


can_read_project_evaluation = is_network_member | is_partner
can_change_plan = is_lab_staff | is_lead | is_team_member
can_enter_measurements = can_change_plan | is_project_caf_correspondent

rules.add_perm("evaluation.read_project_evaluation", can_read_project_evaluation)
rules.add_perm("evaluation.change_plan", can_change_plan)
rules.add_perm("evaluation.enter_measurements", can_enter_measurements)


# reports ---------------------------------------------------------------------------------------
# Impact reports: the project's lead and team and the lab request and publish them; published
# reports are read by the network's agents (scope: `ImpactReport.objects.visible_to`, hidden →
# 404). Portfolio reports: the lab and the Cnaf's directorates. Recommendations and management
# responses: the lead, the team and the lab edit them; the network reads them.


@rules.predicate
def is_report_project_team(user, report) -> bool:
    """The lead or a team member of the report's project."""
    return bool(
        report
        and report.project_id
        and (is_lead(user, report.project) or is_team_member(user, report.project))
    )


@rules.predicate
def is_portfolio_report(user, report) -> bool:
    return bool(report and report.project_id is None)


can_request_report = is_lab_staff | is_lead | is_team_member
can_request_portfolio_report = is_lab_staff | is_directorate_member
can_publish_report = (
    is_lab_staff | is_report_project_team | (is_portfolio_report & is_directorate_member)
)
can_change_recommendations = is_lab_staff | is_lead | is_team_member

rules.add_perm("evaluation.request_report", can_request_report)
rules.add_perm("evaluation.request_portfolio_report", can_request_portfolio_report)
rules.add_perm("evaluation.publish_report", can_publish_report)
rules.add_perm("evaluation.change_recommendations", can_change_recommendations)
