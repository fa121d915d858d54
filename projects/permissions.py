"""Who may do what in the portfolio. Scopes (hidden → 404) are `Project.objects.visible_to`;
these rules decide the actions (refused → 403).

Lab staff: everything. Lead and team: edit their project, ask for gates. Correspondents: their
Caf's deployments, and projects where their Caf is pilot. Agents: read non-draft projects,
follow them. Citizens and anonymous: public project sheets only.
"""

import rules

from caflab.accounts.permissions import (
    is_correspondent,
    is_directorate_member,
    is_lab_staff,
    is_network_member,
    is_partner,
)


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

rules.add_perm("projects.view_portfolio", can_view_portfolio)
rules.add_perm("projects.view_dashboard", can_view_dashboard)
rules.add_perm("projects.add_project", can_add_project)
rules.add_perm("projects.change_project", can_change_project)
rules.add_perm("projects.request_gate", can_request_gate)
rules.add_perm("projects.score_gate", can_score_gate)
rules.add_perm("projects.decide_gate", can_decide_gate)
rules.add_perm("projects.follow_project", can_follow_project)
rules.add_perm("projects.declare_deployment", can_declare_deployment)
rules.add_perm("projects.change_deployment", can_change_deployment)


# ideas ---------------------------------------------------------------------------------------
# The idea box is the network's: its members read it, submit, support, comment and follow.
# Correspondents triage their Caf's ideas; the lab triages all of them. The scope (hidden → 404)
# is `Idea.objects.visible_to`; partners and citizens get 403 on the box's pages.


def _co_author_ids(idea) -> set[int]:
    """Co-authors' ids, read from the prefetch cache when the view prefetched them."""
    cache = getattr(idea, "_prefetched_objects_cache", {})
    if "co_authors" in cache:
        return {user.pk for user in cache["co_authors"]}
    return set(idea.co_authors.values_list("pk", flat=True))


@rules.predicate
def is_idea_author(user, idea) -> bool:
    """The author or a co-author."""
    if not (idea and user.is_authenticated):
        return False
    return idea.author_id == user.pk or user.pk in _co_author_ids(idea)


@rules.predicate
def idea_is_submitted(user, idea) -> bool:
    """Still editable by its authors: nobody has started examining it."""
    return bool(idea and idea.status == "submitted")


@rules.predicate
def is_idea_caf_correspondent(user, idea) -> bool:
    return bool(
        idea and is_correspondent(user) and idea.caf_id is not None and idea.caf_id == user.caf_id
    )


@rules.predicate
def moderates_comments(user) -> bool:
    """Moderators (lab and Caf staff with the role), the lab and administrators."""
    return bool(user.is_authenticated and user.is_moderator)


@rules.predicate
def is_idea_reviewer(user, idea) -> bool:
    return bool(idea and user.is_authenticated and idea.reviewer_id == user.pk)


can_view_ideas = is_network_member
can_submit_idea = is_network_member
can_change_idea = is_lab_staff | (is_idea_author & idea_is_submitted)
can_support_idea = is_network_member
can_comment_idea = is_network_member
can_follow_idea = is_network_member
can_view_triage = is_lab_staff | is_correspondent
can_triage_idea = is_lab_staff | is_idea_caf_correspondent
# The reviewer the triage named scores too, even from outside the idea's Caf.
can_score_idea = can_triage_idea | (is_idea_reviewer & (is_lab_staff | is_correspondent))
can_moderate_idea_comments = is_lab_staff | moderates_comments


@rules.predicate
def is_idea_comment_author(user, comment) -> bool:
    return bool(comment and user.is_authenticated and comment.author_id == user.pk)


can_report_idea_comment = is_network_member & ~is_idea_comment_author

