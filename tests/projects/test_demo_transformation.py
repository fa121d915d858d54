"""The demo's "transformation interne" projects and the partner's work on an incubated project,
through the real services (projects/demo.py); seeded once."""

import io

import pytest

from caflab.accounts.models import Role
from projects import demo
from projects.models import BlockerLever, GateReview, GateScore, Project, StatusReport, Track
from tests.accounts.factories import UserFactory
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_transformation_projects_scored_on_their_tracks_criteria_once():
    UserFactory(email="labo@caflab.demo", lab=True)
    demo.seed_transformation(io.StringIO())
    demo.seed_transformation(io.StringIO())

    projects = Project.objects.filter(track=Track.INTERNAL_TRANSFORMATION)
    assert projects.count() == len(demo.TRANSFORMATION_PROJECTS)
    assert set(projects.values_list("stage", flat=True)) == {
        stage for *_text, stage in demo.TRANSFORMATION_PROJECTS
    }
    scored = GateScore.objects.filter(review__project__in=projects)
    assert scored.filter(criterion__track=Track.INTERNAL_TRANSFORMATION).exists()
    assert not scored.filter(criterion__track=Track.LOCAL_INCUBATOR).exists()
    assert GateReview.objects.pending().filter(project__in=projects).count() == 1


def test_the_demo_partner_reports_and_raises_a_blocker_on_an_incubated_project_once():
    organisation = PartnerFactory()
    partner = UserFactory(
        email="partenaire@caflab.demo", role=Role.PARTNER, caf=None, partner=organisation
    )
    project = ProjectFactory(track=Track.LOCAL_INCUBATOR)
    demo.seed_partner_work(io.StringIO())
    demo.seed_partner_work(io.StringIO())

    assert organisation in project.partners.all()
    assert StatusReport.objects.get(author=partner).project == project
    assert BlockerLever.objects.get(owner=partner).kind == BlockerLever.Kind.BLOCKER
