"""Issue 17: the home page's panels and the dashboards say which scope their figures cover
("Périmètre : …", caflab.core.scope), worded from the rule the page already applies to the
person reading it."""

from html import unescape

import pytest
from django.urls import reverse

from caflab.core.scope import NETWORK_SIZE, home_scope
from caflab.network.models import Caf, Programme

pytestmark = pytest.mark.django_db

NBSP_FREE = str.maketrans({"\u202f": " ", "\xa0": " "})


def _scope_line(response) -> str:
    html = response.content.decode()
    start = html.index('<p class="scope-line')
    line = html[html.index(">", start) + 1 : html.index("</p>", start)]
    return unescape(line).translate(NBSP_FREE)


def test_the_network_size_is_the_reference_data_s():
    assert Caf.objects.count() == NETWORK_SIZE


def test_the_cockpit_says_the_lab_counts_every_project_and_a_director_the_published_ones(
    client, lab_staff, directorate_member
):
    client.force_login(lab_staff)
    assert _scope_line(client.get(reverse("projects:dashboard"))) == (
        "Périmètre : tout le portefeuille du réseau (101 Caf), brouillons compris"
    )
    client.force_login(directorate_member)
    assert _scope_line(client.get(reverse("projects:dashboard"))) == (
        "Périmètre : les projets publiés du réseau (101 Caf) et les brouillons de vos équipes"
    )


def test_a_programme_page_says_whose_projects_it_counts(client, lab_staff, agent_a):
    url = reverse("projects:programme-detail", kwargs={"slug": Programme.objects.first().slug})
    client.force_login(lab_staff)
    assert "brouillons compris" in _scope_line(client.get(url))
    client.force_login(agent_a)
    assert "les projets publiés du réseau" in _scope_line(client.get(url))


def test_the_criees_dashboards_say_the_network_or_the_caf(
    client, lab_staff, correspondent_a, caf_a
):
    client.force_login(lab_staff)
    assert _scope_line(client.get(reverse("criees:dashboard"))) == (
        "Périmètre : initiatives publiées de tout le réseau (101 Caf)"
    )
    client.force_login(correspondent_a)
    response = client.get(reverse("criees:caf-dashboard", kwargs={"code": caf_a.code}))
    assert _scope_line(response) == f"Périmètre : {caf_a.name}".translate(NBSP_FREE)


def test_the_home_panels_say_the_network_for_the_lab_and_the_caf_for_its_correspondent(
    client, lab_staff, correspondent_a, agent_a, caf_a
):
    client.force_login(lab_staff)
    assert _scope_line(client.get("/")) == "Périmètre : tout le réseau (101 Caf)"
    client.force_login(correspondent_a)
    assert _scope_line(client.get("/")) == (
        f"Périmètre : {caf_a.name} et ce qui vous concerne".translate(NBSP_FREE)
    )
    assert home_scope(agent_a) == "ce qui vous concerne (vos idées, projets et contributions)"
