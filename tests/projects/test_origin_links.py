"""The project page's "Ce projet est né de…" (issue 13): every origin is listed, with a link only
to the sources the reader may open, at one query per kind of source."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criees.models import Initiative
from projects.services.projects import project_origin_add
from tests.criees.factories import InitiativeFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_with_origins(caf_b):
    project = ProjectFactory(title="Accueil sans rendez-vous")
    published = InitiativeFactory(title="Accueil fluide à Grenoble")
    draft = InitiativeFactory(title="Brouillon de Lyon", caf=caf_b, status=Initiative.Status.DRAFT)
    project_origin_add(project=project, source=published, label=published.title)
    project_origin_add(project=project, source=draft, label=draft.title)
    return project, published, draft


def test_an_agent_sees_every_origin_but_a_link_only_to_what_they_may_open(
    client, agent_a, project_with_origins
):
    project, published, draft = project_with_origins
    client.force_login(agent_a)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Ce projet est né de" in html
    assert published.title in html
    assert draft.title in html
    assert f'href="{published.get_absolute_url()}"' in html
    assert f'href="{draft.get_absolute_url()}"' not in html  # another Caf's draft


def test_the_lab_gets_a_link_to_every_origin(client, lab_staff, project_with_origins):
    project, published, draft = project_with_origins
    client.force_login(lab_staff)
    html = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{published.get_absolute_url()}"' in html
    assert f'href="{draft.get_absolute_url()}"' in html


def test_origins_cost_one_query_per_kind_whatever_their_number(client, lab_staff, caf_b):
    def queries_for(n: int) -> int:
        project = ProjectFactory()
        for _i in range(n):
            initiative = InitiativeFactory(caf=caf_b)
            project_origin_add(project=project, source=initiative, label=initiative.title)
        client.get(project.get_absolute_url())  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(project.get_absolute_url()).status_code == 200
        return len(queries)

    client.force_login(lab_staff)
    assert queries_for(1) == queries_for(6)


def test_a_written_answer_links_for_its_consultation_s_team_only(
    client, lab_staff, agent_a, correspondent_a, caf_a
):
    from tests.analysis.factories import answer_texts
    from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

    consultation = ConsultationFactory(owner=correspondent_a, caf=caf_a)
    question = QuestionFactory(section=first_section(consultation))
    [answer] = answer_texts(question, ["Un accueil le samedi."])
    project = ProjectFactory()
    project_origin_add(project=project, source=answer, label="Un accueil le samedi.")
    link = f'href="{answer.get_absolute_url()}"'
    for user, linked in ((lab_staff, True), (correspondent_a, True), (agent_a, False)):
        client.force_login(user)
        html = client.get(project.get_absolute_url()).content.decode()
        assert "Un accueil le samedi." in html
        assert (link in html) is linked, user
