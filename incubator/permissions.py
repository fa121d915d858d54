"""Who may do what in the incubator. The scopes (hidden → 404) are the QuerySets'
`visible_to`; these rules decide the actions (refused → 403).

The lab runs the calls (creates, edits, moves them, decides, makes cohorts and milestones).
Network members and partners read the catalogue and apply to the calls of their audience.
A call's jury scores its applications and reads the ranking. Citizens have no incubator."""

import rules

from caflab.accounts.permissions import is_lab_staff, is_network_member, is_partner


@rules.predicate
def is_on_jury(user, call) -> bool:
    if not (call and user.is_authenticated):
        return False
    return call.jury.filter(pk=user.pk).exists()


@rules.predicate
def is_in_audience(user, call) -> bool:
    return bool(call and call.admits(user))


@rules.predicate
def is_applicant(user, application) -> bool:
    return bool(application and user.is_authenticated and application.applicant_id == user.pk)


@rules.predicate
def is_application_juror(user, application) -> bool:
    return bool(application) and is_on_jury.test(user, application.call)


can_view_incubator = is_lab_staff | is_network_member | is_partner
can_manage_calls = is_lab_staff
can_apply = is_in_audience
can_judge = is_on_jury
can_view_ranking = is_lab_staff | is_on_jury
can_score = is_application_juror
can_edit_application = is_applicant

rules.add_perm("incubator.view", can_view_incubator)
rules.add_perm("incubator.manage", can_manage_calls)
rules.add_perm("incubator.apply", can_apply)
rules.add_perm("incubator.view_ranking", can_view_ranking)
rules.add_perm("incubator.score", can_score)
rules.add_perm("incubator.edit_application", can_edit_application)
