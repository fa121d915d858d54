"""What an idea fed stays traceable: accepting a session's idea gives a project whose origins
are the idea and the session, with the idea's author in its team."""

import pytest

from ideas.models import CreativitySession, Idea
from ideas.services.ideas import idea_move, idea_submit
from projects.models import TeamMember
from tests.ideas.factories import CreativitySessionFactory

pytestmark = pytest.mark.django_db


def test_accepting_a_session_idea_links_the_project_to_the_idea_and_the_session(lab_staff, agent_a):
    session = CreativitySessionFactory()
    idea = idea_submit(
        by=agent_a,
        title="Un rendez-vous des droits à la naissance",
        problem="Des familles ignorent leurs droits après une naissance.",
        source=Idea.Source.SESSION,
        session=session,
    )
    idea_move(idea=idea, by=lab_staff, to_status=Idea.Status.ACCEPTED, reason="Prometteuse")
    project = Idea.objects.get(pk=idea.pk).project
    origins = {(o.content_type.model_class(), o.object_id) for o in project.origins.all()}
    assert origins == {(Idea, idea.pk), (CreativitySession, session.pk)}
    assert TeamMember.objects.filter(project=project, user=agent_a).exists()
