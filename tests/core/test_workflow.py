"""`caflab.core.workflow`: a move is checked against the declared moves (a refusal says why, in
French), a move already made is "already done" (a race too: never a 500), and each move writes
its history row with from, to, by and reason, read through the same API on every history."""

import pytest
from django.db import connection, transaction

from caflab.core.errors import AlreadyDone, InvalidState
from caflab.core.workflow import Workflow, transition
from criees.models import InitiativeStatusChange
from ecoute.models import ConsultationStatusChange
from evaluation.models import EffectChange
from ideas.models import Idea, IdeaStatusChange, SessionRequestChange
from projects.models import DeploymentChange, StageChange
from tests.concurrency import run_together
from tests.ideas.factories import IdeaFactory

Status = Idea.Status

FLOW = Workflow(
    moves={
        Status.SUBMITTED: (Status.UNDER_REVIEW, Status.DECLINED),
        Status.UNDER_REVIEW: (Status.ACCEPTED, Status.DECLINED),
        Status.DECLINED: (Status.UNDER_REVIEW,),
        Status.ACCEPTED: (),
    },
    history=IdeaStatusChange,
)


@pytest.fixture
def idea(db):
    return IdeaFactory()


def test_a_move_writes_the_state_and_its_history_row(idea, lab_staff):
    moved = transition(
        idea, to=Status.UNDER_REVIEW, by=lab_staff, workflow=FLOW, reason="Le comité regarde."
    )

    assert moved.status == Status.UNDER_REVIEW
    idea.refresh_from_db()
    assert idea.status == Status.UNDER_REVIEW
    assert idea.status_changed_at == moved.status_changed_at
    change = IdeaStatusChange.objects.get(idea=idea)
    assert (change.from_state, change.to_state) == (Status.SUBMITTED, Status.UNDER_REVIEW)
    assert change.by == lab_staff
    assert change.reason == "Le comité regarde."
    assert change.at == idea.status_changed_at


def test_a_move_not_declared_is_refused_in_french_and_changes_nothing(idea, lab_staff):
    with pytest.raises(InvalidState) as refusal:
        transition(idea, to=Status.ACCEPTED, by=lab_staff, workflow=FLOW, reason="Go")

    assert refusal.value.message_dict == {
        "to_status": ["Ce changement de statut n’est pas possible depuis «\u00a0Soumise\u00a0»."]
    }
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not IdeaStatusChange.objects.filter(idea=idea).exists()


def test_the_same_move_twice_is_already_done_the_second_time(idea, lab_staff):
    """Two people saw the idea submitted and moved it: the second reads the row again."""
    seen_by_both = Idea.objects.get(pk=idea.pk)
    transition(seen_by_both, to=Status.UNDER_REVIEW, by=lab_staff, workflow=FLOW)

    assert seen_by_both.status == Status.SUBMITTED  # still what the second person saw
    with pytest.raises(AlreadyDone) as refusal:
        transition(seen_by_both, to=Status.UNDER_REVIEW, by=lab_staff, workflow=FLOW)

    assert (
        str(refusal.value) == "C’est déjà fait\u00a0: le statut est "
        "déjà «\u00a0En cours d’examen\u00a0»."
    )
    assert IdeaStatusChange.objects.filter(idea=idea).count() == 1


def test_a_final_state_is_already_done_and_the_messages_are_the_apps(idea, lab_staff):
    class IdeaAlreadyDone(AlreadyDone):
        pass

    flow = Workflow(
        moves={Status.SUBMITTED: (Status.UNDER_REVIEW,), Status.UNDER_REVIEW: ()},
        history=IdeaStatusChange,
        final_message="L’idée est déjà %(status)s.",
        already_error=IdeaAlreadyDone,
    )
    transition(idea, to=Status.UNDER_REVIEW, by=lab_staff, workflow=flow)

    with pytest.raises(IdeaAlreadyDone) as refusal:
        transition(idea, to=Status.DECLINED, by=lab_staff, workflow=flow)
    assert str(refusal.value) == "L’idée est déjà en cours d’examen."
    # A mapping names the states that mean "already done", each with its message.
    with pytest.raises(IdeaAlreadyDone) as refusal:
        transition(
            idea,
            to=Status.DECLINED,
            by=lab_staff,
            workflow=flow,
            already_done={Status.UNDER_REVIEW: "Quelqu'un a déjà tranché."},
        )
    assert str(refusal.value) == "Quelqu'un a déjà tranché."


