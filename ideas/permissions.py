"""Who may do what with the sources of innovation: the idea box, challenges and creativity
sessions. Scopes (hidden → 404) are `Idea.objects.visible_to`, `challenges_visible_to` and
`sessions_visible_to`; these rules decide the actions (refused → 403)."""

import rules

from caflab.accounts.permissions import (
    is_correspondent,
    is_directorate_member,
    is_lab_staff,
    is_network_member,
    is_partner,
)

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

rules.add_perm("ideas.view_ideas", can_view_ideas)
rules.add_perm("ideas.add_idea", can_submit_idea)
rules.add_perm("ideas.change_idea", can_change_idea)
rules.add_perm("ideas.support_idea", can_support_idea)
rules.add_perm("ideas.comment_idea", can_comment_idea)
rules.add_perm("ideas.follow_idea", can_follow_idea)
rules.add_perm("ideas.view_triage", can_view_triage)
rules.add_perm("ideas.triage_idea", can_triage_idea)
rules.add_perm("ideas.score_idea", can_score_idea)
rules.add_perm("ideas.moderate_idea_comments", can_moderate_idea_comments)
rules.add_perm("ideas.report_idea_comment", can_report_idea_comment)


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

rules.add_perm("ideas.view_challenges", can_view_challenges)
rules.add_perm("ideas.manage_challenges", can_manage_challenges)
rules.add_perm("ideas.submit_entry", can_submit_entry)
rules.add_perm("ideas.score_entries", can_score_entries)
rules.add_perm("ideas.view_ranking", can_view_ranking)
rules.add_perm("ideas.view_sessions", can_view_sessions)
rules.add_perm("ideas.add_session", can_add_session)
rules.add_perm("ideas.change_session", can_change_session)
rules.add_perm("ideas.request_session", can_request_session)
rules.add_perm("ideas.view_session_requests", can_view_session_requests)
rules.add_perm("ideas.move_session_request", can_move_session_request)


def challenges_visible_to(user):
    """The challenges `user` may open (others are 404): their audience's, never a citizen's."""
    from ideas.models import Challenge

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
    from ideas.models import CreativitySession

    return CreativitySession.objects.visible_to(user)
