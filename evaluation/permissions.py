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
