"""The incubator's flows: drafts and a single submission, the deadline, the jury's bounds,
the ranking, the decision told once to each applicant, and the selection that makes one
project in the cohort, even under a race."""

import datetime

import pytest
from django.utils import timezone

from caflab.accounts.models import Role
from caflab.core.errors import AlreadyDone, InvalidState, NotAllowedNow
from caflab.notifications.models import Notification
from ecoute.conditions import AnswerValue
from ecoute.models import Consultation
from ecoute.services.answering import IncompleteAnswers
from incubator.models import Application, Call
from incubator.services import (
    application_decide,
    application_save,
    application_score,
    application_submit,
    call_move,
    decision_tell,
    ranked_applications,
)
from projects.models import Project, Track
from tests.accounts.factories import UserFactory
from tests.incubator.factories import full_answers, make_call, submitted_application

pytestmark = pytest.mark.django_db


def test_a_call_reserves_its_form_out_of_the_consultations_lists(call, agent_a):
    assert call.consultation.status == Consultation.Status.DRAFT
    assert not Consultation.objects.visible_to(agent_a).filter(pk=call.consultation_id).exists()
    assert call.criteria.count() == 4


def test_a_draft_keeps_what_was_typed_and_is_edited_again(call, partner):
    draft = application_save(call=call, by=partner, title="Premier titre", summary="…", answers={})
    again = application_save(
        call=call, by=partner, title="Second titre", summary="Résumé", answers=full_answers(call)
    )
    assert again.pk == draft.pk
    assert again.title == "Second titre"
    assert again.partner == partner.partner
    assert Application.objects.count() == 1


def test_a_submission_needs_the_required_answers(call, agent_a):
    draft = application_save(call=call, by=agent_a, title="T", summary="S", answers={})
    with pytest.raises(IncompleteAnswers):
        application_submit(application=draft, by=agent_a)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_a_second_submission_is_already_done(call, agent_a):
    application = submitted_application(call, agent_a)
    with pytest.raises(AlreadyDone):
        application_submit(application=application, by=agent_a)
    with pytest.raises(AlreadyDone):
        application_save(call=call, by=agent_a, title="Autre", summary="S", answers={})


def test_after_the_closing_date_a_submission_is_refused_with_the_reason(call, agent_a):
    draft = application_save(
        call=call, by=agent_a, title="T", summary="S", answers=full_answers(call)
    )
    later = timezone.localdate() + datetime.timedelta(days=21)
    with pytest.raises(NotAllowedNow, match="closes depuis le"):
        application_submit(application=draft, by=agent_a, today=later)


def test_a_call_for_partners_refuses_agents(lab_staff, agent_a):
    call = make_call(lab_staff, audience=Call.Audience.PARTNERS)
    with pytest.raises(NotAllowedNow):
        application_save(call=call, by=agent_a, title="T", summary="S", answers={})


def test_scores_stay_between_1_and_5_and_only_for_the_jury(closed_call, agent_a, agent_b):
    application = submitted_application(closed_call, agent_a)
    criterion = closed_call.criteria.first()
    with pytest.raises(InvalidState):
        application_score(application=application, juror=agent_b, scores={criterion.pk: (6, "")})
    with pytest.raises(NotAllowedNow):
        application_score(application=application, juror=agent_a, scores={criterion.pk: (4, "")})
    application_score(application=application, juror=agent_b, scores={criterion.pk: (4, "")})
    application_score(application=application, juror=agent_b, scores={criterion.pk: (5, "")})
    assert application.scores.get().score == 5


def test_the_ranking_puts_the_best_weighted_mean_first(closed_call, agent_a, partner, agent_b):
    first = submitted_application(closed_call, agent_a, title="A")
    second = submitted_application(closed_call, partner, title="B")
    scores_low = {c.pk: (2, "") for c in closed_call.criteria.all()}
    scores_high = {c.pk: (5, "") for c in closed_call.criteria.all()}
    application_score(application=first, juror=agent_b, scores=scores_low)
    application_score(application=second, juror=agent_b, scores=scores_high)
    ranked = list(ranked_applications(closed_call))
    assert [a.title for a in ranked] == ["B", "A"]
    assert ranked[0].weighted_mean == pytest.approx(5.0)


