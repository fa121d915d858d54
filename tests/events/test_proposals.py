"""After a debate (issue 14): its organisers write the synthesis and the proposals that came out
of it; the lab (or the correspondent of the event's Caf) turns a proposal into an idea of the
box, with the proposal as its origin; those who came are told, and the proposal's page shows
what it became. Nobody outside the event's audience sees a proposal (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from caflab.core.errors import AlreadyDone, NotAllowedNow
from caflab.notifications.models import Notification
from events import services
from events.models import DebateProposal, Event
from ideas.models import Idea
from tests.accounts.factories import UserFactory
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PROPOSAL = "Un numéro unique pour joindre son conseiller."


@pytest.fixture
def debate(correspondent_a, caf_a):
    """A debate of Caf A for its agents, started an hour ago, organised by its correspondent."""
    started = timezone.now() - datetime.timedelta(hours=1)
    return EventFactory(
        kind=Event.Kind.DEBATE,
        title="Débat : l'accueil de demain",
        caf=caf_a,
        audience=Event.Audience.CAFS,
        cafs=[caf_a],
        organisers=[correspondent_a],
        starts_at=started,
        ends_at=started + datetime.timedelta(hours=2),
        registration_opens_at=started - datetime.timedelta(days=10),
        registration_closes_at=started - datetime.timedelta(hours=1),
    )


def convert_url(proposal: DebateProposal) -> str:
    return reverse(
        "ideas:idea-from-origin", kwargs={"model": "events.debateproposal", "pk": proposal.pk}
    )


def test_the_organiser_writes_the_synthesis_and_the_proposals_everyone_reads_them(
    client, correspondent_a, agent_a, debate
):
    client.force_login(correspondent_a)
    response = client.post(
        reverse("events:synthesis", kwargs={"pk": debate.pk}),
        {"synthesis": "Les agents veulent moins d'appels perdus."},
    )
    assert response.status_code == 302
    client.post(reverse("events:proposal-add", kwargs={"pk": debate.pk}), {"text": PROPOSAL})
    proposal = DebateProposal.objects.get()
    assert (proposal.event, proposal.created_by) == (debate, correspondent_a)

    client.force_login(agent_a)
    page = client.get(debate.get_absolute_url()).content.decode()
    # Rendered as rich text (caflab.core.richtext): nh3 leaves an apostrophe as it is.
    assert "<p>Les agents veulent moins d'appels perdus.</p>" in page
    assert PROPOSAL in page
    assert proposal.get_absolute_url() in page
    # An agent reads the proposal's page, but does not turn it into an idea.
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert PROPOSAL in page
    assert convert_url(proposal) not in page
    assert client.post(convert_url(proposal)).status_code == 403


def test_an_empty_proposal_is_refused_in_french_and_the_synthesis_typed_is_kept(
    client, correspondent_a, debate
):
    client.force_login(correspondent_a)
    response = client.post(reverse("events:proposal-add", kwargs={"pk": debate.pk}), {"text": " "})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not DebateProposal.objects.exists()


def test_no_synthesis_before_the_event_and_the_same_proposal_twice_is_already_done(
    correspondent_a, debate
):
    later = EventFactory(organisers=[correspondent_a])  # in ten days
    with pytest.raises(NotAllowedNow):
        services.proposal_add(event=later, by=correspondent_a, text=PROPOSAL)
    with pytest.raises(NotAllowedNow):
        services.synthesis_save(event=later, by=correspondent_a, synthesis="Trop tôt.")
    services.proposal_add(event=debate, by=correspondent_a, text=PROPOSAL)
    with pytest.raises(AlreadyDone):
        services.proposal_add(event=debate, by=correspondent_a, text=f" {PROPOSAL} ")


def test_only_its_managers_write_the_synthesis(client, agent_a, debate):
    client.force_login(agent_a)
    url = reverse("events:proposal-add", kwargs={"pk": debate.pk})
    assert client.post(url, {"text": PROPOSAL}).status_code == 403
    assert not DebateProposal.objects.exists()


def test_a_proposal_becomes_an_idea_and_those_who_came_are_told(
    client, correspondent_a, agent_a, caf_a, debate
):
    came = RegistrationFactory(event=debate, user=agent_a, attended=True).user
    absent = RegistrationFactory(event=debate, user=UserFactory(caf=caf_a), attended=False).user
    proposal = services.proposal_add(event=debate, by=correspondent_a, text=PROPOSAL)

    client.force_login(correspondent_a)
    assert convert_url(proposal) in client.get(proposal.get_absolute_url()).content.decode()
    response = client.post(convert_url(proposal))
    idea = Idea.objects.get()
    assert response.url == idea.get_absolute_url()
    assert (idea.origin, idea.source, idea.caf_id, idea.title) == (
        proposal,
        Idea.Source.EVENT,
        caf_a.pk,
        PROPOSAL,
    )
    assert "Débat : l'accueil de demain" in idea.problem
    told = set(Notification.objects.filter(kind="origin.idea").values_list("recipient", flat=True))
    assert came.pk in told
    assert absent.pk not in told

    client.force_login(came)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert idea.title in page  # what it became


def test_a_proposal_of_an_event_outside_ones_audience_is_404(
    client, correspondent_a, agent_b, correspondent_b, debate
):
    proposal = services.proposal_add(event=debate, by=correspondent_a, text=PROPOSAL)
    for user in (agent_b, correspondent_b):
        client.force_login(user)
        assert client.get(proposal.get_absolute_url()).status_code == 404
        assert client.post(convert_url(proposal)).status_code == 404
