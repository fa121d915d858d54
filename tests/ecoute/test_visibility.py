"""Who sees which consultation: drafts are their managers' only (404 to everyone else), public
consultations are open to all, agents-only ones to the network's members."""

import pytest
from django.urls import reverse

from ecoute.models import Consultation
from tests.ecoute.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("ecoute:index")


def get_as(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 200),
        ("anonymous", 200),
    ],
    indirect=["persona"],
)
def test_a_public_consultation_is_readable_by_anyone_including_anonymous_visitors(
    client, persona, status, consultation
):
    assert get_as(client, persona, consultation.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 404),
        ("anonymous", 404),
    ],
    indirect=["persona"],
)
def test_an_agents_only_consultation_is_hidden_from_citizens_and_visitors(
    client, persona, status, agents_consultation
):
    assert get_as(client, persona, agents_consultation.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 404),
        ("agent_b", 404),
        ("citizen", 404),
        ("anonymous", 404),
    ],
    indirect=["persona"],
)
def test_a_draft_is_404_to_everyone_but_its_managers(client, persona, status, draft_a):
    assert get_as(client, persona, draft_a.get_absolute_url()).status_code == status


def test_a_draft_of_caf_a_is_404_to_the_correspondent_of_caf_b(client, correspondent_b, draft_a):
    client.force_login(correspondent_b)
    assert client.get(draft_a.get_absolute_url()).status_code == 404
    assert client.get(draft_a.get_manage_url()).status_code == 404


def test_a_moderator_manages_every_consultation(client, moderator, draft_a):
    client.force_login(moderator)
    assert client.get(draft_a.get_manage_url()).status_code == 200


def test_a_correspondent_manages_their_cafs_consultations_but_not_the_labs(
    client, correspondent_a, draft_a, consultation
):
    client.force_login(correspondent_a)
    assert client.get(draft_a.get_manage_url()).status_code == 200
    # the lab's public consultation: visible, but not theirs to run
    assert client.get(consultation.get_manage_url()).status_code == 403
    listed = client.get(reverse("ecoute:manage")).context["consultations"]
    assert list(listed) == [draft_a]


def test_the_landing_page_lists_open_consultations_visible_to_the_visitor(
    client, consultation, agents_consultation, draft_a, agent_a
):
    ConsultationFactory(title="Bientôt", status=Consultation.Status.SCHEDULED)
    response = client.get(INDEX)
    assert response.context["open_consultations"] == [consultation]
    assert [c.title for c in response.context["upcoming"]] == ["Bientôt"]
    assert "Brouillon" not in response.content.decode()

    client.force_login(agent_a)
    response = client.get(INDEX)
    assert set(response.context["open_consultations"]) == {consultation, agents_consultation}


def test_a_community_consultation_waits_for_communities_and_stays_with_its_managers(
    client, agent_a, lab_staff
):
    community = ConsultationFactory(access=Consultation.Access.COMMUNITY)
    client.force_login(agent_a)
    assert client.get(community.get_absolute_url()).status_code == 404
    client.force_login(lab_staff)
    assert client.get(community.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [("agent_a", 200), ("agent_b", 403), ("citizen", 403), ("lab_staff", 200)],
    indirect=["persona"],
)
def test_an_agents_consultation_for_caf_a_is_answered_by_caf_a_and_cnaf_staff_only(
    client, persona, status, agents_consultation, caf_a
):
    agents_consultation.perimeter_cafs.set([caf_a])
    url = reverse("ecoute:answer", kwargs={"slug": agents_consultation.slug})
    expected = 404 if persona.is_citizen else status
    assert get_as(client, persona, url).status_code == expected


def test_answering_a_named_consultation_sends_visitors_to_the_login_page(client, consultation):
    response = client.get(reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_agents_cannot_answer_a_consultation_of_usagers_only(client, agent_a, consultation):
    client.force_login(agent_a)
    url = reverse("ecoute:answer", kwargs={"slug": consultation.slug})
    assert client.get(url).status_code == 403
