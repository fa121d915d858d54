import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caflab.notifications.models import Notification
from caflab.notifications.services import follow
from projects.models import (
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateCriterion,
    GateReview,
    Project,
    Stage,
    StageChange,
    TeamMember,
)
from projects.services import (
    AlreadyDone,
    deployment_declare,
    deployment_move,
    gate_decide,
    gate_request,
    gate_score,
    gate_summary,
    lever_add,
    lever_lift,
    project_create,
    project_origin_add,
    status_report_add,
)
from tests.projects.factories import GateReviewFactory

pytestmark = pytest.mark.django_db

Decision = GateReview.Decision


@pytest.fixture
def project(lab_staff, agent_a, caf_a):
    project = project_create(
        by=lab_staff, title="Rendez-vous des droits", problem="Non-recours", pilot_caf=caf_a
    )
    project.is_draft = False
    project.save()
    TeamMember.objects.create(project=project, user=agent_a, role=TeamMember.Role.MEMBER)
    return project


def _score_all(review, reviewer, score):
    # The gate's criteria for the project's track (those of every track and its own).
    criteria = GateCriterion.objects.for_gate(review.to_stage, review.project.track)
    return gate_score(
        review=review, reviewer=reviewer, scores={c.pk: (score, "") for c in criteria}
    )


def test_codes_follow_the_year_and_increment(lab_staff):
    year = timezone.localdate().year
    first = project_create(by=lab_staff, title="A", problem="p")
    second = project_create(by=lab_staff, title="B", problem="p")
    assert first.code == f"INNO-{year}-001"
    assert second.code == f"INNO-{year}-002"


@pytest.mark.parametrize("existing", [999, 9999])
def test_codes_past_999_compare_as_numbers(lab_staff, existing):
    """The 1,000th and the 10,000th project of a year: "INNO-2026-999" sorts after
    "INNO-2026-1000" as a string, so the next code must come from the numeric suffix."""
    year = timezone.localdate().year
    Project.objects.bulk_create(
        Project(code=f"INNO-{year}-{n:03d}", title=f"P{n}", problem="p", lead=lab_staff)
        for n in range(existing - 2, existing + 1)
    )
    thousandth = project_create(by=lab_staff, title="A", problem="p")
    following = project_create(by=lab_staff, title="B", problem="p")
    assert thousandth.code == f"INNO-{year}-{existing + 1}"
    assert following.code == f"INNO-{year}-{existing + 2}"


def test_a_new_project_has_its_lead_in_the_team_and_a_first_stage_line(lab_staff, agent_a):
    project = project_create(by=lab_staff, lead=agent_a, title="A", problem="p")
    assert TeamMember.objects.get(project=project).user == agent_a
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage) == ("", Stage.IDEA)


def test_an_origin_is_linked_once(project, caf_b):
    project_origin_add(project=project, source=caf_b)
    project_origin_add(project=project, source=caf_b)
    assert project.origins.get().label == str(caf_b)


