"""The programme's notice on a project's page (issue 14): a project of a programme that requires
an ecological assessment, with none yet, says so before its experimentation gate, with a link to
where the assessment is written, to its team and the lab (evaluation.panels.ecological_notice).
"""

import pytest
from django.urls import reverse

from caflab.network.models import Programme
from evaluation.models import EcologicalRating
from evaluation.services.judgements import ecological_assessment_save
from projects.models import Stage
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NOTICE = "Évaluation écologique attendue"


@pytest.fixture
def ecological() -> Programme:
    return Programme.objects.get(slug="transition-ecologique")


@pytest.fixture
def project(lead, ecological):
    project = ProjectFactory(lead=lead, stage=Stage.PROTOTYPE)
    project.programmes.add(ecological)
    return project


def page(client, user, project) -> str:
    client.force_login(user)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["lead", "lab_staff"])
def test_the_team_and_the_lab_read_the_notice_with_the_link(client, request, persona, project):
    html = page(client, request.getfixturevalue(persona), project)
    assert NOTICE in html
    assert reverse("evaluation:ecological-edit", kwargs={"code": project.code}) in html


def test_an_agent_outside_the_team_does_not(client, agent_b, project):
    assert NOTICE not in page(client, agent_b, project)


def test_no_notice_once_the_assessment_is_written(client, lead, project):
    ratings = {
        objective: (EcologicalRating.Rating.NEUTRAL, "Sans effet notable.", "")
        for objective in EcologicalRating.Objective
    }
    ecological_assessment_save(project=project, ratings=ratings, by=lead)
    assert NOTICE not in page(client, lead, project)


def test_no_notice_at_or_after_the_experimentation_gate(client, lead, project):
    project.stage = Stage.EXPERIMENTATION
    project.save(update_fields=["stage"])
    assert NOTICE not in page(client, lead, project)


def test_no_notice_for_a_programme_that_does_not_require_it(client, lead, ecological, project):
    project.programmes.set(Programme.objects.filter(requires_ecological_assessment=False)[:1])
    assert NOTICE not in page(client, lead, project)
