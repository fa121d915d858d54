"""The directory of the 101 Caf and the Caf dashboard, for each persona."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caflab.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("network:caf-list")


def dashboard(code: str) -> str:
    return reverse("network:caf-dashboard", kwargs={"code": code})


def get_as(client, user, url: str):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def assert_redirects_to_login(response, url: str) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert "next=" in response["Location"]


# --- Caf dashboard ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("lab_staff", "38", 200),
        ("lab_staff", "69", 200),
        ("lab_staff", "2A", 200),
        ("lab_staff", "976", 200),
        ("correspondent_a", "38", 200),
        ("correspondent_a", "69", 404),
        ("agent_a", "38", 403),
        ("agent_a", "69", 404),
        ("agent_b", "38", 404),
        ("agent_b", "69", 403),
        ("citizen", "38", 404),
    ],
    indirect=["persona"],
)
def test_caf_dashboard_status_by_persona(client, persona, code, status):
    assert get_as(client, persona, dashboard(code)).status_code == status


def test_anonymous_visitor_of_a_dashboard_is_sent_to_login(client):
    assert_redirects_to_login(client.get(dashboard("38")), dashboard("38"))


def test_unknown_caf_code_is_a_404_even_for_the_lab(client, lab_staff):
    assert get_as(client, lab_staff, dashboard("20")).status_code == 404


def test_dashboard_shows_the_caf_identity_correspondents_and_members_by_role(
    client, correspondent_a, agent_a, agent_b
):
    UserFactory(role=Role.AGENT, caf=correspondent_a.caf, is_active=False)  # not counted
    response = get_as(client, correspondent_a, dashboard("38"))
    html = response.content.decode()
    assert "Tableau de bord de la Caf de l&#x27;Isère" in html
    assert "Auvergne-Rhône-Alpes" in html
    assert correspondent_a.email in html
    assert response.context["members_by_role"] == [
        ("Correspondant innovation", 1),
        ("Agent de Caf", 1),
    ]
    assert response.context["members_total"] == 2
    # Each domain leads to the Caf's own pages or lists what concerns it: no placeholder.
    assert f'href="{reverse("projects:index")}?caf=38"' in html
    assert f'href="{reverse("criees:caf-dashboard", kwargs={"code": "38"})}"' in html
    for sentence in ("Écoute", "Évaluation", "Aucune consultation ne concerne encore"):
        assert sentence in html
    assert "apparaîtront ici" not in html


def test_dashboard_breadcrumbs_lead_back_to_the_directory(client, lab_staff):
    html = get_as(client, lab_staff, dashboard("69")).content.decode()
    assert 'aria-label="Fil d’Ariane"' in html
    assert f'href="{DIRECTORY}"' in html
    assert html.count("<h1") == 1


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_costs_the_same_queries_with_3_or_30_members(
    client, correspondent_a, django_assert_max_num_queries
):
    caf = correspondent_a.caf
    UserFactory.create_batch(2, role=Role.AGENT, caf=caf)
    client.force_login(correspondent_a)
    small = _count_queries(client, dashboard("38"))

    UserFactory.create_batch(20, role=Role.AGENT, caf=caf)
    UserFactory.create_batch(5, role=Role.CORRESPONDENT, caf=caf)
    UserFactory.create_batch(2, role=Role.MODERATOR, caf=caf)
    assert caf.members.count() == 30
    with django_assert_max_num_queries(small):
        response = client.get(dashboard("38"))
    assert response.context["members_total"] == 30
    assert len(response.context["correspondents"]) == 6
    assert small <= 10


# --- Directory --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lab_staff", 200),
        ("correspondent_a", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("citizen", 403),
    ],
    indirect=["persona"],
)
def test_directory_status_by_persona(client, persona, status):
    assert get_as(client, persona, DIRECTORY).status_code == status


def test_anonymous_visitor_of_the_directory_is_sent_to_login(client):
    assert_redirects_to_login(client.get(DIRECTORY), DIRECTORY)


def test_partner_cannot_open_the_directory(client):
    partner = UserFactory(role=Role.PARTNER, caf=None, partner=PartnerFactory())
    assert get_as(client, partner, DIRECTORY).status_code == 403


def test_directory_lists_the_101_caf_in_department_order(client, agent_a):
    response = get_as(client, agent_a, DIRECTORY)
    cafs = response.context["cafs"]
    assert len(cafs) == 101
    assert [caf.code for caf in cafs[18:22]] == ["19", "2A", "2B", "21"]
    html = response.content.decode()
    assert "Caisse de sécurité sociale de Mayotte" in html
    assert 'for="id_region"' in html


def test_directory_filters_by_region(client, agent_a):
    response = get_as(client, agent_a, f"{DIRECTORY}?region=84")
    codes = {caf.code for caf in response.context["cafs"]}
    assert len(codes) == 12
    assert {"38", "69", "01", "74"} <= codes
    assert "13" not in codes


def test_directory_with_an_unknown_region_shows_an_error_and_no_caf(client, agent_a):
    response = get_as(client, agent_a, f"{DIRECTORY}?region=99")
    assert response.status_code == 200
    assert response.context["cafs"] == []
    assert "Aucune Caf ne correspond" in response.content.decode()


def test_directory_links_only_the_dashboards_the_user_may_open(client, correspondent_a, agent_a):
    html = get_as(client, correspondent_a, DIRECTORY).content.decode()
    assert f'href="{dashboard("38")}"' in html
    assert f'href="{dashboard("69")}"' not in html
    client.logout()
    html = get_as(client, agent_a, DIRECTORY).content.decode()
    assert f'href="{dashboard("38")}"' not in html


def test_directory_links_every_dashboard_for_the_lab(client, lab_staff):
    html = get_as(client, lab_staff, DIRECTORY).content.decode()
    assert len(re.findall(r'href="/reseau/caf/[0-9AB]+/"', html)) == 101


def test_directory_costs_a_fixed_number_of_queries(client, agent_a, django_assert_max_num_queries):
    client.force_login(agent_a)
    unfiltered = _count_queries(client, DIRECTORY)
    with django_assert_max_num_queries(unfiltered):
        response = client.get(f"{DIRECTORY}?region=84")
    assert len(response.context["cafs"]) == 12
    assert unfiltered <= 10