def test_the_ranking_keeps_ties_in_submission_order_and_the_unscored_last(
    closed_call, agent_a, partner, agent_b
):
    unscored = submitted_application(closed_call, agent_a, title="Sans note")
    tie_first = submitted_application(closed_call, partner, title="Égalité 1")
    tie_second = submitted_application(closed_call, UserFactory(role=Role.AGENT), title="Égalité 2")
    criteria = list(closed_call.criteria.order_by("position", "pk"))
    # Only the first criterion scored, by one juror: the other criteria do not count.
    for application in (tie_second, tie_first):
        application_score(application=application, juror=agent_b, scores={criteria[0].pk: (4, "")})
    ranked = list(ranked_applications(closed_call))
    assert [a.pk for a in ranked] == [tie_first.pk, tie_second.pk, unscored.pk]
    assert [a.n_jurors for a in ranked] == [1, 1, 0]
    assert ranked[0].weighted_mean == pytest.approx(4.0)
    assert ranked[-1].weighted_mean is None


def test_the_decision_is_told_to_each_applicant_once(
    closed_call, agent_a, partner, lab_staff, django_capture_on_commit_callbacks, mailoutbox
):
    chosen = submitted_application(closed_call, partner, title="Retenue")
    refused = submitted_application(closed_call, agent_a, title="Refusée")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(
            application=chosen, by=lab_staff, decision="selected", reason="Très utile."
        )
        application_decide(
            application=refused, by=lab_staff, decision="not_selected", reason="Hors cible."
        )
    assert decision_tell(application_id=chosen.pk) is False  # a duplicated task: nobody twice
    kinds = list(Notification.objects.values_list("recipient__email", "kind"))
    assert sorted(kinds) == sorted(
        [(partner.email, "incubator.decision"), (agent_a.email, "incubator.decision")]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([partner.email, agent_a.email])


def test_selecting_makes_an_incubator_project_in_the_cohort(closed_call, partner, lab_staff):
    application = submitted_application(closed_call, partner)
    decided = application_decide(
        application=application, by=lab_staff, decision="selected", reason="Bravo."
    )
    project = decided.project
    assert project.track == Track.LOCAL_INCUBATOR
    assert project.lead == partner
    assert list(project.partners.all()) == [partner.partner]
    assert project.origins.get().object_id == application.pk
    assert decided.cohort.call == closed_call
    with pytest.raises(AlreadyDone):
        application_decide(
            application=application, by=lab_staff, decision="selected", reason="Encore."
        )
    assert Project.objects.count() == 1


def test_a_decision_needs_reasons_and_a_closed_call(call, agent_a, lab_staff):
    application = submitted_application(call, agent_a)
    with pytest.raises(NotAllowedNow):
        application_decide(application=application, by=lab_staff, decision="selected", reason="x")
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
    with pytest.raises(InvalidState):
        application_decide(application=application, by=lab_staff, decision="selected", reason=" ")


def test_the_call_is_decided_only_once_every_application_is(closed_call, agent_a, lab_staff):
    application = submitted_application(closed_call, agent_a)
    with pytest.raises(NotAllowedNow):
        call_move(call=closed_call, by=lab_staff, to_status=Call.Status.DECIDED)
    application_decide(application=application, by=lab_staff, decision="not_selected", reason="x")
    call_move(call=closed_call, by=lab_staff, to_status=Call.Status.DECIDED)
    with pytest.raises(AlreadyDone):
        call_move(call=closed_call, by=lab_staff, to_status=Call.Status.DECIDED)


def test_answers_are_kept_on_the_application_not_as_an_ecoute_response(call, agent_a):
    from ecoute.models import Response

    application = submitted_application(call, agent_a)
    assert application.answers
    assert not Response.objects.exists()
    assert AnswerValue.from_json(next(iter(application.answers.values()))).text
