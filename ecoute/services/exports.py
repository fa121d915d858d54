"""Exports built in the background: a manager asks, a Celery task builds the file into private
storage and tells them; only they can download it. Stale jobs are queued again and old files
purged by periodic tasks."""

import datetime
import logging
import tempfile
import uuid
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.notifications.queueing import enqueue, enqueue_on_commit
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.exports import export_write
from ecoute.models import ExportJob, Questionnaire

logger = logging.getLogger(__name__)

Status = ExportJob.Status
# A queued job nobody started after this long lost its message (broker outage): queue it again.
QUEUED_STALE_AFTER = datetime.timedelta(minutes=5)
# A running job silent for this long lost its worker: build it again.
RUNNING_STALE_AFTER = datetime.timedelta(hours=1)
# Export files hold what people wrote: they are deleted after a week.
KEEP_FILES_FOR = datetime.timedelta(days=7)
# Beyond this size, an export being built spills from memory to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class ExportResult:
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"


@transaction.atomic
def export_request(*, questionnaire: Questionnaire, by: Any, fmt: str) -> ExportJob:
    """Ask for an export of `questionnaire`'s answers; a double click returns the job already
    waiting. The task is queued after the commit."""
    if fmt not in ExportJob.Format.values:
        raise ValueError(f"Unknown export format {fmt!r}.")
    waiting = ExportJob.objects.filter(
        questionnaire=questionnaire,
        requested_by=by,
        format=fmt,
        status__in=[Status.QUEUED, Status.RUNNING],
    ).first()
    if waiting is not None:
        return waiting
    job = ExportJob.objects.create(questionnaire=questionnaire, requested_by=by, format=fmt)
    enqueue_on_commit(tasks.build_export, job.pk)
    return job


def export_build(*, job_id: int) -> str:
    """Build one export file. Safe to run twice: a finished job is skipped; a job claimed again
    (a redelivered message) is rebuilt and its file replaced."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.RUNNING, started_at=now, progress=0, updated_at=now)
    if not claimed:
        return ExportResult.SKIPPED
    job = ExportJob.objects.select_related("questionnaire", "requested_by").get(pk=job_id)
    total = job.questionnaire.responses.count()

    def on_progress(done: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        ExportJob.objects.filter(pk=job_id).update(
            progress=percent, row_count=done, updated_at=timezone.now()
        )

    # Rows go to a temporary file (in memory up to 8 MB, on disk beyond), then into the private
    # storage: a large export never sits whole in the worker's memory.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        try:
            export_write(job.questionnaire, job.format, spool, on_progress=on_progress)
        except Exception as exc:
            logger.exception("Export %s failed.", job_id)
            ExportJob.objects.filter(pk=job_id).update(
                status=Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
            )
            return ExportResult.FAILED
        spool.seek(0)
        previous = job.file.name
        job.file.save(f"{uuid.uuid4().hex}.{job.format}", File(spool), save=False)
    job.status = Status.READY
    job.progress = 100
    job.row_count = total
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "row_count", "finished_at", "updated_at"])
    if previous:
        job.file.storage.delete(previous)
    notify(
        recipients=[job.requested_by],
        kind="ecoute.export_ready",
        title=_("Votre export des réponses à « %(title)s » est prêt")
        % {"title": job.questionnaire.title},
        url=job.get_absolute_url(),
        own_contribution=True,
    )
    return ExportResult.READY


def exports_requeue_stale(now: datetime.datetime | None = None) -> int:
    """Queue again the jobs whose message was lost (queued too long) or whose worker died
    (running and silent too long). Stops at the first broker error."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        status=Status.QUEUED, updated_at__lte=now - QUEUED_STALE_AFTER
    ) | ExportJob.objects.filter(status=Status.RUNNING, updated_at__lte=now - RUNNING_STALE_AFTER)
    queued = 0
    for job_id in stale.order_by("created_at").values_list("pk", flat=True)[:100]:
        if not enqueue(tasks.build_export, job_id):
            break
        ExportJob.objects.filter(pk=job_id).update(updated_at=now)
        queued += 1
    return queued


def exports_purge(now: datetime.datetime | None = None) -> int:
    """Delete the export jobs (and their files) older than a week."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(created_at__lte=now - KEEP_FILES_FOR)
    purged = 0
    for job in old.iterator():
        if job.file.name:
            job.file.storage.delete(job.file.name)
        job.delete()
        purged += 1
    return purged
