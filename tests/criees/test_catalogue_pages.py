"""The catalogue page by page (issue 12): the page's initiatives are sorted as ids alone, then
read with their card data; the pagination shows the pages around the current one."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from criees.models import Support
from criees.views.catalogue import CatalogueView
from tests.accounts.factories import UserFactory
from tests.criees.factories import InitiativeFactory, InterestFactory

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("criees:index")
PAGE = CatalogueView.paginate_by


@pytest.fixture
def catalogue(caf_a):
    """Three pages and a half of initiatives, the latest published first (by day)."""
    start = timezone.now() - datetime.timedelta(days=400)
    return [
        InitiativeFactory(
            title=f"Initiative {k:03}",
            caf=caf_a,
            published_at=start + datetime.timedelta(days=k),
        )
        for k in range(3 * PAGE + PAGE // 2)
    ]


def titles(response) -> list[str]:
    return [i.title for i in response.context["initiatives"]]


def test_each_page_holds_the_next_initiatives_in_order(client, agent_b, catalogue):
    client.force_login(agent_b)
    newest_first = [i.title for i in reversed(catalogue)]
    for number in (1, 2, 4):
        response = client.get(CATALOGUE, {"page": number})
        assert titles(response) == newest_first[(number - 1) * PAGE : number * PAGE]
    assert response.context["paginator"].count == len(catalogue)


def test_a_page_sorted_by_a_count_keeps_that_order_and_its_card_data(client, agent_b, catalogue):
    wanted = catalogue[5]
    for _ in range(3):
        Support.objects.create(initiative=wanted, user=UserFactory())
    InterestFactory(initiative=wanted, level="replicate")
    client.force_login(agent_b)
    response = client.get(CATALOGUE, {"tri": "soutiens"})
    first = response.context["initiatives"][0]
    assert first.pk == wanted.pk
    assert (first.n_supports, first.n_interests, first.n_replicate) == (3, 1, 1)


def test_the_pagination_shows_the_pages_around_the_current_one(client, agent_b, catalogue):
    client.force_login(agent_b)
    html = client.get(CATALOGUE, {"page": 2}).content.decode()
    nav = html[html.index('<nav aria-label="Pages de résultats">') :]
    nav = nav[: nav.index("</nav>")]
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', nav)
    assert numbers == ["1", "2", "3", "4"]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in nav
    assert "Page précédente" in nav
    assert "Page suivante" in nav
