"""The team's rules, held by the services the project and team pages call: the lead is a
project field (never removed from the team by hand), and handing over the lead keeps the
previous one in the team as co-lead."""

import pytest

from caflab.core.errors import AlreadyDone, InvalidState
from caflab.network.models import Theme
from projects import services
from projects.models import TeamMember
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def roles_of(project) -> dict[int, str]:
    return dict(project.team_members.values_list("user_id", "role"))


def test_removing_a_member_takes_them_out_of_the_team(agent_a):
    project = ProjectFactory()
    member = services.team_member_set(project=project, user=agent_a, role=TeamMember.Role.MEMBER)
    services.team_member_remove(project=project, member_id=member.pk)
    assert roles_of(project) == {project.lead_id: TeamMember.Role.LEAD}


def test_the_lead_cannot_be_removed_from_the_team():
    project = ProjectFactory()
    lead_member = project.team_members.get(user=project.lead)
    with pytest.raises(InvalidState, match="porteur ne peut pas être retiré"):
        services.team_member_remove(project=project, member_id=lead_member.pk)
    assert roles_of(project) == {project.lead_id: TeamMember.Role.LEAD}


def test_removing_someone_already_gone_is_already_done(agent_a):
    project = ProjectFactory()
    member = services.team_member_set(project=project, user=agent_a, role=TeamMember.Role.MEMBER)
    services.team_member_remove(project=project, member_id=member.pk)
    with pytest.raises(AlreadyDone):
        services.team_member_remove(project=project, member_id=member.pk)


def test_a_member_of_another_project_is_not_removed_through_this_one(agent_a):
    project, other = ProjectFactory(), ProjectFactory()
    member = services.team_member_set(project=other, user=agent_a, role=TeamMember.Role.MEMBER)
    with pytest.raises(AlreadyDone):
        services.team_member_remove(project=project, member_id=member.pk)
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_a_new_lead_joins_the_team_and_the_previous_one_stays_as_co_lead():
    project = ProjectFactory()
    previous, new = project.lead, UserFactory(lab=True)
    theme = Theme.objects.first()
    project.lead = new
    project.title = "Nouveau titre"
    services.project_update(
        project=project,
        previous_lead_id=previous.pk,
        themes=[theme],
        programmes=[],
        cog_ambitions=[],
        partners=[],
    )
    project.refresh_from_db()
    assert project.title == "Nouveau titre"
    assert list(project.themes.all()) == [theme]
    assert roles_of(project) == {new.pk: TeamMember.Role.LEAD, previous.pk: TeamMember.Role.CO_LEAD}


def test_saving_a_project_with_the_same_lead_leaves_the_team_alone(agent_a):
    project = ProjectFactory()
    services.team_member_set(project=project, user=agent_a, role=TeamMember.Role.MEMBER)
    before = roles_of(project)
    services.project_update(
        project=project,
        previous_lead_id=project.lead_id,
        themes=[],
        programmes=[],
        cog_ambitions=[],
        partners=[],
    )
    assert roles_of(project) == before
