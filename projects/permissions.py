"""Who may do what in the portfolio. Scopes (hidden → 404) are `Project.objects.visible_to`;
these rules decide the actions (refused → 403).

Lab staff: everything. Lead and team: edit their project, ask for gates. Correspondents: their
Caf's deployments, and projects where their Caf is pilot. Agents: read non-draft projects,
follow them. Partners: read the projects their organisation is a partner of; on those of the
incubator track, they work with the team (status reports, blockers and levers, prototypes,
documents), never edit the project itself. Citizens and anonymous: public project sheets only.
"""

from typing import Any

import rules
from django.utils.translation import gettext as _

from caflab.accounts.permissions import (
    is_correspondent,
    is_directorate_member,
    is_lab_staff,
    is_network_member,
    is_partner,
)
from projects.models import Track


@rules.predicate
def is_lead(user, project) -> bool:
    return bool(project and user.is_authenticated and project.lead_id == user.pk)


@rules.predicate
def is_team_member(user, project) -> bool:
    if not (project and user.is_authenticated):
        return False
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("team_members")
    if prefetched is not None:  # the project's page prefetched its team: no query per check
        return any(member.user_id == user.pk for member in prefetched)
    return project.team_members.filter(user=user).exists()


@rules.predicate
def is_pilot_correspondent(user, project) -> bool:
    return bool(
        project
        and is_correspondent(user)
        and project.pilot_caf_id is not None
        and project.pilot_caf_id == user.caf_id
    )


def _partner_ids(project) -> set[int]:
    """The project's partner organisations: the page's annotation (no query), its prefetch, or
    one query."""
    annotated = getattr(project, "partner_ids", None)
    if annotated is not None:
        return set(annotated)
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("partners")
    if prefetched is not None:
        return {partner.pk for partner in prefetched}
    return set(project.partners.values_list("pk", flat=True))


def partner_refusal(user: Any, project: Any) -> str | None:
    """Why a partner may not work on `project` (a French reason), or None when they may: their
    organisation is one of its partners and it is on the incubator track. Not a partner: None
    (the other rules decide)."""
    if not (project and is_partner(user)):
        return None
    if not user.partner_id or user.partner_id not in _partner_ids(project):
        return _("Votre organisation n’est pas partenaire de ce projet.")
    if project.track != Track.LOCAL_INCUBATOR:
        return _(
            "Ce projet n’est pas suivi par l’incubateur : ses partenaires le consultent, "
            "son équipe le fait avancer."
        )
    return None


@rules.predicate
def is_incubated_partner(user, project) -> bool:
    """A member of a partner organisation of `project`, on the incubator track. Asks nothing
    of anyone else (no query)."""
    return bool(project and is_partner(user) and partner_refusal(user, project) is None)


@rules.predicate
def is_named_reviewer(user, review) -> bool:
    if not (review and user.is_authenticated):
        return False
    reviewer_ids = getattr(review, "reviewer_ids", None)
    if reviewer_ids is not None:  # annotated by the project's page: no query
        return user.pk in reviewer_ids
    return review.reviewers.filter(pk=user.pk).exists()


@rules.predicate
def is_deployment_correspondent(user, deployment) -> bool:
    return bool(deployment and is_correspondent(user) and deployment.caf_id == user.caf_id)


@rules.predicate
def leads_deployment_project(user, deployment) -> bool:
    return bool(deployment and is_lead(user, deployment.project))


@rules.predicate
def project_is_not_draft(user, project) -> bool:
    return bool(project and not project.is_draft)


can_view_portfolio = is_network_member | is_partner
can_view_dashboard = is_lab_staff | is_directorate_member
can_add_project = is_lab_staff | is_correspondent
can_change_project = is_lab_staff | is_lead | is_team_member | is_pilot_correspondent
can_request_gate = is_lab_staff | is_lead | is_team_member
can_score_gate = is_lab_staff | is_named_reviewer
can_decide_gate = is_lab_staff
can_follow_project = is_network_member
# "We want it in our Caf": a correspondent, for their own Caf, on a project the network sees.
can_declare_deployment = (is_lab_staff | is_correspondent) & project_is_not_draft
can_change_deployment = is_lab_staff | is_deployment_correspondent | leads_deployment_project
# Blockers and levers (the object is the project; who sees it is Project.objects.visible_to):
# its team (or the lab) puts one "à arbitrer par la direction"; the lab and the directorates
# pull a lever or arbitrate a blocker.
can_escalate_lever = is_lab_staff | is_lead | is_team_member | is_incubated_partner
# Follow a project up (status reports, blockers and levers, prototypes): its editors, and the
# partners of an incubated project, who do not edit the project itself.
can_contribute = can_change_project | is_incubated_partner
can_pull_lever = is_lab_staff | is_directorate_member

rules.add_perm("projects.view_portfolio", can_view_portfolio)
rules.add_perm("projects.view_dashboard", can_view_dashboard)
rules.add_perm("projects.add_project", can_add_project)
rules.add_perm("projects.change_project", can_change_project)
rules.add_perm("projects.contribute", can_contribute)
rules.add_perm("projects.request_gate", can_request_gate)
rules.add_perm("projects.score_gate", can_score_gate)
rules.add_perm("projects.decide_gate", can_decide_gate)
rules.add_perm("projects.follow_project", can_follow_project)
rules.add_perm("projects.declare_deployment", can_declare_deployment)
rules.add_perm("projects.change_deployment", can_change_deployment)
rules.add_perm("projects.escalate_lever", can_escalate_lever)
rules.add_perm("projects.pull_lever", can_pull_lever)
