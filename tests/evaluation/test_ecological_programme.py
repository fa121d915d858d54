"""The ecological-transition programme at gate reviews (evaluation.services.ecological): a project
of the programme needs its ecological assessment before a "go" into experimentation, a
"défavorable" rating without mitigation needs the written override justification, and the
gate review shows the project's assessment next to the ecological criterion's score."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caflab.network.models import Programme
from evaluation.models import EcologicalRating
from evaluation.services.ecological import (
    missing_assessment_blocks_go,
    unmitigated_negative_ratings_block_go,
)
from evaluation.services.judgements import ecological_assessment_save
from projects.gate_checks import _blockers, go_blockers
from projects.models import GateCriterion, GateReview, GateScore, Stage
from projects.services import gate_decide
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db

Objective, Rating = EcologicalRating.Objective, EcologicalRating.Rating


def ratings(overrides: dict | None = None) -> dict:
    """The seven ratings, neutral with a justification, but for `overrides`."""
    base = {objective: (Rating.NEUTRAL, "Sans effet notable.", "") for objective in Objective}
    return {**base, **(overrides or {})}


@pytest.fixture
def ecological() -> Programme:
    return Programme.objects.get(slug="transition-ecologique")


@pytest.fixture
def project(lead, ecological):
    project = ProjectFactory(lead=lead, stage=Stage.PROTOTYPE)
    project.programmes.add(ecological)
    return project


@pytest.fixture
def review(project):
    return GateReviewFactory(project=project, to_stage=Stage.EXPERIMENTATION)


def decide_url(review) -> str:
    return reverse("projects:gate-decide", kwargs={"code": review.project.code, "pk": review.pk})


def review_url(review) -> str:
    return reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk})


def test_the_ecological_programme_is_flagged_by_the_migration(ecological):
    assert ecological.requires_ecological_assessment
    assert not Programme.objects.filter(
        requires_ecological_assessment=True, slug="incubateur"
    ).exists()


def test_evaluation_registers_both_checks_at_start_up():
    assert missing_assessment_blocks_go in _blockers
    assert unmitigated_negative_ratings_block_go in _blockers


def test_a_go_into_experimentation_is_refused_then_passes_once_the_assessment_exists(
    client, lab_staff, lead, review, project
):
    client.force_login(lab_staff)
    page = client.get(review_url(review)).content.decode()
    assert "l’évaluation de la transition écologique du projet manque" in page
    assert reverse("evaluation:ecological-edit", kwargs={"code": project.code}) in page
    response = client.post(decide_url(review), {"decision": "go", "rationale": "Concluant."})
    assert response.status_code == 200
    assert "Un «\u00a0go\u00a0» malgré les blocages demande une justification écrite." in (
        response.content.decode()
    )
    review.refresh_from_db()
    assert review.status == GateReview.Status.REQUESTED

    ecological_assessment_save(project=project, ratings=ratings(), by=lead)
    assert go_blockers(project) == []
    response = client.post(decide_url(review), {"decision": "go", "rationale": "Concluant."})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.EXPERIMENTATION


def test_an_incomplete_assessment_still_blocks(project, review):
    EcologicalRating.objects.create(
        project=project, objective=Objective.WATER, rating=Rating.NEUTRAL, justification="x"
    )
    (reason,) = missing_assessment_blocks_go(project)
    assert "incomplète (1 objectifs sur 7)" in reason


def test_earlier_gates_and_other_programmes_are_not_blocked(lead, ecological):
    early = ProjectFactory(lead=lead, stage=Stage.IDEA)
    early.programmes.add(ecological)
    GateReviewFactory(project=early)  # idea → creativity session
    assert missing_assessment_blocks_go(early) == []
    other = ProjectFactory(lead=lead, stage=Stage.PROTOTYPE)
    other.programmes.add(Programme.objects.get(slug="incubateur"))
    GateReviewFactory(project=other, to_stage=Stage.EXPERIMENTATION)
    assert missing_assessment_blocks_go(other) == []


def test_a_negative_rating_without_mitigation_needs_the_override_justification(
    lead, lab_staff, project, review
):
    ecological_assessment_save(
        project=project,
        ratings=ratings({Objective.WATER: (Rating.NEGATIVE, "Plus d'impressions.", "")}),
        by=lead,
    )
    assert go_blockers(project) == [
        "évaluation écologique défavorable sans mesure d’atténuation notée\u00a0: "
        "«\u00a0Gestion de la ressource en eau\u00a0»"
    ]
    with pytest.raises(ValidationError) as refused:
        gate_decide(review=review, by=lab_staff, decision="go", rationale="Oui.")
    assert "override_justification" in refused.value.error_dict
    # The existing override justification of go blockers is the written justification.
    decided = gate_decide(
        review=review,
        by=lab_staff,
        decision="go",
        rationale="Oui.",
        override_justification="L'effet sur l'eau est marginal et suivi au prochain point.",
    )
    assert decided.override_justification.startswith("L'effet sur l'eau")


def test_a_negative_rating_with_its_mitigation_does_not_block(lead, project):
    ecological_assessment_save(
        project=project,
        ratings=ratings(
            {Objective.WATER: (Rating.NEGATIVE, "Plus d'impressions.", "Recto verso, recyclé.")}
        ),
        by=lead,
    )
    assert go_blockers(project) == []


def test_the_review_shows_the_assessment_next_to_the_ecological_criterion_score(
    client, lab_staff, lead, project, review
):
    ecological_assessment_save(
        project=project,
        ratings=ratings({Objective.BIODIVERSITY: (Rating.NEGATIVE, "Artificialisation.", "")}),
        by=lead,
    )
    criterion = GateCriterion.objects.for_gate(Stage.EXPERIMENTATION).get(
        label__icontains="écologique"
    )
    GateScore.objects.create(review=review, criterion=criterion, reviewer=lab_staff, score=4)
    client.force_login(lab_staff)
    html = client.get(review_url(review)).content.decode()
    panel = html[html.index('id="evaluation-ecologique"') :]
    assert "Pré-évaluation écologique réalisée</strong>\u00a0: note moyenne 4,0 sur 5" in panel
    assert "Artificialisation." in panel
    assert "aucune mesure notée" in panel
    assert "Évaluation écologique complète" in panel


def test_the_assessment_form_saves_a_mitigation(client, lead, project):
    url = reverse("evaluation:ecological-edit", kwargs={"code": project.code})
    data = {}
    for objective in Objective.values:
        data[f"note_{objective}"] = "0"
        data[f"justification_{objective}"] = "Neutre."
        data[f"attenuation_{objective}"] = ""
    data["note_water"] = "-1"
    data["attenuation_water"] = "Impression recto verso."
    client.force_login(lead)
    assert client.post(url, data).status_code == 302
    water = EcologicalRating.objects.get(project=project, objective=Objective.WATER)
    assert (water.rating, water.mitigation) == (Rating.NEGATIVE, "Impression recto verso.")


def test_the_demo_fills_the_programme_through_the_services(ecological, lab_staff):
    from io import StringIO

    from evaluation.demo_programme import ASSESSMENTS, EVALUATED, OTHERS, seed_programme

    for title in EVALUATED + OTHERS:
        ProjectFactory(title=title, stage=Stage.PROTOTYPE)
    seed_programme(StringIO())
    assert ecological.projects.count() == len(EVALUATED + OTHERS)
    assessed = ecological.projects.filter(ecological_ratings__isnull=False).distinct()
    assert assessed.count() == len(ASSESSMENTS)
    ratings = set(
        EcologicalRating.objects.filter(project__in=assessed).values_list("rating", flat=True)
    )
    assert ratings == {Rating.NEGATIVE, Rating.NEUTRAL, Rating.POSITIVE}
    waiting = ecological.projects.get(title=OTHERS[-1])
    assert missing_assessment_blocks_go(waiting)  # its review into experimentation is blocked
    seed_programme(StringIO())  # runs once
    assert GateReview.objects.filter(project=waiting).count() == 1
