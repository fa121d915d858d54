""" "My data" for network staff, criées side (issue 16): an agent's initiative teams, comments,
supports, reports, pitches and project teams are in the JSON and CSV downloads; erasing the
account removes them and keeps what others rely on (the comment, the initiative, the pitch)."""

import json

import pytest
from django.urls import reverse

from caflab.accounts import personal_data
from caflab.accounts.models import ERASED_EMAIL_DOMAIN, User
from criees.models import Comment, CommentReport, InitiativeMember, Pitch, Support
from projects.models import TeamMember
from tests.accounts.factories import UserFactory
from tests.criees.factories import CommentFactory, InitiativeFactory, PitchFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_agent(agent_a):
    """The agent of issue 16: a criée comment, supports, initiative and project teams, a pitch
    presented, a report of someone else's comment."""
    other = UserFactory()
    initiatives = [InitiativeFactory(title=f"Accueil sans rendez-vous {n}") for n in (1, 2, 3)]
    CommentFactory(initiative=initiatives[0], author=agent_a, text="Nous l'avons testé à Vienne.")
    for initiative in initiatives[:2]:
        Support.objects.create(initiative=initiative, user=agent_a)
    for initiative in initiatives[1:]:
        InitiativeMember.objects.create(initiative=initiative, user=agent_a, role="member")
    for title in ("Rendez-vous des droits", "Coffre-fort numérique"):
        TeamMember.objects.create(project=ProjectFactory(title=title), user=agent_a, role="expert")
    pitch = PitchFactory(initiative=initiatives[2], proposed_by=agent_a)
    pitch.presenters.add(agent_a, other)
    someone_elses = CommentFactory(initiative=initiatives[1], author=other, text="Et le coût ?")
    CommentReport.objects.create(comment=someone_elses, reporter=agent_a, reason="hors sujet")
    return agent_a


EXPECTED = (
    "Nous l'avons testé à Vienne.",  # the criée comment
    "Accueil sans rendez-vous 1",  # a support
    "Accueil sans rendez-vous 3",  # a membership, a pitch
    "Rendez-vous des droits",  # the project teams
    "Coffre-fort numérique",
    "Présenté par vous",
    "Proposé par vous",
    "hors sujet",
)


def test_the_json_download_holds_the_agents_criees_and_teams(client, staff_agent):
    client.force_login(staff_agent)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    data = json.loads(response.content)
    sections = data["sections"]
    assert len(sections["criees.comments"]["items"]) == 1
    assert len(sections["criees.memberships"]["items"]) == 2
    # 2 supports and 1 report
    assert len(sections["criees.supports"]["items"]) == 3
    assert len(sections["projects.teams"]["items"]) == 2
    assert sections["projects.teams"]["items"][0]["Rôle dans l’équipe"] == "Expert"
    text = response.content.decode()
    for expected in EXPECTED:
        assert expected in text, expected


def test_the_csv_download_holds_them_too(client, staff_agent):
    client.force_login(staff_agent)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "csv"}))
    text = response.content.decode("utf-8-sig")
    for expected in EXPECTED:
        assert expected in text, expected
    assert "Les équipes projet dont vous êtes membre" in text


def test_erasure_removes_the_agent_and_keeps_others_evidence(staff_agent):
    comment = Comment.objects.get(author=staff_agent)
    pitch = Pitch.objects.get(proposed_by=staff_agent)
    personal_data.account_erase(user=staff_agent)

    assert not User.objects.filter(email="agent.a@caf38.example").exists()
    assert not Support.objects.filter(user_id=staff_agent.pk).exists()
    assert not InitiativeMember.objects.filter(user_id=staff_agent.pk).exists()
    assert not TeamMember.objects.filter(user_id=staff_agent.pk).exists()
    assert not CommentReport.objects.filter(reporter_id=staff_agent.pk).exists()
    comment.refresh_from_db()  # the discussion stays, signed by nobody
    assert comment.text == "Nous l'avons testé à Vienne."
    assert comment.author_id is None
    pitch.refresh_from_db()  # the pitch stays, with its other presenter
    assert pitch.proposed_by_id is None
    assert list(pitch.presenters.values_list("pk", flat=True)) != []
    assert staff_agent.pk not in pitch.presenters.values_list("pk", flat=True)


def test_a_protected_lead_becomes_a_tombstone_with_nothing_personal(staff_agent):
    project = ProjectFactory(title="Projet porté", lead=staff_agent)
    assert personal_data.account_erase(user=staff_agent) is False
    project.refresh_from_db()
    lead = project.lead
    assert lead.email.endswith(ERASED_EMAIL_DOMAIN)
    assert (lead.first_name, lead.last_name, lead.is_active) == ("", "", False)
    assert personal_data.export_user(lead)  # its "my data" is empty but for the account
    sections = {e.key: e.rows for e in personal_data.export_user(lead)}
    assert sections["criees.comments"] == sections["projects.teams"] == []
    assert sections["criees.memberships"] == sections["criees.supports"] == []
