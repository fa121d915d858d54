"""Stage moves go through the shared `transition()`: a gate decision and a reactivation lock
the project, read its stage again and write one stage-history row; a hold may keep a shelved
project shelved with a new date; a reactivation already made is "already done"."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from caflab.core.errors import InvalidState
from projects.models import GateReview, Project, Stage, StageChange
from projects.services import (
    AlreadyDone,
    gate_decide,
    gate_request,
    project_create,
    project_reactivate,
)
from projects.services.gates import STAGE_WORKFLOW
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db

Decision = GateReview.Decision


@pytest.fixture
def project(lab_staff):
    return project_create(by=lab_staff, title="Rendez-vous des droits", problem="Non-recours")


def _hold(project, by, days):
    review = gate_request(project=project, by=by, motivation="Prêt", to_stage=Stage.CREATIVITY)
    revisit = timezone.localdate() + datetime.timedelta(days=days)
    gate_decide(
        review=review, by=by, decision=Decision.HOLD, rationale="Budget", revisit_on=revisit
    )
    return review, revisit


def stages(project) -> list[tuple[str, str]]:
    return list(
        StageChange.objects.filter(project=project)
        .order_by("pk")
        .values_list("from_stage", "to_stage")
    )


def test_a_shelved_project_put_on_hold_again_stays_shelved_with_its_new_date(project, lab_staff):
    first, _ = _hold(project, lab_staff, 30)
    second, revisit = _hold(project, lab_staff, 90)

    project.refresh_from_db()
    assert (project.stage, project.revisit_on) == (Stage.SHELVED, revisit)
    assert stages(project) == [
        ("", Stage.IDEA),
        (Stage.IDEA, Stage.SHELVED),
        (Stage.SHELVED, Stage.SHELVED),
    ]
    assert [c.gate_review for c in StageChange.objects.filter(project=project).order_by("pk")][
        1:
    ] == [first, second]


def test_a_go_to_where_the_project_already_is_is_refused_and_leaves_the_review_open(
    project, lab_staff
):
    review = gate_request(project=project, by=lab_staff, motivation="Prêt")
    Project.objects.filter(pk=project.pk).update(stage=review.to_stage)

    with pytest.raises(InvalidState, match="ne peut pas passer") as refusal:
        gate_decide(review=review, by=lab_staff, decision=Decision.GO, rationale="Go")

    assert not isinstance(refusal.value, AlreadyDone)
    review.refresh_from_db()
    assert review.is_open


def test_reactivating_locks_moves_and_writes_the_history(project, lab_staff):
    _hold(project, lab_staff, 30)

    moved = project_reactivate(project=project, by=lab_staff, to_stage=Stage.PROTOTYPE)

    assert (moved.stage, moved.revisit_on) == (Stage.PROTOTYPE, None)
    project.refresh_from_db()
    assert (project.stage, project.revisit_on) == (Stage.PROTOTYPE, None)
    assert stages(project)[-1] == (Stage.SHELVED, Stage.PROTOTYPE)
    assert StageChange.objects.filter(project=project).latest("pk").by == lab_staff


def test_reactivating_a_project_seen_shelved_but_moved_meanwhile_is_already_done(
    project, lab_staff
):
    _hold(project, lab_staff, 30)
    seen = Project.objects.get(pk=project.pk)
    project_reactivate(project=project, by=lab_staff, to_stage=Stage.IDEA)

    with pytest.raises(AlreadyDone, match="pas en attente"):
        project_reactivate(project=seen, by=lab_staff, to_stage=Stage.PROTOTYPE)
    assert len(stages(project)) == 3


def test_the_stage_workflow_declares_the_moves():
    assert STAGE_WORKFLOW.can_move(Stage.IDEA, Stage.PROTOTYPE)
    assert STAGE_WORKFLOW.can_move(Stage.SHELVED, Stage.SHELVED)
    assert STAGE_WORKFLOW.can_move(Stage.SHELVED, Stage.IDEA)
    assert not STAGE_WORKFLOW.can_move(Stage.PROTOTYPE, Stage.IDEA)
    assert not STAGE_WORKFLOW.can_move(Stage.IDEA, Stage.IDEA)
    assert STAGE_WORKFLOW.is_final(Stage.ABANDONED)
    assert STAGE_WORKFLOW.is_final(Stage.GENERALISED)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_reactivations_make_one_move_and_one_already_done(lab_staff):
    project = project_create(by=lab_staff, title="Accueil", problem="Attente")
    _hold(project, lab_staff, 30)

    def reactivate():
        return project_reactivate(
            project=Project.objects.get(pk=project.pk), by=lab_staff, to_stage=Stage.IDEA
        )

    outcomes = run_together(reactivate, 2)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyDone", "Project"]
    assert stages(project)[-1] == (Stage.SHELVED, Stage.IDEA)
    assert len(stages(project)) == 3
