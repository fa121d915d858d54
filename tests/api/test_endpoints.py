"""The read API answers what each person sees on the site: anonymous visitors the public site,
a token's holder exactly their own scope (a Caf never sees another Caf's drafts), with cursor
pagination, the site's filters, ETag/Last-Modified and a fixed number of queries a page."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import bearer_client
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"api-v1:{name}", kwargs=kwargs or None)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row.get("code") or str(row.get("id")) for row in response.json()["results"]}


def test_anonymous_reads_the_public_sheets_only(client, api_world):
    assert codes(client.get(url("projects"))) == {"INNO-2026-900"}
    sheet = client.get(url("project", code="INNO-2026-900")).json()
    assert sheet["in_portfolio"] is False
    assert sheet["health"] is None
    assert [d["caf"]["code"] for d in sheet["deployments"]] == ["69"]
    assert client.get(url("project", code="INNO-2026-901")).status_code == 404


def test_anonymous_sees_no_network_catalogue_and_the_public_consultations(client, api_world):
    assert codes(client.get(url("initiatives"))) == set()
    assert codes(client.get(url("criees"))) == set()
    slugs = {row["slug"] for row in client.get(url("consultations")).json()["results"]}
    assert slugs == {"publique"}
    assert client.get(url("restitutions")).json()["count"] == 1


def test_a_token_answers_what_its_holder_sees(api_world, correspondent_a):
    api, _secret = bearer_client(correspondent_a)
    assert codes(api.get(url("projects"))) == {"INNO-2026-900", "INNO-2026-901", "INNO-2026-902"}
    ids = codes(api.get(url("initiatives") + "?statut=toutes"))
    assert str(api_world["initiative_draft_a"].pk) in ids
    assert str(api_world["initiative_draft_b"].pk) not in ids
    slugs = {row["slug"] for row in api.get(url("consultations")).json()["results"]}
    assert slugs == {"publique", "agents-a"}
    project = api.get(url("project", code="INNO-2026-901")).json()
    assert project["in_portfolio"] is True
    assert project["health"] == "unknown"


@pytest.mark.parametrize("persona", ["correspondent_a", "agent_a", "citizen", "anonymous"])
def test_caf_b_private_objects_are_404_through_every_endpoint(persona, api_world, request):
    if persona in ("citizen", "anonymous"):
        api = Client()
        if persona == "citizen":
            api.force_login(request.getfixturevalue("citizen"))
    else:
        api, _secret = bearer_client(request.getfixturevalue(persona))
    hidden = [
        url("project", code=api_world["draft_b"].code),
        url("initiative", pk=api_world["initiative_draft_b"].pk),
        url("consultation", pk=api_world["draft_consultation_b"].pk),
        url("consultation-results", pk=api_world["draft_consultation_b"].pk),
    ]
    for address in hidden:
        response = api.get(address)
        assert response.status_code == 404, address
        assert "detail" in response.json()
    listed = [
        (url("projects"), api_world["draft_b"].code),
        (url("initiatives") + "?statut=toutes", str(api_world["initiative_draft_b"].pk)),
        (url("consultations"), str(api_world["draft_consultation_b"].pk)),
    ]
    for address, key in listed:
        response = api.get(address)
        assert response.status_code == 200, address
        assert key not in codes(response), address


def test_cursor_pagination_walks_every_row_once_without_offset(client, caf_a):
    from tests.projects.factories import ProjectFactory

    made = {ProjectFactory(is_public=True).code for _ in range(7)}
    seen, address, pages = [], url("projects") + "?limit=3", 0
    while address:
        page = client.get(address).json()
        seen += [row["code"] for row in page["results"]]
        address, pages = page["next"], pages + 1
    assert sorted(seen) == sorted(made)
    assert pages == 3


def test_a_bad_cursor_or_limit_is_a_french_400(client, db):
    response = client.get(url("projects") + "?cursor=%%%")
    assert response.status_code == 400
    assert "Curseur" in response.json()["detail"]
    assert client.get(url("projects") + "?limit=5000").status_code == 400


def test_the_site_filters_apply(client, api_world):
    assert codes(client.get(url("projects") + "?stage=idea")) == {"INNO-2026-900"}
    assert codes(client.get(url("projects") + "?stage=prototype")) == set()
    response = client.get(url("projects") + "?stage=nimportequoi")
    assert response.status_code == 400
    assert "Filtre invalide" in response.json()["detail"]


def test_etag_and_last_modified_answer_304(client, api_world):
    first = client.get(url("projects"))
    assert first["ETag"]
    assert first["Last-Modified"]
    assert "Authorization" in first["Vary"]
    again = client.get(url("projects"), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(url("projects"), headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    api_world["public_project"].title = "Nouveau titre"
    api_world["public_project"].save()
    changed = client.get(url("projects"), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200


def test_published_results_mask_small_groups_as_the_site_does(client, api_world):
    from ecoute.models import Consultation, Response
    from tests.ecoute.factories import QuestionFactory, first_section

    consultation = api_world["consultation"]
    QuestionFactory(section=first_section(consultation), label="Votre avis ?")
    questionnaire = consultation.questionnaire
    for _ in range(6):
        Response.objects.create(questionnaire=questionnaire, audience="citizen")
    Response.objects.create(questionnaire=questionnaire, audience="agent")
    address = url("consultation-results", pk=consultation.pk)
    assert client.get(address).status_code == 404  # open: not published yet
    Consultation.objects.filter(pk=consultation.pk).update(
        status=Consultation.Status.RESULTS_PUBLISHED
    )
    body = client.get(address).json()
    groups = {g["key"]: g for g in body["by_audience"]}
    assert groups["audience:citizen"]["count"] == 6
    assert groups["audience:agent"] == {
        "key": "audience:agent",
        "label": groups["audience:agent"]["label"],
        "count": None,
        "masked": True,
    }
    small = client.get(address + "?segment=audience:agent").json()
    assert small["masked"] is True
    assert small["questions"] == []


def test_restitutions_list_their_decisions_follow_up(client, api_world):
    from ecoute.models import Decision

    Decision.objects.create(
        restitution=api_world["restitution"],
        said="Moins d'attente",
        done="Un accueil sans rendez-vous",
        project=api_world["network_project"],
    )
    (row,) = client.get(url("restitutions")).json()["results"]
    (decision,) = row["decisions"]
    assert decision["said"] == "Moins d'attente"
    # A project anonymous visitors may open neither as a page nor as a public sheet.
    assert decision["project"] is None


def test_the_network_reference_data_is_public(client, db):
    cafs = client.get(url("cafs") + "?limit=200").json()
    assert cafs["count"] == 101
    assert client.get(url("caf", code="38")).json()["name"]
    assert client.get(url("programmes")).status_code == 200


def test_openapi_description_lists_every_route(client, db):
    schema = client.get(url("openapi-json")).json()
    assert "/api/v1/projets/" in schema["paths"]
    assert schema["components"]["securitySchemes"]
    assert all(list(ops) == ["get"] for ops in schema["paths"].values())


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("projects", "project"),
        ("initiatives", "initiative"),
        ("criees", "criee"),
        ("consultations", "consultation"),
        ("restitutions", "restitution"),
    ],
)
def test_a_page_costs_the_same_queries_whatever_its_size(name, make, lab_staff, caf_b):
    from ecoute.models import Decision
    from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
    from tests.ecoute.factories import ConsultationFactory, RestitutionFactory
    from tests.projects.factories import DeploymentFactory, ProjectFactory

    def add(n: int) -> None:
        for _ in range(n):
            if make == "project":
                DeploymentFactory(project=ProjectFactory(is_public=True), caf=caf_b)
            elif make == "initiative":
                InitiativeFactory()
            elif make == "criee":
                PitchFactory(criee=CrieeFactory())
            elif make == "consultation":
                ConsultationFactory()
            else:
                restitution = RestitutionFactory()
                Decision.objects.create(restitution=restitution, said="a", done="b")

    api, _secret = bearer_client(lab_staff)
    api.get(url(name))  # the token's use is dated once a minute: not in the count
    pinned = {"projects": 9, "initiatives": 8, "consultations": 3}
    assert_flat_query_count(api, url(name), add, sizes=(3, 12), expected=pinned.get(name))


def test_the_root_points_to_the_documentation_and_every_list(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/")
    assert response.status_code == 200
    root = response.json()
    assert root["documentation"] == "http://testserver" + reverse("api:docs")
    assert root["openapi"] == "http://testserver" + url("openapi-json")
    assert root["lists"]["projets"] == "http://testserver" + url("projects")
    # Every list answers, and no detail route (with a parameter) is listed.
    assert all("{" not in link for link in root["lists"].values())
    for link in root["lists"].values():
        assert client.get(link.removeprefix("http://testserver")).status_code == 200