def test_a_gate_request_targets_the_next_stage_and_tells_the_lab(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    assert (review.from_stage, review.to_stage) == (Stage.IDEA, Stage.CREATIVITY)
    assert Notification.objects.filter(recipient=lab_staff, kind="project.gate_requested").exists()


def test_a_second_gate_request_while_one_is_open_is_already_done(project, agent_a):
    gate_request(project=project, by=agent_a, motivation="Prêt")
    with pytest.raises(AlreadyDone):
        gate_request(project=project, by=agent_a, motivation="Encore")
    assert GateReview.objects.count() == 1


def test_the_database_refuses_two_open_reviews_for_one_project(project, agent_a):
    GateReviewFactory(project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        GateReviewFactory(project=project)


def test_a_gate_cannot_target_a_stage_already_passed(project, agent_a):
    with pytest.raises(ValidationError):
        gate_request(project=project, by=agent_a, motivation="x", to_stage=Stage.IDEA)


def test_go_moves_the_stage_and_notifies_team_and_followers(
    project, agent_a, agent_b, lab_staff, mailoutbox, django_capture_on_commit_callbacks
):
    follow(user=agent_b, obj=project)
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    _score_all(review, lab_staff, 4)
    with django_capture_on_commit_callbacks(execute=True):
        gate_decide(review=review, by=lab_staff, decision=Decision.GO, rationale="Problème avéré")
    project.refresh_from_db()
    assert project.stage == Stage.CREATIVITY
    change = project.stage_changes.latest("changed_at")
    assert (change.from_stage, change.to_stage, change.gate_review) == (
        Stage.IDEA,
        Stage.CREATIVITY,
        review,
    )
    told = set(
        Notification.objects.filter(kind="project.gate_decided").values_list(
            "recipient__email", flat=True
        )
    )
    assert {agent_a.email, agent_b.email} <= told
    assert lab_staff.email not in told  # the one who decided is not told of their own act
    assert {m.to[0] for m in mailoutbox} >= {agent_a.email, agent_b.email}


def test_a_blocking_criterion_below_three_refuses_a_go(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    _score_all(review, lab_staff, 4)
    blocking = (
        GateCriterion.objects.for_gate(review.to_stage, review.project.track)
        .filter(is_blocking=True)
        .first()
    )
    gate_score(review=review, reviewer=lab_staff, scores={blocking.pk: (2, "Pas documenté")})
    assert gate_summary(review)["blocked"] == [blocking]
    with pytest.raises(ValidationError, match="Critère bloquant"):
        gate_decide(review=review, by=lab_staff, decision=Decision.GO, rationale="x")
    project.refresh_from_db()
    assert project.stage == Stage.IDEA


def test_the_summary_weights_the_means_computed_by_the_database(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    _score_all(review, lab_staff, 5)
    _score_all(review, agent_a, 3)
    summary = gate_summary(review)
    assert all(row["mean"] == 4 for row in summary["rows"])
    assert str(summary["weighted_mean"]) == "4.0"


@pytest.mark.parametrize("score", [0, 6])
def test_scores_outside_one_to_five_are_refused(project, agent_a, lab_staff, score):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    with pytest.raises(ValidationError):
        _score_all(review, lab_staff, score)


def test_hold_needs_a_future_revisit_date_and_shelves(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    with pytest.raises(ValidationError):
        gate_decide(review=review, by=lab_staff, decision=Decision.HOLD, rationale="Budget")
    revisit = timezone.localdate() + datetime.timedelta(days=90)
    gate_decide(
        review=review, by=lab_staff, decision=Decision.HOLD, rationale="Budget", revisit_on=revisit
    )
    project.refresh_from_db()
    assert (project.stage, project.revisit_on) == (Stage.SHELVED, revisit)


def test_stop_needs_a_lesson_learned_and_abandons(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    with pytest.raises(ValidationError):
        gate_decide(review=review, by=lab_staff, decision=Decision.STOP, rationale="Pas de besoin")
    gate_decide(
        review=review,
        by=lab_staff,
        decision=Decision.STOP,
        rationale="Pas de besoin",
        lesson_learned="Vérifier le besoin avec les usagers avant de prototyper.",
    )
    project.refresh_from_db()
    assert project.stage == Stage.ABANDONED
    assert "usagers" in project.lesson_learned


def test_recycle_keeps_the_stage(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    gate_decide(review=review, by=lab_staff, decision=Decision.RECYCLE, rationale="À préciser")
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert not project.gate_reviews.pending().exists()


def test_deciding_twice_is_already_done(project, agent_a, lab_staff):
    review = gate_request(project=project, by=agent_a, motivation="Prêt")
    gate_decide(review=review, by=lab_staff, decision=Decision.RECYCLE, rationale="À préciser")
    with pytest.raises(AlreadyDone):
        gate_decide(review=review, by=lab_staff, decision=Decision.GO, rationale="Finalement")


def test_the_database_refuses_a_shelved_project_without_revisit_date(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(stage=Stage.SHELVED)


def test_the_latest_status_report_sets_the_health(project, agent_a):
    status_report_add(project=project, by=agent_a, health="amber", summary="Retard")
    status_report_add(
        project=project,
        by=agent_a,
        health="green",
        summary="Ancien",
        reported_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    project.refresh_from_db()
    assert project.health == "amber"


def test_lifting_a_blocker_twice_is_already_done(project, agent_a):
    blocker = lever_add(project=project, by=agent_a, kind=BlockerLever.Kind.BLOCKER, text="Données")
    lever_lift(lever=blocker, by=agent_a)
    assert blocker.status == BlockerLever.Status.LIFTED
    with pytest.raises(AlreadyDone):
        lever_lift(lever=blocker, by=agent_a)


def test_declaring_a_deployment_twice_keeps_one_row_and_tells_the_lead_once(
    project, correspondent_a, caf_a, lab_staff
):
    _first, created = deployment_declare(
        project=project, caf=caf_a, by=correspondent_a, comment="Nous avons une équipe prête."
    )
    _again, created_again = deployment_declare(project=project, caf=caf_a, by=correspondent_a)
    assert (created, created_again) == (True, False)
    assert Deployment.objects.get().comment == "Nous avons une équipe prête."
    assert Deployment.objects.count() == 1
    assert DeploymentChange.objects.count() == 1
    assert (
        Notification.objects.filter(recipient=lab_staff, kind="project.deployment_declared").count()
        == 1
    )


def test_declining_a_deployment_needs_a_reason(project, correspondent_a, caf_a):
    deployment, _created = deployment_declare(project=project, caf=caf_a, by=correspondent_a)
    with pytest.raises(ValidationError):
        deployment_move(deployment=deployment, by=correspondent_a, status="declined")
    deployment_move(deployment=deployment, by=correspondent_a, status="running")
    deployment.refresh_from_db()
    assert deployment.status == "running"
    assert deployment.changes.count() == 2
