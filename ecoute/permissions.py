"""Who may do what in "La Caf à votre écoute". Scopes (hidden → 404) are
`Consultation.objects.visible_to` and `managed_by`; these rules decide the actions (→ 403).

Managers: the lab and moderators run every consultation, a correspondent their Caf's. Readers:
everyone for a public consultation, the network's members for an agents-only one, the active
members of its communities for a community one (whatever their side). Answering
depends on the consultation being open and consulting the person's side (usagers or agents),
within its Caf perimeter; anonymous visitors answer where anonymous answers are allowed.
"""

import rules

from caflab.accounts.permissions import (
    is_correspondent,
    is_lab_staff,
    is_moderator,
    is_network_member,
)
from ecoute.models.communities import Membership
from ecoute.reserved import is_open_to


@rules.predicate
def is_caf_correspondent_of_consultation(user, consultation) -> bool:
    return bool(
        consultation
        and is_correspondent(user)
        and consultation.caf_id is not None
        and consultation.caf_id == user.caf_id
    )


@rules.predicate
def consultation_is_open(user, consultation) -> bool:
    return bool(consultation and consultation.is_open)


@rules.predicate
def consultation_consults_user(user, consultation) -> bool:
    """The consultation asks people of the user's side, in the user's Caf (a perimeter of Caf
    leaves out the agents of the others; Cnaf staff belong to no Caf and stay in)."""
    if not (consultation and user.is_authenticated and user.is_active):
        return False
    if consultation.access == consultation.Access.COMMUNITY:
        # A community consultation consults its communities' active members, whatever their side,
        # and the people another app reserves it to (ecoute.reserved: an event's attendees).
        return (
            Membership.objects.active()
            .filter(user=user, community__consultations=consultation)
            .exists()
        ) or is_open_to(user, consultation)
    if user.is_network_member:
        if not consultation.consults_agents:
            return False
        if user.caf_id is None:
            return True
        perimeter = {caf.pk for caf in consultation.perimeter_cafs.all()}
        return not perimeter or user.caf_id in perimeter
    return consultation.consults_citizens


@rules.predicate
def consultation_takes_assisted_answers(user, consultation) -> bool:
    """Agents enter answers for visitors of a public consultation that consults usagers."""
    return bool(
        consultation
        and consultation.consults_citizens
        and consultation.access == consultation.Access.PUBLIC
    )


can_view_consultations = rules.always_allow
can_add_consultation = is_lab_staff | is_moderator | is_correspondent
can_manage_consultation = is_lab_staff | is_moderator | is_caf_correspondent_of_consultation
can_answer_consultation = consultation_is_open & consultation_consults_user
can_assist_consultation = (
    is_network_member & consultation_is_open & consultation_takes_assisted_answers
)

rules.add_perm("ecoute.view_consultations", can_view_consultations)
rules.add_perm("ecoute.add_consultation", can_add_consultation)
rules.add_perm("ecoute.manage_consultation", can_manage_consultation)
rules.add_perm("ecoute.answer_consultation", can_answer_consultation)
rules.add_perm("ecoute.assist_consultation", can_assist_consultation)


# --- contributions (phase 2) ----------------------------------------------------------------
# Contributing needs an account (citizen or agent): moderation messages and official answers
# need a recipient. Anonymous visitors read published contributions and are invited to log in.


@rules.predicate
def consultation_collects_contributions(user, consultation) -> bool:
    return bool(consultation and consultation.collects_contributions)


@rules.predicate
def contribution_is_published(user, contribution) -> bool:
    return bool(contribution and contribution.is_published)


@rules.predicate
def may_take_part_in_contribution(user, contribution) -> bool:
    return bool(contribution and can_contribute.test(user, contribution.consultation))


@rules.predicate
def manages_contribution(user, contribution) -> bool:
    return bool(contribution and can_manage_consultation.test(user, contribution.consultation))


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


can_contribute = (
    consultation_is_open & consultation_collects_contributions & consultation_consults_user
)
# Supporting and commenting: a published contribution of a consultation one may contribute to.
can_support_contribution = contribution_is_published & may_take_part_in_contribution
can_report_contribution = is_signed_in & contribution_is_published
can_moderate_contributions = is_lab_staff | is_moderator | is_correspondent
can_answer_contribution = manages_contribution

rules.add_perm("ecoute.contribute", can_contribute)
rules.add_perm("ecoute.support_contribution", can_support_contribution)
rules.add_perm("ecoute.comment_contribution", can_support_contribution)
rules.add_perm("ecoute.report_contribution", can_report_contribution)
rules.add_perm("ecoute.moderate_contributions", can_moderate_contributions)
rules.add_perm("ecoute.moderate_contribution", manages_contribution)
rules.add_perm("ecoute.answer_contribution", can_answer_contribution)
# --- communities: the lab and moderators manage them all, a correspondent their Caf's -------------


@rules.predicate
def is_caf_correspondent_of_community(user, community) -> bool:
    return bool(
        community
        and is_correspondent(user)
        and community.caf_id is not None
        and community.caf_id == user.caf_id
    )


can_add_community = is_lab_staff | is_moderator | is_correspondent
can_manage_community = is_lab_staff | is_moderator | is_caf_correspondent_of_community

rules.add_perm("ecoute.add_community", can_add_community)
rules.add_perm("ecoute.manage_community", can_manage_community)
