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
        # A community consultation consults its communities' active members, whatever their side.
        return (
            Membership.objects.active()
            .filter(user=user, community__consultations=consultation)
            .exists()
        )
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
