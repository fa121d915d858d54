"""The catalogue of local initiatives and "my initiatives", per persona."""

import pytest
from django.db import connection
from django.urls import reverse

from caflab.network.models import Caf, Theme
from criees.models import Initiative, Public
from tests.core.test_security import inline_code_in
from tests.criees.factories import InitiativeFactory, InterestFactory
from tests.projects.factories import DeploymentFactory, ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("criees:index")
MINE = reverse("criees:mine")
Status = Initiative.Status


def titles(response) -> set[str]:
    return {i.title for i in response.context["initiatives"]}


def get_as(client, user, url, data=None):
    client.force_login(user)
    return client.get(url, data or {})


def test_the_catalogue_lists_published_initiatives_only(client, agent_b, caf_a):
    InitiativeFactory(title="Publiée", caf=caf_a)
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        InitiativeFactory(title=status, caf=caf_a, status=status, return_comment="À revoir")
    response = get_as(client, agent_b, CATALOGUE)
    assert titles(response) == {"Publiée"}
    assert inline_code_in(response.content.decode()) == []


def test_a_caf_sees_its_own_unpublished_initiatives_with_the_status_filter(
    client, agent_a, agent_b, caf_a
):
    InitiativeFactory(title="Brouillon de l'Isère", caf=caf_a, status=Status.DRAFT)
    assert titles(get_as(client, agent_a, CATALOGUE, {"statut": "draft"})) == {
        "Brouillon de l'Isère"
    }
    assert titles(get_as(client, agent_b, CATALOGUE, {"statut": "toutes"})) == set()


def test_citizens_are_refused_and_anonymous_visitors_sent_to_login(client, citizen):
    assert get_as(client, citizen, CATALOGUE).status_code == 403
    client.logout()
    response = client.get(CATALOGUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_filters_by_theme_public_caf_and_region(client, agent_b, caf_a, caf_b):
    theme = Theme.objects.get(slug="parentalite")
    public = Public.objects.get(slug="parents-isoles")
    wanted = InitiativeFactory(title="Café des parents", caf=caf_a)
    wanted.themes.add(theme)
    wanted.publics.add(public)
    InitiativeFactory(title="Autre", caf=caf_b)
    assert titles(get_as(client, agent_b, CATALOGUE, {"theme": "parentalite"})) == {
        "Café des parents"
    }
    assert titles(get_as(client, agent_b, CATALOGUE, {"public": "parents-isoles"})) == {
        "Café des parents"
    }
    assert titles(get_as(client, agent_b, CATALOGUE, {"caf": "69"})) == {"Autre"}
    region = caf_a.region.code
    assert "Café des parents" in titles(get_as(client, agent_b, CATALOGUE, {"region": region}))


def test_taken_up_elsewhere_means_deployed_in_another_caf(client, agent_b, caf_a, caf_b):
    taken = InitiativeFactory(title="Reprise", caf=caf_a)
    taken.project = ProjectFactory(pilot_caf=caf_a)
    taken.save()
    DeploymentFactory(project=taken.project, caf=caf_b)
    only_pilot = InitiativeFactory(title="Pilote seulement", caf=caf_a)
    only_pilot.project = ProjectFactory(pilot_caf=caf_a)
    only_pilot.save()
    DeploymentFactory(project=only_pilot.project, caf=caf_a)
    InitiativeFactory(title="Jamais reprise", caf=caf_a)
    assert titles(get_as(client, agent_b, CATALOGUE, {"reprise": "oui"})) == {"Reprise"}
    assert titles(get_as(client, agent_b, CATALOGUE, {"reprise": "non"})) == {
        "Pilote seulement",
        "Jamais reprise",
    }
    html = get_as(client, agent_b, CATALOGUE).content.decode()
    assert "Déjà reprise ailleurs" in html


def test_search_finds_initiatives_by_their_words(client, agent_b, caf_a):
    InitiativeFactory(title="Covoiturage solidaire vers les accueils", caf=caf_a)
    InitiativeFactory(title="Simulateur pour étudiants", caf=caf_a)
    response = get_as(client, agent_b, CATALOGUE, {"q": "covoiturage accueils"})
    assert titles(response) == {"Covoiturage solidaire vers les accueils"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming is PostgreSQL's")
def test_search_on_postgresql_is_french_full_text(client, agent_b, caf_a):
    InitiativeFactory(title="Accompagner la famille monoparentale", caf=caf_a)
    InitiativeFactory(title="Garde d'enfants", caf=caf_a)
    response = get_as(client, agent_b, CATALOGUE, {"q": "familles monoparentales"})
    assert titles(response) == {"Accompagner la famille monoparentale"}


def test_sorting_by_most_wanted_puts_replicate_first(client, agent_b, caf_a):
    low = InitiativeFactory(title="Peu demandée", caf=caf_a)
    high = InitiativeFactory(title="Très demandée", caf=caf_a)
    InterestFactory(initiative=low, level="curious")
    InterestFactory(initiative=high, level="replicate")
    response = get_as(client, agent_b, CATALOGUE, {"tri": "interet"})
    assert [i.title for i in response.context["initiatives"]][:2] == [high.title, low.title]


def test_empty_catalogue_says_so(client, agent_b):
    html = get_as(client, agent_b, CATALOGUE).content.decode()
    assert "Aucune initiative publiée pour l’instant." in html


def test_my_initiatives_and_the_validation_queue(client, agent_a, correspondent_a, caf_a, caf_b):
    mine = InitiativeFactory(title="La mienne", caf=caf_a, created_by=agent_a, status="draft")
    InitiativeFactory(title="À valider", caf=caf_a, status=Status.SUBMITTED)
    InitiativeFactory(title="Ailleurs", caf=caf_b, status=Status.SUBMITTED)
    response = get_as(client, agent_a, MINE)
    assert [i.title for i in response.context["mine"]] == [mine.title]
    assert response.context["to_validate"] == []
    response = get_as(client, correspondent_a, MINE)
    assert [i.title for i in response.context["to_validate"]] == ["À valider"]


def _add_initiatives(caf_a):
    cafs = list(Caf.objects.order_by("position")[:5])
    themes = list(Theme.objects.all()[:3])
    publics = list(Public.objects.all()[:2])

    def add(n: int) -> None:
        for i in range(n):
            initiative = InitiativeFactory(caf=cafs[i % len(cafs)])
            initiative.themes.set(themes)
            initiative.publics.set(publics)
            InterestFactory(initiative=initiative, caf=Caf.objects.get(code="974"))

    return add


# Session and user (2), the choice lists of the filters (theme, public, Caf, region: 4), the
# count and the page (2), themes and publics (2), the next criée (1); the shell: unread
# notifications (1; the user's Caf comes with them), and Django's ModelBackend loading the
# user's (empty) permissions once, when the sub-navigation asks about the dashboard (2).
def test_the_catalogue_costs_a_fixed_number_of_queries(client, agent_b, caf_a):
    client.force_login(agent_b)
    assert_flat_query_count(client, CATALOGUE, _add_initiatives(caf_a), expected=14)


def test_my_initiatives_cost_a_fixed_number_of_queries(client, correspondent_a, caf_a):
    client.force_login(correspondent_a)

    def add(n: int) -> None:
        for _ in range(n):
            initiative = InitiativeFactory(caf=caf_a, created_by=correspondent_a)
            initiative.themes.set(Theme.objects.all()[:2])
            InitiativeFactory(caf=caf_a, status=Status.SUBMITTED)

    # Session and user, mine and its themes and publics, to validate, the shell (2) and the
    # user's permissions (2).
    assert_flat_query_count(client, MINE, add, expected=9)
