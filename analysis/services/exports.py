"""Exports of the coded texts, built in the background like écoute's answer exports: a manager
asks, a row is created and a Celery task (queued after the commit) writes the file into the
private storage; only the requester can download it, while they still manage the analysis. The
task holds a lease it renews as rows are written (caflab.core.jobs): an export whose worker died
is queued again by the beat, at most JOB_MAX_ATTEMPTS times; files are purged after a week."""

import datetime
import logging
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import tasks
from analysis.exports import export_write
from analysis.models import Analysis, AnalysisExport
from caflab.accounts.models import User
from caflab.core import jobs
from caflab.core.errors import AlreadyDone
from caflab.notifications.services import notify

logger = logging.getLogger(__name__)

Status = AnalysisExport.Status
# Export files hold what people wrote (masked): they are deleted after a week.
KEEP_FILES_FOR = datetime.timedelta(days=7)
# The exports of an analysis listed on its results page (the requester's, newest first).
RECENT = 5

READY, FAILED, SKIPPED = "ready", "failed", "skipped"


@transaction.atomic
def export_request(*, analysis: Analysis, by: User, fmt: str) -> AnalysisExport:
    """Ask for an export of `analysis`'s coded texts; a double click returns the export already
    waiting. One whose worker stopped answering (lease expired) is abandoned and a fresh one
    started. Nothing is built here: the task is queued after the commit."""
    return jobs.export_request_once(
        AnalysisExport, tasks.build_export, fmt=fmt, analysis=analysis, requested_by=by
    )


def export_build(*, export_id: int) -> str:
    """Build one export file. Safe to run twice: a finished export, or one a live worker holds,
    is skipped; one whose worker died (lease expired) is claimed again, rebuilt and its file
    replaced. The lease is renewed every PROGRESS_EVERY rows."""
    attempt = jobs.claim(AnalysisExport, export_id)
    if attempt is None:
        return SKIPPED
    export = AnalysisExport.objects.select_related("analysis__consultation", "requested_by").get(
        pk=export_id
    )
    total = export.analysis.n_texts or export.analysis.texts.count()

    def on_progress(done: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        jobs.heartbeat(AnalysisExport, export_id, attempt, progress=percent, row_count=done)

    # Rows go to a temporary file (in memory up to the spool size, on disk beyond), then into
    # the private storage: a large export never sits whole in the worker's memory.
    with tempfile.SpooledTemporaryFile(max_size=settings.ECOUTE_EXPORT_SPOOL_BYTES) as spool:
        try:
            written = export_write(export.analysis, export.format, spool, on_progress=on_progress)
        except jobs.LeaseLost:
            logger.warning(
                "Analysis export %s: attempt %s lost its lease, result dropped.", export_id, attempt
            )
            return SKIPPED
        except Exception as exc:
            logger.exception("Analysis export %s failed.", export_id)
            jobs.fail(AnalysisExport, export_id, attempt, error=type(exc).__name__)
            return FAILED
        spool.seek(0)
        previous = export.file.name
        export.file.save(f"{uuid.uuid4().hex}.{export.format}", File(spool), save=False)
    if not jobs.complete(
        AnalysisExport, export_id, attempt, file=export.file.name, row_count=written
    ):
        export.file.storage.delete(export.file.name)  # another attempt owns the export now
        return SKIPPED
    if previous:
        export.file.storage.delete(previous)
    if export.requested_by is not None:
        notify(
            recipients=[export.requested_by],
            kind="analysis.export_ready",
            title=_("Votre export des textes codés de « %(title)s » est prêt")
            % {"title": export.analysis.display_title},
            url=export.get_absolute_url(),
            own_contribution=True,
        )
    return READY


def exports_requeue_stale(now: datetime.datetime | None = None) -> int:
    """Queue again the exports whose worker died (lease expired) or whose message was lost
    (queued too long); those out of attempts are marked failed and their requester told."""
    return jobs.requeue_expired(
        AnalysisExport, tasks.build_export, now=now, on_exhausted=_tell_export_failed
    )


def _tell_export_failed(export_id: int) -> None:
    export = AnalysisExport.objects.select_related("analysis__consultation", "requested_by").get(
        pk=export_id
    )
    title = _("Votre export des textes codés de « %(title)s » a échoué")
    jobs.tell_requester_failed(
        export,
        kind="analysis.export_failed",
        title=title % {"title": export.analysis.display_title},
    )


@transaction.atomic
def export_retry(*, export: AnalysisExport, by: User) -> AnalysisExport:
    """ "Relancer" on a failed export: a fresh export of the same analysis and format (the
    failed one stays, as a record)."""
    if export.status != Status.FAILED:
        raise AlreadyDone(_("Cet export n’a pas échoué : il n’y a rien à relancer."))
    return export_request(analysis=export.analysis, by=by, fmt=export.format)


def exports_purge(now: datetime.datetime | None = None) -> int:
    """Delete the exports (and their files) older than a week."""
    now = now or timezone.now()
    return jobs.purge(AnalysisExport.objects.filter(created_at__lte=now - KEEP_FILES_FOR))


def exports_erase(*, user: User) -> None:
    """The requester's exports go with their account, files included (after the commit: a
    rolled-back erasure keeps the files its rows still name)."""
    exports = AnalysisExport.objects.filter(requested_by=user)
    files = [export.file for export in exports.only("file") if export.file.name]
    exports.delete()

    def delete_files() -> None:
        for file in files:
            file.storage.delete(file.name)

    transaction.on_commit(delete_files)
