"""An evaluated project: led by an agent of Caf A (Isère, pilot), deployed in Caf B (Rhône),
with a plan and one quarterly indicator."""

import pytest

from caflab.accounts.models import Role
from projects.models import Deployment, Stage, TeamMember
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import EvaluationPlanFactory, IndicatorFactory
from tests.projects.factories import DeploymentFactory, ProjectFactory


@pytest.fixture
def teammate(caf_a):
    return UserFactory(email="equipe@caf38.example", role=Role.AGENT, caf=caf_a)


@pytest.fixture
def project(lead, teammate, caf_a, caf_b):
    project = ProjectFactory(lead=lead, pilot_caf=caf_a, stage=Stage.ESSAIMAGE)
    TeamMember.objects.create(project=project, user=teammate, role=TeamMember.Role.MEMBER)
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    return project


@pytest.fixture
def plan(project):
    return EvaluationPlanFactory(project=project)


@pytest.fixture
def indicator(project, lead):
    return IndicatorFactory(project=project, name="Taux de recours", owner=lead)
