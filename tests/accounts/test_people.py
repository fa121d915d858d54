"""Choosing a person by e-mail with suggestions while typing, instead of a list of everyone."""

import pytest
from django.urls import reverse

from caflab.accounts.models import Role
from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("accounts:people-search")


def test_suggestions_match_the_start_of_a_name_or_address_among_network_members(
    client, agent_a, caf_a
):
    UserFactory(
        email="martine.durand@caf38.example",
        first_name="Martine",
        last_name="Durand",
        role=Role.AGENT,
        caf=caf_a,
    )
    UserFactory(email="martin@example.org", first_name="Martin", role=Role.CITIZEN)
    UserFactory(email="marc.ancien@caf38.example", role=Role.AGENT, caf=caf_a, is_active=False)
    client.force_login(agent_a)
    html = client.get(SEARCH, {"champ": "lead", "lead": "mar"}).content.decode()
    assert '<option value="martine.durand@caf38.example">Martine Durand – Caf de l' in html
    assert "martin@example.org" not in html  # citizens are never suggested
    assert "marc.ancien" not in html  # nor deactivated accounts
    assert "<option" not in client.get(SEARCH, {"champ": "lead", "lead": "m"}).content.decode()


def test_citizens_and_visitors_get_no_suggestions(client, citizen):
    assert client.get(SEARCH, {"q": "ma"}).status_code == 302
    client.force_login(citizen)
    assert client.get(SEARCH, {"q": "ma"}).status_code == 403


def test_the_lead_is_typed_as_an_address_with_suggestions_and_checked(
    client, lab_staff, agent_a, citizen
):
    project = ProjectFactory(lead=lab_staff)
    client.force_login(lab_staff)
    update = reverse("projects:update", kwargs={"code": project.code})
    page = client.get(update).content.decode()
    assert f'value="{lab_staff.email}"' in page  # the current lead, shown by address
    assert f'data-hx-get="{SEARCH}"' in page
    assert 'list="id_lead-suggestions"' in page
    assert '<datalist id="id_lead-suggestions"></datalist>' in page

    from tests.projects.test_project_pages import project_form_data

    response = client.post(update, project_form_data(lead=citizen.email, is_draft=None))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Personne ne correspond à cette adresse" in html  # a citizen cannot lead
    assert f'value="{citizen.email}"' in html  # what was typed is kept
    response = client.post(update, project_form_data(lead=agent_a.email.upper(), is_draft=None))
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).lead == agent_a  # the address, in any case
