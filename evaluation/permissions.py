"""Who may see the participatory evaluations: the network's employees."""

import rules

from caflab.accounts.permissions import is_network_member

can_view_evaluations = is_network_member
rules.add_perm("evaluation.view_evaluations", can_view_evaluations)
