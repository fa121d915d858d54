"""Who may do what in the criées. Scopes (hidden → 404) are `Initiative.objects.visible_to` and
`Criee.objects.visible_to`; these rules decide the actions (refused → 403).

Lab staff: everything. The team of an initiative edits it until it is published. A Caf's
correspondents edit and validate their Caf's initiatives, propose them to criées and declare
"we want to take it up" at every level for their Caf. Other network members read, support,
comment and declare interest for their own Caf (below "wants to replicate"). Moderators (and
the lab) hide or restore comments. Citizens and partners see nothing (403), anonymous visitors
are sent to the login page.
"""

import rules

from caflab.accounts.permissions import (
    is_correspondent,
    is_correspondent_of,
    is_directorate_member,
    is_lab_staff,
    is_moderator,
    is_network_member,
)


@rules.predicate
def has_caf(user) -> bool:
    return bool(user.is_authenticated and user.caf_id)


@rules.predicate
def is_initiative_member(user, initiative) -> bool:
    """In the initiative's team. Reads the prefetched team when the page loaded it."""
    if not (initiative and user.is_authenticated):
        return False
    return any(member.user_id == user.pk for member in initiative.members.all())


@rules.predicate
def is_initiative_correspondent(user, initiative) -> bool:
    return bool(initiative and is_correspondent(user) and initiative.caf_id == user.caf_id)


@rules.predicate
def is_published(user, initiative) -> bool:
    return bool(initiative and initiative.is_published)


@rules.predicate
def is_not_published(user, initiative) -> bool:
    return bool(initiative and not initiative.is_published)


@rules.predicate
def is_of_another_caf(user, initiative) -> bool:
    return bool(initiative and user.caf_id and initiative.caf_id != user.caf_id)


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return bool(comment and user.is_authenticated and comment.author_id == user.pk)


can_view_catalogue = is_network_member
can_add_initiative = is_lab_staff | (is_network_member & has_caf)
can_change_initiative = (
    is_lab_staff | is_initiative_correspondent | (is_initiative_member & is_not_published)
)
can_review_initiative = is_lab_staff | is_initiative_correspondent
can_support_initiative = is_network_member & is_published & ~is_initiative_member
can_comment_initiative = is_network_member & is_published
can_follow_initiative = is_network_member
# Any agent for their own Caf (never their own Caf's initiative); the lab for any Caf.
can_declare_interest = is_published & (is_lab_staff | (is_network_member & is_of_another_caf))
# The object is the Caf declared for: only its correspondents (or the lab) say "replicate".
can_declare_replicate = is_lab_staff | is_correspondent_of
can_promote_initiative = is_lab_staff & is_published
can_report_comment = is_network_member & ~is_comment_author
can_moderate_comments = is_moderator

can_manage_criees = is_lab_staff
# The analysis of the comments on a criée's initiatives (criees.analysis_sources): whoever
# manages the criée.
can_analyse_comments = can_manage_criees
can_propose_pitch = is_lab_staff | is_correspondent
can_view_dashboard = is_lab_staff | is_correspondent | is_directorate_member
can_export_interests = is_lab_staff | is_correspondent

rules.add_perm("criees.view_catalogue", can_view_catalogue)
rules.add_perm("criees.add_initiative", can_add_initiative)
rules.add_perm("criees.change_initiative", can_change_initiative)
rules.add_perm("criees.review_initiative", can_review_initiative)
rules.add_perm("criees.support_initiative", can_support_initiative)
rules.add_perm("criees.comment_initiative", can_comment_initiative)
rules.add_perm("criees.follow_initiative", can_follow_initiative)
rules.add_perm("criees.declare_interest", can_declare_interest)
rules.add_perm("criees.declare_replicate", can_declare_replicate)
rules.add_perm("criees.promote_initiative", can_promote_initiative)
rules.add_perm("criees.report_comment", can_report_comment)
rules.add_perm("criees.moderate_comments", can_moderate_comments)
rules.add_perm("criees.manage_criees", can_manage_criees)
rules.add_perm("criees.analyse_comments", can_analyse_comments)
rules.add_perm("criees.propose_pitch", can_propose_pitch)
rules.add_perm("criees.view_dashboard", can_view_dashboard)
rules.add_perm("criees.export_interests", can_export_interests)
