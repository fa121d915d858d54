"""The open-data page and its stable URLs: anyone may read them, signed in or not; before the
first run the page says so and the files are 404; afterwards each URL serves the latest file
with its ETag and Last-Modified (a 304 when unchanged); the page costs the same number of
queries whatever the data."""

import json

import pytest
from django.urls import reverse

from caflab.opendata import services
from caflab.opendata.datasets import DATASETS
from caflab.opendata.models import DatasetFile, GenerationRun
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

INDEX = reverse("opendata:index")


def generate_now() -> None:
    run = GenerationRun.objects.create()
    assert services.generation_build(run_id=run.pk) == services.Result.READY


def test_before_the_first_run_the_page_says_so_and_files_are_404(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "Les fichiers n’ont pas encore été générés" in response.content.decode()
    assert client.get(reverse("opendata:csv", kwargs={"slug": "projets"})).status_code == 404
    assert client.get(reverse("opendata:json", kwargs={"slug": "projets"})).status_code == 404
    # The schema is the code's: readable at once.
    schema = client.get(reverse("opendata:schema", kwargs={"slug": "projets"}))
    assert schema.status_code == 200
    assert schema.json()["primaryKey"] == ["code"]


def test_the_page_lists_every_dataset_with_its_schema_size_date_and_licence(public_world, client):
    generate_now()
    page = client.get(INDEX).content.decode()
    for dataset in DATASETS:
        assert dataset.title.replace("’", "&#x27;") in page or dataset.title in page
        assert reverse("opendata:csv", kwargs={"slug": dataset.slug}) in page
        assert reverse("opendata:schema", kwargs={"slug": dataset.slug}) in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "Dernière génération" in page


def test_a_stable_url_serves_the_latest_file_with_its_etag_and_a_304_when_unchanged(
    public_world, client
):
    generate_now()
    url = reverse("opendata:csv", kwargs={"slug": "projets"})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content)
    assert public_world["public_project"].code.encode() in body
    etag = response["ETag"]
    assert etag == f'"{DatasetFile.objects.get(slug="projets").csv_sha256}"'
    assert "Last-Modified" in response
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The next night's file has another digest: the same URL serves it.
    public_world["public_project"].title = "Rendez-vous des droits, version 2"
    public_world["public_project"].save(update_fields=["title"])
    generate_now()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert b"version 2" in b"".join(again.streaming_content)


def test_the_json_and_the_datapackage(public_world, client):
    generate_now()
    rows = json.loads(
        b"".join(client.get(reverse("opendata:json", kwargs={"slug": "projets"})).streaming_content)
    )
    assert [row["code"] for row in rows] == [public_world["public_project"].code]
    package = client.get(reverse("opendata:datapackage")).json()
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert {r["name"] for r in package["resources"]} >= {"projets", "projets-json"}
    csv = next(r for r in package["resources"] if r["name"] == "projets")
    assert csv["path"].endswith("/donnees-ouvertes/projets.csv")
    assert csv["dialect"]["delimiter"] == ";"


def test_an_unknown_dataset_is_404(client):
    assert client.get(reverse("opendata:csv", kwargs={"slug": "comptes"})).status_code == 404
    assert client.get(reverse("opendata:schema", kwargs={"slug": "comptes"})).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_data(client, agent_a):
    def add_projects(n: int) -> None:
        for _ in range(n):
            ProjectFactory(is_public=True)
        generate_now()

    assert_flat_query_count(client, INDEX, add_projects, expected=1)
    client.force_login(agent_a)
    assert_flat_query_count(client, INDEX, add_projects, expected=4)
