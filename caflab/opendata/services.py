"""Generating the open-data files: each night the beat asks for a run (`generation_request`),
a worker writes every dataset as CSV and JSON into the private storage (`generation_build`, a
leased job: a worker that dies is replaced by `generation_requeue_stale`), then the stable URLs
serve the new files."""

import datetime
import hashlib
import json
import logging
import tempfile
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from caflab.core import jobs
from caflab.core.queueing import enqueue_on_commit
from caflab.core.spreadsheets import write_csv
from caflab.core.uploads import get_private_storage
from caflab.opendata import tasks
from caflab.opendata.datasets import DATASETS, LICENSE, Dataset, csv_value, json_value
from caflab.opendata.models import DatasetFile, GenerationRun

logger = logging.getLogger(__name__)

FOLDER = "donnees-ouvertes"
# Rows are written to a temporary file, in memory up to this size, on disk beyond.
SPOOL_BYTES = 8 * 1024 * 1024
# Finished runs are kept this long, as a record (their files are replaced by the next run).
KEEP_RUNS_FOR = datetime.timedelta(days=30)
CSV_DIALECT = {"delimiter": ";", "lineTerminator": "\r\n", "header": True}


def storage() -> Storage:
    """The private storage (`caflab.core.uploads`), the one settings switch to an object store
    that every web node shares; the default storage is a local MEDIA_ROOT. The files are public
    data all the same: the stable URLs stream them through Django."""
    return get_private_storage()


class Result:
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"


@transaction.atomic
def generation_request() -> GenerationRun:
    """Ask for a run (the nightly beat, the admin, the demo); a run already waiting is
    returned instead, and one whose worker stopped answering abandoned. Queued after COMMIT."""
    runs = GenerationRun.objects.all()
    jobs.abandon_stuck(runs)
    waiting = runs.in_progress().first()
    if waiting is not None:
        return waiting
    run = GenerationRun.objects.create()
    enqueue_on_commit(tasks.generate, run.pk)
    return run


@dataclass
class Written:
    slug: str
    csv_name: str
    csv_bytes: int
    csv_sha256: str
    json_name: str
    json_bytes: int
    json_sha256: str
    row_count: int


def _digest(spool: IO[bytes]) -> tuple[int, str]:
    spool.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := spool.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    spool.seek(0)
    return size, digest.hexdigest()


def write_json(stream: IO[bytes], dataset: Dataset, rows: list[dict[str, Any]]) -> None:
    """A JSON array of objects, one per row, keyed by the schema's field names."""
    stream.write(b"[")
    for index, row in enumerate(rows):
        item = {name: json_value(row.get(name)) for name in dataset.header}
        stream.write((",\n" if index else "\n").encode())
        stream.write(json.dumps(item, ensure_ascii=False).encode("utf-8"))
    stream.write(b"\n]\n")


def _store(spool: IO[bytes], slug: str, extension: str) -> tuple[str, int, str]:
    size, digest = _digest(spool)
    name = storage().save(f"{FOLDER}/{slug}/{uuid.uuid4().hex}.{extension}", File(spool))
    return name, size, digest


def write_dataset(dataset: Dataset) -> Written:
    """Write `dataset` as CSV (formula-safe, through the core's writer) and JSON into storage."""
    rows = list(dataset.rows())
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as csv_spool:
        write_csv(
            csv_spool,
            dataset.header,
            ([csv_value(row.get(name)) for name in dataset.header] for row in rows),
        )
        csv_name, csv_bytes, csv_sha = _store(csv_spool, dataset.slug, "csv")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as json_spool:
        write_json(json_spool, dataset, rows)
        json_name, json_bytes, json_sha = _store(json_spool, dataset.slug, "json")
    return Written(
        dataset.slug, csv_name, csv_bytes, csv_sha, json_name, json_bytes, json_sha, len(rows)
    )


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            storage().delete(name)
        except OSError:  # already gone: nothing to do
            logger.warning("Open data: could not delete %s.", name)


