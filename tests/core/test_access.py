"""Who reaches the entry page of each domain, and what the main navigation offers each role."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from caflab.accounts.models import Role
from caflab.core.navigation import main_nav
from tests.accounts.factories import UserFactory
from tests.conftest import PERSONAS

# Every test here reads the database (personas are resolved at run time by `persona`), so
# each is marked: pytest-django then runs it before the transactional tests flush the data.
pytestmark = pytest.mark.django_db

LOGIN = "login"

# URL name -> expected answer per persona (LOGIN: redirected to the login page). The
# portfolio (projects:index) has left the shell for its own app and its own tests.
DOMAIN_INDEXES = {
    "criees:index": {"citizen": 403, "anonymous": LOGIN},
    "evaluation:index": {"citizen": 403, "anonymous": LOGIN},
    "ecoute:index": {},
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("name", DOMAIN_INDEXES)
def test_domain_index_answers_each_persona(client, persona, name, request):
    persona_name = request.node.callspec.params["persona"]
    expected = DOMAIN_INDEXES[name].get(persona_name, 200)
    if persona is not None:
        client.force_login(persona)
    response = client.get(reverse(name))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected


def test_partners_do_not_see_the_network_only_domains(client, db):
    from caflab.network.models import Partner

    partner = Partner.objects.first() or Partner.objects.create(name="Association Exemple")
    user = UserFactory(role=Role.PARTNER, caf=None, partner=partner)
    client.force_login(user)
    assert client.get(reverse("criees:index")).status_code == 403
    assert client.get(reverse("evaluation:index")).status_code == 403
    assert client.get(reverse("ecoute:index")).status_code == 200


def test_an_empty_domain_index_says_so_and_where_to_start(client, agent_a):
    client.force_login(agent_a)
    html = client.get(reverse("evaluation:index")).content.decode()
    assert "Aucun projet n’a encore de plan d’évaluation." in html
    assert "Le plan d’évaluation se crée depuis la page d’un projet" in html


def nav_labels(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item.label for item in main_nav(request)]


def test_network_members_navigate_the_four_domains_and_the_network(lab_staff, agent_a):
    expected = ["Portefeuille", "Criées", "Écoute", "Évaluation", "Réseau"]
    assert nav_labels(lab_staff) == expected
    assert nav_labels(agent_a) == expected


def test_correspondents_also_get_their_caf(correspondent_a):
    assert nav_labels(correspondent_a)[-1] == "Ma Caf"


def test_staff_accounts_also_get_the_administration(lab_staff):
    lab_staff.is_staff = True
    assert nav_labels(lab_staff)[-1] == "Administration"


def test_citizens_navigate_consultations_and_their_account(citizen):
    assert nav_labels(citizen) == ["La Caf à votre écoute", "Mon compte"]


def test_anonymous_visitors_navigate_consultations_and_sign_in(db):
    from django.contrib.auth.models import AnonymousUser

    assert nav_labels(AnonymousUser()) == ["La Caf à votre écoute", "Se connecter"]


def test_the_longest_matching_entry_is_the_current_one(correspondent_a):
    url = reverse("network:caf-dashboard", kwargs={"code": correspondent_a.caf.code})
    request = RequestFactory().get(url)
    request.user = correspondent_a
    current = [item.label for item in main_nav(request) if item.current]
    assert current == ["Ma Caf"]