def test_prepare_runs_after_the_move_is_checked_and_a_refusal_there_undoes_all(idea, lab_staff):
    def prepare(locked: Idea) -> list[str]:
        locked.revisit_on = None
        raise InvalidState({"reason": "Le motif est obligatoire."})

    with pytest.raises(InvalidState) as refusal, transaction.atomic():
        transition(idea, to=Status.DECLINED, by=lab_staff, workflow=FLOW, prepare=prepare)

    assert refusal.value.message_dict == {"reason": ["Le motif est obligatoire."]}

    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not IdeaStatusChange.objects.filter(idea=idea).exists()


def test_a_repeatable_state_may_be_entered_again_and_writes_its_history_row(idea, lab_staff):
    """A project put on hold again stays on the shelf with a new date: not "already done"."""
    flow = Workflow(
        moves={Status.SUBMITTED: (Status.DECLINED,), Status.DECLINED: ()},
        history=IdeaStatusChange,
        repeatable=frozenset({Status.DECLINED}),
    )
    transition(idea, to=Status.DECLINED, by=lab_staff, workflow=flow, reason="Pas maintenant.")
    transition(idea, to=Status.DECLINED, by=lab_staff, workflow=flow, reason="Toujours pas.")

    changes = IdeaStatusChange.objects.filter(idea=idea).order_by("pk")
    assert [(c.from_state, c.to_state, c.reason) for c in changes] == [
        (Status.SUBMITTED, Status.DECLINED, "Pas maintenant."),
        (Status.DECLINED, Status.DECLINED, "Toujours pas."),
    ]
    # Only the declared state repeats: the same move twice elsewhere is still already done.
    assert not flow.can_move(Status.SUBMITTED, Status.SUBMITTED)
    with pytest.raises(AlreadyDone):
        transition(idea, to=Status.DECLINED, by=lab_staff, workflow=FLOW)


def test_the_target_may_be_chosen_from_the_locked_row(idea, lab_staff):
    """A function of the object as read under the lock picks where the move goes."""
    seen = []

    def target(locked: Idea) -> str:
        seen.append(locked.status)
        return Status.DECLINED if locked.revisit_on else Status.UNDER_REVIEW

    moved = transition(idea, to=target, by=lab_staff, workflow=FLOW)

    assert seen == [Status.SUBMITTED]
    assert moved.status == Status.UNDER_REVIEW
    change = IdeaStatusChange.objects.get(idea=idea)
    assert (change.from_state, change.to_state) == (Status.SUBMITTED, Status.UNDER_REVIEW)
    # The chosen target is checked like any other: from under review, back is refused.
    with pytest.raises(InvalidState):
        transition(idea, to=lambda locked: Status.SUBMITTED, by=lab_staff, workflow=FLOW)


def test_every_status_history_reads_the_same_way():
    for model in (
        IdeaStatusChange,
        SessionRequestChange,
        StageChange,
        DeploymentChange,
        InitiativeStatusChange,
        EffectChange,
        ConsultationStatusChange,
    ):
        names = {f.name for f in model._meta.get_fields()}
        columns = (model.subject_field, model.from_field, model.to_field, model.by_field)
        assert set(columns) | {model.at_field} <= names, model
        assert model.reason_field is None or model.reason_field in names, model
        for api in ("from_state", "to_state", "by", "at", "reason", "record"):
            assert hasattr(model, api), (model, api)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_moves_make_one_change_and_one_already_done(lab_staff):
    idea = IdeaFactory()

    def move():
        return transition(
            Idea.objects.get(pk=idea.pk), to=Status.UNDER_REVIEW, by=lab_staff, workflow=FLOW
        )

    outcomes = run_together(move, 2)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyDone", "Idea"]
    assert IdeaStatusChange.objects.filter(idea=idea).count() == 1