def generation_build(*, run_id: int) -> str:
    """Write every dataset. Safe to run twice: a finished run, or one a live worker holds, is
    skipped. The files are switched all at once, when the run completes; a run that lost its
    lease (another worker took it over) deletes what it wrote."""
    attempt = jobs.claim(GenerationRun, run_id)
    if attempt is None:
        return Result.SKIPPED
    written: list[Written] = []
    try:
        for index, dataset in enumerate(DATASETS, start=1):
            written.append(write_dataset(dataset))
            jobs.heartbeat(
                GenerationRun,
                run_id,
                attempt,
                progress=min(99, int(100 * index / len(DATASETS))),
                datasets_written=index,
            )
    except jobs.LeaseLost:
        logger.warning("Open data %s: attempt %s lost its lease, files dropped.", run_id, attempt)
        _delete([name for w in written for name in (w.csv_name, w.json_name)])
        return Result.SKIPPED
    except Exception as exc:
        logger.exception("Open data %s failed.", run_id)
        _delete([name for w in written for name in (w.csv_name, w.json_name)])
        jobs.fail(GenerationRun, run_id, attempt, error=type(exc).__name__)
        return Result.FAILED
    now = timezone.now()
    with transaction.atomic():
        if not jobs.complete(GenerationRun, run_id, attempt, datasets_written=len(written)):
            transaction.on_commit(
                lambda: _delete([name for w in written for name in (w.csv_name, w.json_name)])
            )
            return Result.SKIPPED
        current = {f.slug: f for f in DatasetFile.objects.select_for_update()}
        previous: list[str] = []
        for w in written:
            old = current.get(w.slug)
            if old is not None:
                previous += [old.csv_name, old.json_name]
            DatasetFile.objects.update_or_create(
                slug=w.slug,
                defaults={
                    "run_id": run_id,
                    "csv_name": w.csv_name,
                    "csv_bytes": w.csv_bytes,
                    "csv_sha256": w.csv_sha256,
                    "json_name": w.json_name,
                    "json_bytes": w.json_bytes,
                    "json_sha256": w.json_sha256,
                    "row_count": w.row_count,
                    "generated_at": now,
                },
            )
        # The old files go once the new rows are committed (a reader streaming one finishes
        # from its open handle on a local disk; an object store keeps no handle to break).
        transaction.on_commit(lambda: _delete(previous))
    return Result.READY


def generation_requeue_stale(now: datetime.datetime | None = None) -> int:
    """Queue again the runs whose worker died (lease expired) or whose message was lost."""
    return jobs.requeue_expired(GenerationRun, tasks.generate, now=now)


def nightly(now: datetime.datetime | None = None) -> GenerationRun:
    """The beat's nightly entry: old runs forgotten, a new run asked for."""
    now = now or timezone.now()
    GenerationRun.objects.filter(created_at__lte=now - KEEP_RUNS_FOR).exclude(
        status__in=jobs.WAITING
    ).delete()
    return generation_request()


# --- what the page and the stable URLs read ---------------------------------------------------


def datapackage(files: dict[str, DatasetFile], url_for: Any) -> dict[str, Any]:
    """The Data Package (specs.frictionlessdata.io) describing the current files: one resource
    per dataset and format, its schema, its licence. `url_for(slug, fmt)` gives a stable URL."""
    resources = []
    for dataset in DATASETS:
        stored = files.get(dataset.slug)
        if stored is None:
            continue
        resources.append(
            {
                "name": dataset.slug,
                "title": dataset.title,
                "description": dataset.description,
                "path": url_for(dataset.slug, "csv"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": CSV_DIALECT,
                "bytes": stored.csv_bytes,
                "hash": f"sha256:{stored.csv_sha256}",
                "schema": url_for(dataset.slug, "schema"),
                "licenses": [LICENSE],
            }
        )
        resources.append(
            {
                "name": f"{dataset.slug}-json",
                "title": f"{dataset.title} (JSON)",
                "path": url_for(dataset.slug, "json"),
                "format": "json",
                "mediatype": "application/json",
                "bytes": stored.json_bytes,
                "hash": f"sha256:{stored.json_sha256}",
                "schema": url_for(dataset.slug, "schema"),
                "licenses": [LICENSE],
            }
        )
    generated = max((f.generated_at for f in files.values()), default=None)
    return {
        "name": "caflab-donnees-ouvertes",
        "title": "CafLab : données ouvertes de l’innovation des Caf",
        "description": (
            "Ce qui est public sur CafLab (projets à fiche publique, consultations et leurs "
            "résultats publiés, restitutions, événements ouverts au public, Caf et programmes), "
            "régénéré chaque nuit. Aucune donnée personnelle."
        ),
        "licenses": [LICENSE],
        "created": json_value(generated),
        "resources": resources,
    }
