"""The cross-app search page and the header's search box: grouped results, each kind scoped
as its own app scopes it, a fixed number of queries. Runs on SQLite (icontains) and
PostgreSQL (stored vectors)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criees.models import Initiative
from ecoute.models import Consultation
from tests.criees.factories import InitiativeFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.evaluation.factories import EvaluationPlanFactory
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:results")
WORD = "covoiturage"


def search(client, user, text: str = WORD, **params):
    if user is not None:
        client.force_login(user)
    return client.get(SEARCH, {"q": text, **params})


def titles(response) -> set[str]:
    return {result.title for group in response.context["groups"] for result in group.results}


def group_keys(response) -> list[str]:
    return [group.kind.key for group in response.context["groups"]]


@pytest.fixture
def one_of_each(caf_a, lab_staff):
    """Something matching WORD in every kind, visible to the network."""
    project = ProjectFactory(title="Covoiturage vers les accueils", is_public=True)
    consultation = ConsultationFactory(title="Votre avis sur le covoiturage")
    return {
        "project": project,
        "idea": IdeaFactory(title="Covoiturage entre agents"),
        "initiative": InitiativeFactory(title="Covoiturage solidaire en Isère"),
        "consultation": consultation,
        "contribution": ContributionFactory(
            title="Un covoiturage le samedi", consultation=consultation
        ),
        "plan": EvaluationPlanFactory(project=project),
    }


def test_results_are_grouped_by_kind_with_a_count_and_a_heading(client, agent_a, one_of_each):
    response = search(client, agent_a)
    assert response.status_code == 200
    assert group_keys(response) == [
        "projets",
        "idees",
        "initiatives",
        "consultations",
        "contributions",
        "evaluations",
    ]
    assert all(group.total >= 1 for group in response.context["groups"])
    html = response.content.decode()
    for heading in ("Projets", "Idées", "Initiatives", "Consultations", "Contributions"):
        assert re.search(rf'<h2 class="h4" id="groupe-[a-z]+">{heading} <span', html)
    assert 'role="status"' in html
    # Every result links to its own page.
    assert one_of_each["idea"].get_absolute_url() in html
    assert one_of_each["contribution"].get_absolute_url() in html
    assert reverse("evaluation:plan", kwargs={"code": one_of_each["project"].code}) in html


def test_a_draft_project_of_another_team_never_appears(client, agent_a, agent_b, lab_staff):
    draft = ProjectFactory(title="Covoiturage confidentiel", is_draft=True, lead=agent_a)
    assert draft.title not in titles(search(client, agent_b))
    assert draft.title in titles(search(client, agent_a))  # its own lead
    assert draft.title in titles(search(client, lab_staff))


def test_another_cafs_unpublished_initiative_never_appears(client, agent_a, agent_b, caf_a):
    initiative = InitiativeFactory(
        title="Covoiturage en préparation", status=Initiative.Status.DRAFT
    )
    assert initiative.caf == caf_a
    assert initiative.title not in titles(search(client, agent_b))
    assert initiative.title in titles(search(client, agent_a))


@pytest.mark.parametrize("persona", ["citizen", "anonymous"], indirect=True)
def test_citizens_and_visitors_see_only_public_things(client, persona, one_of_each, lab_staff):
    internal = ConsultationFactory(
        title="Covoiturage : avis des agents", access=Consultation.Access.AGENTS
    )
    private_project = ProjectFactory(title="Covoiturage interne")  # not public
    response = search(client, persona)
    found = titles(response)
    # No idea, initiative or evaluation group at all: those are internal.
    assert group_keys(response) == ["projets", "consultations", "contributions"]
    assert one_of_each["idea"].title not in found
    assert internal.title not in found
    assert private_project.title not in found
    assert one_of_each["consultation"].title in found
    assert one_of_each["contribution"].title in found
    # The public project sheet, not the internal project page.
    assert one_of_each["project"].title in found
    sheet = reverse("projects:public-sheet", kwargs={"code": one_of_each["project"].code})
    assert sheet in response.content.decode()


def test_each_group_is_capped_with_a_link_to_the_whole_list(client, agent_a):
    for k in range(7):
        IdeaFactory(title=f"Covoiturage n°{k}")
    response = search(client, agent_a)
    ideas = next(g for g in response.context["groups"] if g.kind.key == "idees")
    assert ideas.total == 7
    assert len(ideas.results) == 5
    assert ideas.more_url == f"{reverse('ideas:idea-list')}?q={WORD}"
    assert "Voir les 7 résultats" in response.content.decode()


def test_one_kind_page_by_page(client, agent_a, one_of_each):
    for k in range(3):
        ContributionFactory(title=f"Covoiturage n°{k}", consultation=one_of_each["consultation"])
    response = search(client, agent_a, type="contributions")
    assert response.context["page_obj"].paginator.count == 4
    assert len(response.context["results"]) == 4
    assert "groups" not in response.context


def test_a_kind_the_user_may_not_see_falls_back_to_every_group(client, citizen, one_of_each):
    response = search(client, citizen, type="idees")
    assert "idees" not in group_keys(response)
    assert one_of_each["idea"].title not in response.content.decode()


def test_an_empty_query_searches_nothing(client, agent_a, django_assert_max_num_queries):
    client.force_login(agent_a)
    with django_assert_max_num_queries(4):
        response = client.get(SEARCH, {"q": "   "})
    assert response.status_code == 200
    assert "groups" not in response.context


def test_the_search_page_costs_a_fixed_number_of_queries(client, agent_a, caf_b):
    """Session, user, the header's unread count, and the results: on PostgreSQL one
    statement for every kind (each kind's first rows and total), elsewhere one query per kind;
    the same with 3 or 30 matches of each kind."""
    consultation = ConsultationFactory(title="Covoiturage")

    def add(n: int) -> None:
        for k in range(n):
            project = ProjectFactory(title=f"Covoiturage n°{k}")
            IdeaFactory(title=f"Covoiturage n°{k}")
            InitiativeFactory(title=f"Covoiturage n°{k}", caf=caf_b)
            ContributionFactory(title=f"Covoiturage n°{k}", consultation=consultation)
            EvaluationPlanFactory(project=project)

    client.force_login(agent_a)
    expected = 4 if connection.vendor == "postgresql" else 9
    assert_flat_query_count(client, f"{SEARCH}?q={WORD}", add, expected=expected)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "core:home"),
        ("citizen", "core:home"),
        ("agent_a", "core:home"),
        ("agent_a", "ideas:idea-list"),
        ("lab_staff", "projects:index"),
        ("agent_a", "search:results"),
    ],
    indirect=["persona"],
)
def test_the_header_has_the_search_box_on_every_page(client, persona, url):
    if persona is not None:
        client.force_login(persona)
    html = client.get(reverse(url)).content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    form = re.search(r'<form class="site-search"[^>]*>', header).group(0)
    assert f'action="{SEARCH}"' in form
    assert 'role="search"' in form
    assert 'aria-label="Recherche dans tout CafLab"' in form
    assert '<label class="visually-hidden" for="site-search-q">' in header
    assert 'name="q" id="site-search-q"' in header


def test_a_query_that_matches_nothing_costs_one_more_statement_for_every_kind(
    client, agent_a, one_of_each
):
    """On PostgreSQL the kinds without a full-text hit are searched again by trigram similarity
    of their titles (typo tolerance), all in one more statement; SQLite has no second try."""
    client.force_login(agent_a)
    expected = 5 if connection.vendor == "postgresql" else 9
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(SEARCH, {"q": "zzyzx"})
    assert response.context["total"] == 0
    assert len(ctx.captured_queries) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance is PostgreSQL's")
def test_a_typo_finds_every_kind_in_one_more_statement_with_their_links(
    client, agent_a, one_of_each
):
    """The kinds the full text missed are searched by trigram similarity together, and each
    result still reads as on the full-text page: its title, its link and its details."""
    client.force_login(agent_a)
    with CaptureQueriesContext(connection) as every_kind_hit:
        client.get(SEARCH, {"q": "covoiturage"})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(SEARCH, {"q": "covoitrage"})
    assert len(ctx.captured_queries) == len(every_kind_hit.captured_queries) + 1
    results = {group.kind.key: group.results for group in response.context["groups"]}
    idea, initiative = one_of_each["idea"], one_of_each["initiative"]
    assert [r.url for r in results["idees"]] == [idea.get_absolute_url()]
    assert results["idees"][0].meta == [idea.get_status_display(), idea.caf.name]
    assert [r.url for r in results["initiatives"]] == [initiative.get_absolute_url()]
    assert results["initiatives"][0].meta[0] == initiative.caf.name
    contribution = one_of_each["contribution"]
    assert [r.url for r in results["contributions"]] == [contribution.get_absolute_url()]
    assert results["contributions"][0].meta[0] == one_of_each["consultation"].title


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not rank")
def test_each_group_keeps_the_best_ranked_first(client, agent_a):
    """Within a kind, the rows come in the kind's own order (the best match first), whatever
    order the statement returns the kinds in."""
    # Neither the first nor the last written: only its rank puts it first.
    others = [IdeaFactory(title="Une idée sur le covoiturage n°1")]
    best = IdeaFactory(title="Covoiturage : covoiturage pour le covoiturage")
    others += [IdeaFactory(title=f"Une idée sur le covoiturage n°{k}") for k in (2, 3)]
    response = search(client, agent_a)
    ideas = next(g for g in response.context["groups"] if g.kind.key == "idees")
    assert ideas.total == 4
    assert ideas.results[0].url == best.get_absolute_url()
    assert {r.url for r in ideas.results[1:]} == {i.get_absolute_url() for i in others}
