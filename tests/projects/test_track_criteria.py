"""The "transformation interne" track and its own gate criteria (issue 14): a gate review scores
a project with the criteria of its target stage whose track is blank (every track) or the
project's own; the new track's criteria are seeded at each gate; the project form, the list
filter and the admin know the track."""

import pytest
from django.urls import reverse

from caflab.core.errors import InvalidState
from projects import services
from projects.models import PIPELINE, GateCriterion, Project, Stage, Track
from tests.accounts.factories import UserFactory
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TRANSFORMATION_LABEL = "Équipe pilote volontaire"  # seeded at the experimentation gate


@pytest.fixture
def incubator_only():
    """A criterion of the incubator's gate into experimentation only."""
    return GateCriterion.objects.create(
        target_stage=Stage.EXPERIMENTATION,
        track=Track.LOCAL_INCUBATOR,
        label="Partenaires engagés dans l’expérimentation",
    )


def _review(track: str, lab_staff):
    project = ProjectFactory(lead=lab_staff, track=track, stage=Stage.PROTOTYPE)
    return GateReviewFactory(project=project)


def test_every_gate_has_criteria_of_the_new_track():
    seeded = set(
        GateCriterion.objects.filter(track=Track.INTERNAL_TRANSFORMATION).values_list(
            "target_stage", flat=True
        )
    )
    assert seeded == set(PIPELINE[1:])


def test_a_transformation_review_scores_its_tracks_criteria_and_those_of_every_track(
    lab_staff, incubator_only
):
    review = _review(Track.INTERNAL_TRANSFORMATION, lab_staff)
    labels = set(services.gate_criteria_for(review).values_list("label", flat=True))
    assert TRANSFORMATION_LABEL in labels
    assert "Prototype testé avec des usagers" in labels  # every track's
    assert incubator_only.label not in labels


def test_a_national_lab_review_has_none_of_the_other_tracks_criteria(lab_staff, incubator_only):
    review = _review(Track.NATIONAL_LAB, lab_staff)
    labels = set(services.gate_criteria_for(review).values_list("label", flat=True))
    assert TRANSFORMATION_LABEL not in labels
    assert incubator_only.label not in labels
    assert "Prototype testé avec des usagers" in labels


def test_the_review_page_of_a_transformation_project_shows_its_tracks_criteria(
    client, lab_staff, incubator_only
):
    review = _review(Track.INTERNAL_TRANSFORMATION, lab_staff)
    client.force_login(lab_staff)
    html = client.get(
        reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk})
    ).content.decode()
    assert TRANSFORMATION_LABEL in html
    assert incubator_only.label not in html


def test_a_score_on_another_tracks_criterion_is_refused(lab_staff, incubator_only):
    review = _review(Track.INTERNAL_TRANSFORMATION, lab_staff)
    with pytest.raises(InvalidState, match="Critère inconnu"):
        services.gate_score(review=review, reviewer=lab_staff, scores={incubator_only.pk: (4, "")})


def test_a_transformation_project_passes_its_gate_on_its_own_criteria(lab_staff):
    review = _review(Track.INTERNAL_TRANSFORMATION, lab_staff)
    scores = {c.pk: (4, "") for c in services.gate_criteria_for(review)}
    services.gate_score(review=review, reviewer=lab_staff, scores=scores)
    services.gate_decide(
        review=review,
        by=lab_staff,
        decision="go",
        rationale="L’équipe pilote est prête.",
        override_justification="Démonstration.",
    )
    review.project.refresh_from_db()
    assert review.project.stage == Stage.EXPERIMENTATION


def test_the_project_form_creates_a_transformation_project(client, lab_staff):
    client.force_login(lab_staff)
    response = client.post(
        reverse("projects:create"),
        {
            "title": "Espaces de travail flexibles",
            "problem": "Les bureaux restent vides une partie de la semaine.",
            "track": Track.INTERNAL_TRANSFORMATION,
            "lead": lab_staff.email,
            "is_draft": "on",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(title="Espaces de travail flexibles").track == "transformation"


def test_the_list_filters_transformation_projects(client, agent_a):
    match = ProjectFactory(track=Track.INTERNAL_TRANSFORMATION)
    ProjectFactory()
    client.force_login(agent_a)
    response = client.get(reverse("projects:index"), {"track": "transformation"})
    assert [p.code for p in response.context["projects"]] == [match.code]
    assert "Transformation interne" in response.content.decode()


def test_the_admin_filters_criteria_by_track(client):
    client.force_login(UserFactory(email="root@cnaf.example", admin=True))
    response = client.get(
        reverse("admin:projects_gatecriterion_changelist"), {"track__exact": "transformation"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert TRANSFORMATION_LABEL in html
    assert "Prototype testé avec des usagers" not in html
