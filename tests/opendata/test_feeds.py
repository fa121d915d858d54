"""Atom and RSS feeds: open consultations, published initiatives, public project news and
restitutions. Each lists only what its reader may see (everyone; the published initiatives,
the network's members only), at most 50 items, newest first, in a fixed number of queries,
and its list page announces it (<link rel="alternate">)."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse

from caflab.core.feeds import LIMIT
from projects.models import StageChange
from tests.criees.factories import InitiativeFactory
from tests.ecoute.factories import ConsultationFactory, RestitutionFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = {
    "consultations": ("ecoute:feed-consultations-rss", "ecoute:feed-consultations-atom"),
    "initiatives": ("criees:feed-initiatives-rss", "criees:feed-initiatives-atom"),
    "news": ("projects:feed-news-rss", "projects:feed-news-atom"),
    "restitutions": ("ecoute:feed-restitutions-rss", "ecoute:feed-restitutions-atom"),
}
# Published initiatives are the network's: their feeds are read signed in, as an agent.
NETWORK_ONLY = {"initiatives"}
# The session and the user, then the items.
QUERIES_SIGNED_IN = 3


def rss_titles(client, name: str) -> list[str]:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return [item.findtext("title") for item in root.iter("item")]


def atom_titles(client, name: str) -> list[str]:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("feed", FEEDS)
def test_each_feed_lists_only_public_items_in_rss_and_atom(public_world, client, agent_a, feed):
    if feed == "consultations":  # the world's public ones are closed: open one
        ConsultationFactory(title="Consultation ouverte à tous")
    if feed in NETWORK_ONLY:
        client.force_login(agent_a)
    rss, atom = FEEDS[feed]
    titles = rss_titles(client, rss)
    assert titles == atom_titles(client, atom)
    assert titles, feed
    text = " ".join(titles)
    for secret in ("brouillon", "réservée aux agents", "Projet interne au réseau"):
        assert secret not in text, (feed, secret)


def test_the_consultations_feed_lists_the_open_public_ones(public_world, client):
    open_one = ConsultationFactory(title="Consultation ouverte à tous")
    ConsultationFactory(title="Consultation réservée aux agents ouverte", access="agents")
    titles = rss_titles(client, "ecoute:feed-consultations-rss")
    assert titles == [open_one.title]


@pytest.mark.parametrize("name", FEEDS["initiatives"])
def test_the_initiatives_feeds_are_the_network_s(public_world, client, citizen, agent_a, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(str(settings.LOGIN_URL))
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(agent_a)
    response = client.get(url)
    assert response.status_code == 200
    assert public_world["initiative"].title.encode() in response.content
    assert b"brouillon" not in response.content
    assert response["Cache-Control"].startswith("private")


def test_project_news_are_the_stage_changes_of_public_projects(public_world, client):
    titles = rss_titles(client, "projects:feed-news-rss")
    assert titles == ["Rendez-vous des droits\u00a0: Séance de créativité"]


@pytest.mark.parametrize("feed", FEEDS)
def test_each_feed_is_bounded_and_costs_the_same_queries(client, lab_staff, agent_a, feed):
    def add(n: int) -> None:
        for _ in range(n):
            if feed == "consultations":
                ConsultationFactory(owner=lab_staff)
            elif feed == "initiatives":
                InitiativeFactory()
            elif feed == "news":
                project = ProjectFactory(is_public=True)
                StageChange.objects.create(project=project, from_stage="", to_stage="idea")
            else:
                RestitutionFactory(consultation=ConsultationFactory(owner=lab_staff))

    rss, _atom = FEEDS[feed]
    if feed in NETWORK_ONLY:
        client.force_login(agent_a)
    expected = QUERIES_SIGNED_IN if feed in NETWORK_ONLY else 1
    assert_flat_query_count(client, reverse(rss), add, sizes=(3, LIMIT + 5), expected=expected)
    assert len(rss_titles(client, rss)) == LIMIT


@pytest.mark.parametrize(
    ("page", "persona", "feed"),
    [
        ("ecoute:index", None, "ecoute:feed-consultations-atom"),
        ("ecoute:index", None, "ecoute:feed-restitutions-rss"),
        ("criees:index", "agent_a", "criees:feed-initiatives-atom"),
        ("projects:index", "agent_a", "projects:feed-news-rss"),
    ],
)
def test_the_list_page_announces_its_feed(client, request, page, persona, feed):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse(page)).content.decode()
    assert 'rel="alternate"' in html
    assert f'href="{reverse(feed)}"' in html
