"""Exports built in the background: a manager asks, a Celery task builds the file into private
storage and tells them; only they can download it. The task holds a lease it renews as rows are
written (caflab.core.jobs): a job whose worker died is queued again within minutes by the beat,
at most JOB_MAX_ATTEMPTS times; old files are purged daily."""

import datetime
import logging
import tempfile
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.core import jobs
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.exports import export_write
from ecoute.models import ExportJob, Questionnaire
from ecoute.services.common import AlreadyDone

logger = logging.getLogger(__name__)

Status = ExportJob.Status
# Export files hold what people wrote: they are deleted after a week.
KEEP_FILES_FOR = datetime.timedelta(days=7)


class ExportResult:
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"


@transaction.atomic
def export_request(*, questionnaire: Questionnaire, by: Any, fmt: str) -> ExportJob:
    """Ask for an export of `questionnaire`'s answers; a double click returns the job already
    waiting. One whose worker stopped answering (lease expired) is abandoned and a fresh one
    started. The task is queued after the commit."""
    return jobs.export_request_once(
        ExportJob, tasks.build_export, fmt=fmt, questionnaire=questionnaire, requested_by=by
    )


def export_build(*, job_id: int) -> str:
    """Build one export file. Safe to run twice: a finished job, or one a live worker holds, is
    skipped; a job whose worker died (lease expired) is claimed again, rebuilt and its file
    replaced. The lease is renewed every PROGRESS_EVERY rows."""
    attempt = jobs.claim(ExportJob, job_id)
    if attempt is None:
        return ExportResult.SKIPPED
    job = ExportJob.objects.select_related("questionnaire", "requested_by").get(pk=job_id)
    total = job.questionnaire.responses.count()

    def on_progress(done: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        jobs.heartbeat(ExportJob, job_id, attempt, progress=percent, row_count=done)

    # Rows go to a temporary file (in memory up to 8 MB, on disk beyond), then into the private
    # storage: a large export never sits whole in the worker's memory.
    with tempfile.SpooledTemporaryFile(max_size=settings.ECOUTE_EXPORT_SPOOL_BYTES) as spool:
        try:
            export_write(job.questionnaire, job.format, spool, on_progress=on_progress)
        except jobs.LeaseLost:
            logger.warning("Export %s: attempt %s lost its lease, result dropped.", job_id, attempt)
            return ExportResult.SKIPPED
        except Exception as exc:
            logger.exception("Export %s failed.", job_id)
            jobs.fail(ExportJob, job_id, attempt, error=type(exc).__name__)
            return ExportResult.FAILED
        spool.seek(0)
        previous = job.file.name
        job.file.save(f"{uuid.uuid4().hex}.{job.format}", File(spool), save=False)
    if not jobs.complete(ExportJob, job_id, attempt, file=job.file.name, row_count=total):
        job.file.storage.delete(job.file.name)  # another attempt owns the job now
        return ExportResult.SKIPPED
    if previous:
        job.file.storage.delete(previous)
    notify(
        recipients=[job.requested_by],
        kind="ecoute.export_ready",
        title=_("Votre export des réponses à « %(title)s » est prêt")
        % {"title": job.questionnaire.title},
        url=job.get_absolute_url(),
        own_contribution=True,
    )
    return ExportResult.READY


def exports_requeue_stale(now: datetime.datetime | None = None) -> int:
    """Queue again the jobs whose worker died (lease expired) or whose message was lost (queued
    too long); those out of attempts are marked failed and their requester told."""
    return jobs.requeue_expired(
        ExportJob, tasks.build_export, now=now, on_exhausted=_tell_export_failed
    )


def _tell_export_failed(job_id: int) -> None:
    job = ExportJob.objects.select_related("questionnaire", "requested_by").get(pk=job_id)
    title = _("Votre export des réponses à « %(title)s » a échoué")
    jobs.tell_requester_failed(
        job, kind="ecoute.export_failed", title=title % {"title": job.questionnaire.title}
    )


@transaction.atomic
def export_retry(*, job: ExportJob, by: Any) -> ExportJob:
    """ "Relancer" on a failed export: a fresh job for the same questionnaire and format (the
    failed one stays, as a record)."""
    if job.status != Status.FAILED:
        raise AlreadyDone(_("Cet export n’a pas échoué : il n’y a rien à relancer."))
    return export_request(questionnaire=job.questionnaire, by=by, fmt=job.format)


def exports_purge(now: datetime.datetime | None = None) -> int:
    """Delete the export jobs (and their files) older than a week."""
    now = now or timezone.now()
    return jobs.purge(ExportJob.objects.filter(created_at__lte=now - KEEP_FILES_FOR))
