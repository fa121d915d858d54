"""Criée events: creation by the lab, proposals by the correspondents, the programme."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caflab.accounts.models import User
from criees.models import Criee, Pitch
from tests.accounts.factories import UserFactory
from tests.core.test_security import inline_code_in
from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def url(name: str, obj) -> str:
    return reverse(f"criees:{name}", kwargs={"pk": obj.pk})


def test_the_lab_creates_a_criee_an_online_one_needs_its_link(client, lab_staff):
    client.force_login(lab_staff)
    starts = (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "Criée d'automne", "starts_at": starts, "format": "online"}
    response = client.post(reverse("criees:criee-create"), data)
    assert response.status_code == 200
    assert escape("Indiquez le lien de connexion.") in response.content.decode()
    data["online_url"] = "https://visio.caf.example/automne"
    response = client.post(reverse("criees:criee-create"), data)
    criee = Criee.objects.get()
    assert response["Location"] == criee.get_absolute_url()
    assert (criee.status, criee.created_by) == (Criee.Status.PLANNED, lab_staff)


def test_correspondents_propose_their_cafs_initiatives_only(
    client, correspondent_a, criee, initiative, caf_b
):
    other = InitiativeFactory(caf=caf_b)
    client.force_login(correspondent_a)
    page = client.get(url("criee", criee))
    assert list(page.context["propose_form"].fields["initiative"].queryset) == [initiative]
    client.post(url("propose", criee), {"proposition-initiative": other.pk})
    assert not Pitch.objects.exists()
    client.post(url("propose", criee), {"proposition-initiative": initiative.pk})
    pitch = Pitch.objects.get()
    assert (pitch.initiative, pitch.status) == (initiative, Pitch.Status.PROPOSED)


def test_agents_do_not_propose(client, agent_a, criee, initiative):
    client.force_login(agent_a)
    assert client.get(url("criee", criee)).context["propose_form"] is None
    response = client.post(url("propose", criee), {"proposition-initiative": initiative.pk})
    assert response.status_code == 403


def test_the_lab_schedules_with_presenters_and_reorders(
    client, lab_staff, agent_a, criee, initiative, caf_a
):
    first = Pitch.objects.create(criee=criee, initiative=initiative)
    second = Pitch.objects.create(criee=criee, initiative=InitiativeFactory(caf=caf_a))
    client.force_login(lab_staff)
    form = client.get(url("pitch-schedule", first)).context["form"]
    assert form.initial["presenters"] == [agent_a.pk]
    prefix = f"passage-{first.pk}"
    client.post(
        url("pitch-schedule", first),
        {f"{prefix}-slot_minutes": 5, f"{prefix}-presenters": [agent_a.pk]},
    )
    client.post(url("pitch-schedule", second), {f"passage-{second.pk}-slot_minutes": 7})
    first.refresh_from_db()
    assert (first.status, first.position, first.slot_minutes) == ("scheduled", 1, 5)
    assert list(first.presenters.all()) == [agent_a]
    client.post(url("pitch-move", second), {"sens": "up"})
    programme = client.get(url("criee", criee)).context["programme"]
    assert [p.pk for p in programme] == [second.pk, first.pk]
    assert programme[1].starts_at == criee.starts_at + datetime.timedelta(minutes=7)


def test_the_status_moves_forward_one_step(client, lab_staff, criee):
    client.force_login(lab_staff)
    client.post(url("criee-advance", criee), {"status": "held"})
    criee.refresh_from_db()
    assert criee.status == Criee.Status.OPEN
    client.post(url("criee-advance", criee), {"status": "closed"})
    criee.refresh_from_db()
    assert criee.status == Criee.Status.CLOSED


def test_the_criee_pages_have_no_inline_code(client, lab_staff, criee, initiative):
    PitchFactory(criee=criee, initiative=initiative)
    client.force_login(lab_staff)
    for name in ("criee", "live", "followup", "criee-update"):
        assert inline_code_in(client.get(url(name, criee)).content.decode()) == []
    assert inline_code_in(client.get(reverse("criees:criee-list")).content.decode()) == []


def _add_programme(criee):
    presenters = [UserFactory() for _ in range(2)]

    def add(n: int) -> None:
        start = Pitch.objects.filter(criee=criee).count()
        for i in range(n):
            pitch = PitchFactory(criee=criee, position=start + i + 1)
            pitch.presenters.set(presenters)
            Pitch.objects.create(criee=criee, initiative=InitiativeFactory())  # a proposal

    return add


# Session and user (2), the criée (1), its themes (1), the programme and its presenters (2);
# the shell: unread notifications (1; the user's Caf comes with them). An agent pays for Django's
# ModelBackend loading their (empty) permissions once (2); the lab, who has no Caf, for the
# proposals (1). The proposal form's initiative is a type-ahead: no query for its choices.
@pytest.mark.parametrize(("persona", "expected"), [("agent_b", 9), ("lab_staff", 8)])
def test_the_programme_costs_a_fixed_number_of_queries(client, request, criee, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert_flat_query_count(client, url("criee", criee), _add_programme(criee), expected=expected)


def test_the_criee_list_costs_a_fixed_number_of_queries(client, agent_b):
    client.force_login(agent_b)

    def add(n: int) -> None:
        for _ in range(n):
            CrieeFactory(status=Criee.Status.HELD)
            CrieeFactory()

    assert_flat_query_count(client, reverse("criees:criee-list"), add, expected=7)


def test_presenters_come_from_the_team_and_the_cafs_correspondents(
    client, lab_staff, correspondent_a, criee, initiative
):
    pitch = Pitch.objects.create(criee=criee, initiative=initiative)
    client.force_login(lab_staff)
    field = client.get(url("pitch-schedule", pitch)).context["form"].fields["presenters"]
    assert set(field.queryset) == set(
        User.objects.filter(pk__in=[initiative.created_by_id, correspondent_a.pk])
    )