rules.add_perm("projects.view_ideas", can_view_ideas)
rules.add_perm("projects.add_idea", can_submit_idea)
rules.add_perm("projects.change_idea", can_change_idea)
rules.add_perm("projects.support_idea", can_support_idea)
rules.add_perm("projects.comment_idea", can_comment_idea)
rules.add_perm("projects.follow_idea", can_follow_idea)
rules.add_perm("projects.view_triage", can_view_triage)
rules.add_perm("projects.triage_idea", can_triage_idea)
rules.add_perm("projects.score_idea", can_score_idea)
rules.add_perm("projects.moderate_idea_comments", can_moderate_idea_comments)
rules.add_perm("projects.report_idea_comment", can_report_idea_comment)


# challenges and sessions ------------------------------------------------------------------
# Challenges: the lab runs them; their audience (network, partners when invited) reads them and
# submits entries while open; the jury scores while judging; the ranking is the lab's and the
# jury's until the results are out. Session requests: a directorate's members see theirs, the
# lab sees and moves them all. Sessions: the network reads them, the lab and their facilitators
# run them. Citizens see nothing of this (403 on lists, 404 on pages).


@rules.predicate
def is_jury_member(user, challenge) -> bool:
    if not (challenge and user.is_authenticated):
        return False
    return challenge.jury.filter(pk=user.pk).exists()


@rules.predicate
def challenge_is_open(user, challenge) -> bool:
    return bool(challenge and challenge.status == challenge.Status.OPEN)


@rules.predicate
def challenge_results_are_out(user, challenge) -> bool:
    return bool(
        challenge
        and challenge.status in (challenge.Status.RESULTS_PUBLISHED, challenge.Status.CLOSED)
    )


@rules.predicate
def is_facilitator(user, session) -> bool:
    if not (session and user.is_authenticated):
        return False
    return session.facilitators.filter(pk=user.pk).exists()


can_view_challenges = is_network_member | is_partner
can_manage_challenges = is_lab_staff
can_submit_entry = (is_network_member | is_partner) & challenge_is_open
can_score_entries = is_jury_member
can_view_ranking = is_lab_staff | is_jury_member | challenge_results_are_out
can_view_sessions = is_network_member | is_partner
can_add_session = is_lab_staff
can_change_session = is_lab_staff | is_facilitator
can_request_session = is_directorate_member
can_view_session_requests = is_lab_staff | is_directorate_member
can_move_session_request = is_lab_staff

rules.add_perm("projects.view_challenges", can_view_challenges)
rules.add_perm("projects.manage_challenges", can_manage_challenges)
rules.add_perm("projects.submit_entry", can_submit_entry)
rules.add_perm("projects.score_entries", can_score_entries)
rules.add_perm("projects.view_ranking", can_view_ranking)
rules.add_perm("projects.view_sessions", can_view_sessions)
rules.add_perm("projects.add_session", can_add_session)
rules.add_perm("projects.change_session", can_change_session)
rules.add_perm("projects.request_session", can_request_session)
rules.add_perm("projects.view_session_requests", can_view_session_requests)
rules.add_perm("projects.move_session_request", can_move_session_request)


def challenges_visible_to(user):
    """The challenges `user` may open (others are 404): their audience's, never a citizen's."""
    from projects.models import Challenge

    if not can_view_challenges(user):
        return Challenge.objects.none()
    return Challenge.objects.visible_to(user)


def entries_visible_to(user, challenge):
    """A challenge's entries: all of them for the lab and the jury, and for everyone once the
    results are out; before that, each team sees its own."""
    entries = challenge.entries.all()
    if can_view_ranking(user, challenge):
        return entries
    if not user.is_authenticated:
        return entries.none()
    return entries.filter(pk__in=challenge.entries.filter(members=user).values("pk"))


def sessions_visible_to(user):
    """Sessions are the network's to read; a partner sees those they facilitate."""
    from projects.models import CreativitySession

    sessions = CreativitySession.objects.all()
    if not user.is_authenticated:
        return sessions.none()
    if is_lab_staff(user) or is_network_member(user):
        return sessions
    return sessions.filter(pk__in=sessions.filter(facilitators=user).values("pk"))
