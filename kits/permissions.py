"""Who may do what with the kit. Who sees a document or a fiche d'essaimage is who sees its
project or initiative (`Project.objects.visible_to`, `Initiative.objects.visible_to`: hidden →
404); these rules decide the actions (refused → 403).

A project's documents, checklist and fiche: its lead and team, and the lab; its documents and
their versions also the partners of an incubated project (`projects.permissions`). An initiative's:
its team (authors), its Caf's correspondents, and the lab. Templates of the kits: whoever may
read the portfolio.
"""

from typing import Any

import rules

from caflab.accounts.permissions import is_lab_staff
from criees.models import Initiative
from criees.permissions import is_initiative_correspondent, is_initiative_member
from projects.models import Project
from projects.permissions import can_view_portfolio, is_incubated_partner, is_lead, is_team_member

can_edit_project_kit = is_lab_staff | is_lead | is_team_member
# Documents and their versions: also the partners of an incubated project (not the checklist
# ticks nor the fiche d'essaimage, which stay the team's).
can_add_project_documents = can_edit_project_kit | is_incubated_partner
can_edit_initiative_kit = is_lab_staff | is_initiative_correspondent | is_initiative_member


@rules.predicate
def may_edit_holder(user: Any, holder: Any) -> bool:
    """Add documents and versions, edit the fiche d'essaimage of `holder` (a project or an
    initiative)."""
    if isinstance(holder, Project):
        return can_edit_project_kit.test(user, holder)
    if isinstance(holder, Initiative):
        return can_edit_initiative_kit.test(user, holder)
    return False


@rules.predicate
def may_add_documents(user: Any, holder: Any) -> bool:
    """Add documents and versions to `holder`: its kit's editors and, on an incubated project,
    its partners."""
    if isinstance(holder, Project):
        return can_add_project_documents.test(user, holder)
    return may_edit_holder.test(user, holder)


rules.add_perm("kits.edit_holder", may_edit_holder)
rules.add_perm("kits.add_documents", may_add_documents)
rules.add_perm("kits.check_deliverable", can_edit_project_kit)
rules.add_perm("kits.download_template", can_view_portfolio)
