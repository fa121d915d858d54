"""A real Celery worker, in its own process, writes the open-data files of a run queued after
the commit (as the nightly beat entry asks for one), into the storage the web nodes read
(here a directory shared with the test), and the stable URL serves them.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab_opendata \
    .venv/bin/pytest -m real_broker tests/opendata/test_worker.py
"""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import reverse

from caflab.opendata import services
from caflab.opendata.datasets import DATASETS
from caflab.opendata.models import DatasetFile, GenerationRun
from tests.faults.servers import Workers, celery_workers, requires_broker, wait_until
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.real_broker, requires_broker]


@pytest.fixture
def opendata_worker(tmp_path, settings) -> Iterator[Workers]:
    # The private storage, a directory shared with the worker (celery_workers sets it).
    with celery_workers(tmp_path, settings, ["caflab.opendata.tasks.*"], pool="solo") as workers:
        workers.start("opendata")
        yield workers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_writes_the_files_of_the_nightly_run(opendata_worker, client):
    project = ProjectFactory(is_public=True, title="Rendez-vous des droits")
    with transaction.atomic():
        services.generation_request()

    def ready() -> bool:
        return GenerationRun.objects.filter(status=GenerationRun.Status.READY).exists()

    wait_until(ready, "the open-data run to be ready", opendata_worker.logs)
    assert DatasetFile.objects.count() == len(DATASETS)
    response = client.get(reverse("opendata:csv", kwargs={"slug": "projets"}))
    assert response.status_code == 200
    assert project.code.encode() in b"".join(response.streaming_content)
