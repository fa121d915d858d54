"""Who may do what with events. The scope (hidden → 404) is `Event.objects.visible_to`; these
rules decide the actions (refused → 403).

Lab staff: everything. A Caf's correspondents create their Caf's events and manage them; the
organisers of an event manage it (edit, publish, cancel, attendance, materials). Every
signed-in person registers to the events they see, when eligible (the service says why not).
The yearly figures are the lab's (and the directorates', who commission trainings)."""

import rules

from caflab.accounts.permissions import is_correspondent, is_directorate_member, is_lab_staff


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_organiser(user, event) -> bool:
    """Among the event's organisers. Reads the prefetched organisers when the page loaded them."""
    if not (event and user.is_authenticated):
        return False
    return any(person.pk == user.pk for person in event.organisers.all())


@rules.predicate
def is_event_correspondent(user, event) -> bool:
    return bool(event and is_correspondent(user) and user.caf_id and event.caf_id == user.caf_id)


@rules.predicate
def has_caf(user) -> bool:
    return bool(user.is_authenticated and user.caf_id)


can_view_catalogue = is_signed_in
can_add_event = is_lab_staff | (is_correspondent & has_caf)
can_manage_event = is_lab_staff | is_event_correspondent | is_organiser
can_register = is_signed_in
can_view_figures = is_lab_staff | is_directorate_member
# The analysis of a programme's syntheses (events.analysis_sources): the lab, the only one who
# sees every event of a programme (a correspondent sees their Caf's, not the network's).
can_analyse_syntheses = is_lab_staff

rules.add_perm("events.view_catalogue", can_view_catalogue)
rules.add_perm("events.add_event", can_add_event)
rules.add_perm("events.manage_event", can_manage_event)
rules.add_perm("events.register", can_register)
rules.add_perm("events.view_figures", can_view_figures)
rules.add_perm("events.analyse_syntheses", can_analyse_syntheses)
