"""Who may see the participatory evaluations: the network's employees."""

import rules

from caflab.accounts.permissions import is_network_member

can_view_evaluations = is_network_member
rules.add_perm("evaluation.view_evaluations", can_view_evaluations)


# participation: surveys, testimonies, effects, judgements ------------------------------------
# Network members and the project's partners read (the project scope, `Project.objects
# .visible_to`, hides the rest: 404); the lead, the team and the lab edit; citizens: 403.
from caflab.accounts.permissions import is_lab_staff, is_partner  # noqa: E402
from projects.permissions import is_lead, is_team_member  # noqa: E402

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

from caflab.accounts.permissions import is_correspondent, is_lab_staff, is_partner  # noqa: E402
from projects.permissions import is_lead, is_team_member  # noqa: E402


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
