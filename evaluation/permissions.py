"""Who may see the participatory evaluations: the network's employees."""

import rules

from caflab.accounts.permissions import is_network_member

can_view_evaluations = is_network_member
rules.add_perm("evaluation.view_evaluations", can_view_evaluations)


# reports ---------------------------------------------------------------------------------------
# Impact reports: the project's lead and team and the lab request and publish them; published
# reports are read by the network's agents (scope: `ImpactReport.objects.visible_to`, hidden → 404).
# Portfolio reports: the lab and the Cnaf's directorates. Recommendations and management
# responses: the lead, the team and the lab edit them; the network reads them.

from caflab.accounts.permissions import is_directorate_member, is_lab_staff  # noqa: E402
from projects.permissions import is_lead, is_team_member  # noqa: E402


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
