"""The open-data files: each validates against its own Table Schema (checked with frictionless,
the reference implementation of the format), holds what is public and nothing else (no draft,
no private item, no unpublished contribution, no free-text answer, no name nor e-mail), is
formula-safe, and is written by the task into the private storage, whose second run replaces
the files. Initiatives and criées, shown to the network's members only, are in none."""

import datetime
import json

import pytest
from django.utils import timezone
from frictionless import Resource, Schema, formats

from caflab.core.uploads import get_private_storage
from caflab.opendata import services
from caflab.opendata.datasets import BY_SLUG, DATASETS
from caflab.opendata.models import DatasetFile, GenerationRun
from tests.opendata.world import SECRETS

pytestmark = pytest.mark.django_db


def read(name: str) -> bytes:
    with get_private_storage().open(name, "rb") as handle:
        return handle.read()


def generate(django_capture_on_commit_callbacks) -> GenerationRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.generation_request()
    run.refresh_from_db()
    return run


def csv_report(stored: DatasetFile, tmp_path):
    path = tmp_path / f"{stored.slug}.csv"
    path.write_bytes(read(stored.csv_name))
    schema = Schema.from_descriptor(BY_SLUG[stored.slug].schema())
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=schema,
        encoding="utf-8-sig",
        control=formats.CsvControl(delimiter=";"),
    )
    return resource.validate()


def json_report(stored: DatasetFile):
    rows = json.loads(read(stored.json_name))
    schema = Schema.from_descriptor(BY_SLUG[stored.slug].schema())
    header = [field.name for field in schema.fields]
    data = [header] + [[row[name] for name in header] for row in rows]
    return Resource(data=data, schema=schema).validate()


def test_the_task_writes_every_dataset_and_each_file_validates_against_its_schema(
    public_world, tasks_run, django_capture_on_commit_callbacks, tmp_path
):
    run = generate(django_capture_on_commit_callbacks)
    assert tasks_run.count("generate") == 1
    assert run.status == GenerationRun.Status.READY
    assert run.datasets_written == len(DATASETS)
    files = {f.slug: f for f in DatasetFile.objects.all()}
    assert set(files) == {d.slug for d in DATASETS}
    for stored in files.values():
        report = csv_report(stored, tmp_path)
        assert report.valid, (stored.slug, report.flatten(["rowNumber", "fieldName", "note"]))
        report = json_report(stored)
        assert report.valid, (stored.slug, report.flatten(["rowNumber", "fieldName", "note"]))
        assert stored.row_count > 0, stored.slug


def test_only_public_items_are_published(public_world, django_capture_on_commit_callbacks):
    generate(django_capture_on_commit_callbacks)
    files = {f.slug: f for f in DatasetFile.objects.all()}

    def rows(slug: str) -> list[dict]:
        return json.loads(read(files[slug].json_name))

    assert [p["code"] for p in rows("projets")] == [public_world["public_project"].code]
    assert [d["projet_code"] for d in rows("deploiements")] == [public_world["public_project"].code]
    assert sorted(c["identifiant"] for c in rows("consultations")) == sorted(
        [public_world["consultation"].slug, public_world["small"].slug]
    )
    assert {r["consultation"] for r in rows("resultats-consultations")} == {
        public_world["consultation"].slug
    }
    assert [r["consultation"] for r in rows("restitutions")] == [public_world["consultation"].slug]
    assert len(rows("decisions")) == 1
    assert [e["id"] for e in rows("evenements")] == [public_world["public_event"].pk]


def test_initiatives_and_criees_are_not_open_data(public_world, django_capture_on_commit_callbacks):
    # Even published, the site shows them to the network's members only.
    assert not {"initiatives", "criees"} & {d.slug for d in DATASETS}
    generate(django_capture_on_commit_callbacks)
    assert not DatasetFile.objects.filter(slug__in=["initiatives", "criees"]).exists()
    published = public_world["initiative"]
    assert published.status == "published"
    for stored in DatasetFile.objects.all():
        for name in (stored.csv_name, stored.json_name):
            text = read(name).decode("utf-8-sig")
            assert published.title not in text, stored.slug
            assert published.summary not in text, stored.slug
            assert public_world["criee"].title not in text, stored.slug


def test_no_personal_datum_nor_unpublished_text_is_in_any_file(
    public_world, django_capture_on_commit_callbacks
):
    generate(django_capture_on_commit_callbacks)
    people = public_world["people"]
    for stored in DatasetFile.objects.all():
        for name in (stored.csv_name, stored.json_name):
            text = read(name).decode("utf-8-sig")
            for secret in SECRETS:
                assert secret not in text, (stored.slug, secret)
            for person in people:
                assert person.email not in text, (stored.slug, person.email)
                assert person.last_name not in text, (stored.slug, person.last_name)
            assert "@" not in text, stored.slug


def test_aggregate_results_follow_the_small_group_rule(
    public_world, django_capture_on_commit_callbacks
):
    generate(django_capture_on_commit_callbacks)
    stored = DatasetFile.objects.get(slug="resultats-consultations")
    rows = json.loads(read(stored.json_name))
    # Free texts are never published: no long-text question, only the count of "other".
    assert {r["type_question"] for r in rows} == {"single_choice", "multiple_choice", "scale"}
    yes = next(r for r in rows if r["reponse"] == "Oui")
    assert (yes["nombre"], yes["part_pourcent"], yes["repondants_consultation"]) == (6, 100.0, 6)
    # The small consultation (4 responses, results published) publishes nothing.
    assert public_world["small"].slug not in {r["consultation"] for r in rows}


def test_a_cell_that_looks_like_a_formula_is_quoted_in_the_csv(
    public_world, django_capture_on_commit_callbacks
):
    project = public_world["public_project"]
    project.title = '=HYPERLINK("http://evil.example","clic")'
    project.save(update_fields=["title"])
    generate(django_capture_on_commit_callbacks)
    stored = DatasetFile.objects.get(slug="projets")
    text = read(stored.csv_name).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert json.loads(read(stored.json_name))[0]["titre"].startswith("=HYPERLINK")


def test_a_second_run_replaces_the_files_and_deletes_the_old_ones(
    public_world, django_capture_on_commit_callbacks
):
    generate(django_capture_on_commit_callbacks)
    first = DatasetFile.objects.get(slug="projets")
    generate(django_capture_on_commit_callbacks)
    second = DatasetFile.objects.get(slug="projets")
    assert second.csv_name != first.csv_name
    assert not get_private_storage().exists(first.csv_name)
    assert get_private_storage().exists(second.csv_name)
    assert GenerationRun.objects.filter(status="ready").count() == 2


def test_a_run_already_waiting_is_returned_instead_of_a_second_one(published_tasks):
    first = services.generation_request()
    assert services.generation_request() == first
    assert GenerationRun.objects.count() == 1


def test_a_run_whose_worker_died_is_queued_again(published_tasks):
    run = GenerationRun.objects.create(
        status="running", attempts=1, lease_expires_at=timezone.now() - datetime.timedelta(1)
    )
    assert services.generation_requeue_stale() == 1
    assert [args for name, args in published_tasks.messages] == [(run.pk,)]


def test_a_finished_run_is_skipped_when_its_message_comes_again(public_world):
    run = GenerationRun.objects.create(status="ready")
    assert services.generation_build(run_id=run.pk) == services.Result.SKIPPED
    assert not DatasetFile.objects.exists()


def test_the_nightly_task_forgets_old_runs(published_tasks):
    old = GenerationRun.objects.create(status="ready")
    GenerationRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    run = services.nightly()
    assert list(GenerationRun.objects.all()) == [run]
