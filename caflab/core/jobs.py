"""Durable background jobs with a result (answer exports, impact reports): one lease mechanism.

A job is a row with `status` and `error` (each model declares its own: their labels and sizes
differ) plus what `LeasedJob` declares for every job: `progress`, `started_at`, `finished_at`
and the lease (`attempts`, `lease_expires_at`). The worker *claims* the row (running,
`attempts` + 1, a lease of `JOB_LEASE_SECONDS`) and renews the lease at each progress step
(`heartbeat`). A worker killed mid-job (SIGKILL, OOM, a lost host) stops renewing: once the
lease has expired, the periodic `requeue_expired` queues the job again, up to
`JOB_MAX_ATTEMPTS` claims; past them the job is marked failed with a French message and the
page offers "Relancer", which asks for a fresh job.

The attempt number returned by `claim` is a fencing token: a worker that lost its lease (it was
paused longer than the lease, another worker took the job over) finds its heartbeat refused
(`LeaseLost`) and its result discarded, so two workers never both finish one job.

The broker's own redelivery (`acks_late`, `reject_on_worker_lost`, Redis' visibility timeout of
an hour) stays a second line: a redelivered message for a job whose lease is live is skipped.
"""

import datetime
import logging
import time
from collections.abc import Callable
from typing import Any

from celery import Task
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The status values every job model shares (each keeps its own labelled TextChoices).
QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
WAITING = (QUEUED, RUNNING)
# A queued job nobody started after this long lost its message (broker outage): queue it again.
QUEUED_STALE_AFTER = datetime.timedelta(minutes=5)


class LeaseLost(Exception):
    """The worker no longer holds the job: another attempt took it over, or it was abandoned."""


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def max_attempts() -> int:
    return settings.JOB_MAX_ATTEMPTS


def exhausted_message(attempts: int) -> str:
    return str(
        _(
            "Le traitement a été interrompu %(n)s fois (le serveur qui s’en chargeait s’est "
            "arrêté) ; relancez-le."
        )
        % {"n": attempts}
    )


def abandoned_message() -> str:
    return str(_("Le traitement ne répondait plus ; une nouvelle demande l’a remplacé."))


class JobQuerySet(models.QuerySet):
    def lease_expired(self, now: datetime.datetime | None = None) -> "JobQuerySet":
        """Running jobs whose worker stopped renewing the lease (a row from before leases
        existed has none: it counts as expired)."""
        now = now or timezone.now()
        return self.filter(status=RUNNING).filter(
            Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True)
        )

    def in_progress(self, now: datetime.datetime | None = None) -> "JobQuerySet":
        """Queued, or running under a live lease: what a second request should wait for."""
        now = now or timezone.now()
        return self.filter(Q(status=QUEUED) | Q(status=RUNNING, lease_expires_at__gt=now))


class LeasedJob(models.Model):
    """The columns every durable job shares, with its lease (see the module's docstring).

    A subclass declares `status` (a CharField over its own labelled `Status` choices, with the
    values above) and `error`, and inherits `objects` unless it needs a JobQuerySet subclass."""

    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("tentatives"),
        default=0,
        help_text=_("Nombre de fois où un travailleur a commencé ce traitement."),
    )
    lease_expires_at = models.DateTimeField(
        _("bail jusqu’au"),
        null=True,
        blank=True,
        help_text=_(
            "Le travailleur le repousse à chaque étape ; passé ce moment sans nouvelle, "
            "le traitement est relancé."
        ),
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (READY, FAILED)

    @property
    def is_stuck(self) -> bool:
        """Running, but its worker has stopped renewing the lease."""
        return self.status == RUNNING and (
            self.lease_expires_at is None or self.lease_expires_at <= timezone.now()
        )


class SpreadsheetExport(LeasedJob):
    """A leased job whose result is a CSV or XLSX file in the private storage, downloadable by
    its requester only (answers, coded texts): the format, the status, the rows written and the
    error. The concrete model adds what it exports, its requester, the `file` (its own folder)
    and its Meta."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class Status(models.TextChoices):
        QUEUED = QUEUED, _("En attente")
        RUNNING = RUNNING, _("En cours")
        READY = READY, _("Prêt")
        FAILED = FAILED, _("Échec")

    format = models.CharField(_("format"), max_length=4, choices=Format)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(_("lignes"), default=0)
    error = models.CharField(_("erreur"), max_length=200, blank=True)

    class Meta:
        abstract = True


def export_request_once(
    model: type[SpreadsheetExport], task: Task, *, fmt: str, **what: Any
) -> Any:
    """Ask for an export (`what`: what it exports and who asks); a double click returns the job
    already waiting. One whose worker stopped answering (lease expired) is abandoned and a fresh
    one started. Nothing is built here: `task` is queued with the job's id after the commit.
    Call it inside the caller's transaction."""
    from caflab.core.queueing import enqueue_on_commit

    if fmt not in model.Format.values:
        raise ValueError(f"Unknown export format {fmt!r}.")
    mine = model.objects.filter(format=fmt, **what)
    abandon_stuck(mine)
    waiting = mine.in_progress().first()
    if waiting is not None:
        return waiting
    job = model.objects.create(format=fmt, **what)
    enqueue_on_commit(task, job.pk)
    return job


def tell_requester_failed(job: Any, *, kind: str, title: str) -> None:
    """A job out of attempts: its requester (if their account still exists) hears it failed,
    with the error, at once and whatever their preferences (their own request)."""
    from caflab.notifications.services import notify

    if job.requested_by_id is None:
        return
    notify(
        recipients=[job.requested_by],
        kind=kind,
        title=title,
        body=job.error,
        url=job.get_absolute_url(),
        own_contribution=True,
    )


def claim(model: type[LeasedJob], pk: int, *, progress: int = 0) -> int | None:
    """Take job `pk` for this worker: queued, or running under an expired lease, and not past
    its attempts. Returns the attempt number (the fencing token of the other calls), or None
    when the job is finished, held by a live worker, or has just been marked failed."""
    now = timezone.now()
    live = model.objects.filter(pk=pk, attempts__lt=max_attempts()).filter(
        Q(status=QUEUED)
        | Q(status=RUNNING, lease_expires_at__lte=now)
        | Q(status=RUNNING, lease_expires_at__isnull=True)
    )
    with transaction.atomic():
        claimed = live.update(
            status=RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + lease_duration(),
            started_at=now,
            finished_at=None,
            progress=progress,
            updated_at=now,
        )
        if claimed:
            return model.objects.filter(pk=pk).values_list("attempts", flat=True).get()
    # Redelivered after the last attempt expired: fail it here rather than wait for the beat.
    _fail_exhausted(model, model.objects.filter(pk=pk).lease_expired(now))
    return None


def heartbeat(model: type[LeasedJob], pk: int, attempt: int, **fields: Any) -> None:
    """Renew the lease of attempt `attempt` and save its progress `fields` (`progress=40`…).
    Raises LeaseLost when the job is no longer this attempt's."""
    now = timezone.now()
    renewed = model.objects.filter(pk=pk, status=RUNNING, attempts=attempt).update(
        lease_expires_at=now + lease_duration(), updated_at=now, **fields
    )
    if not renewed:
        raise LeaseLost(f"{model.__name__} {pk}: attempt {attempt} lost its lease")
    pause = settings.JOB_TEST_PAUSE_SECONDS
    if pause:  # tests only: holds the job mid-way so that a test can kill its worker
        time.sleep(pause)


def complete(model: type[LeasedJob], pk: int, attempt: int, **fields: Any) -> bool:
    """Mark attempt `attempt` ready with its result `fields`; False (nothing written) when the
    job is no longer this attempt's: the caller discards what it built."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk, status=RUNNING, attempts=attempt).update(
            status=READY,
            progress=100,
            lease_expires_at=None,
            finished_at=now,
            updated_at=now,
            **fields,
        )
    )


def fail(model: type[LeasedJob], pk: int, attempt: int, *, error: str) -> bool:
    """Mark attempt `attempt` failed (an error in the job itself: no retry)."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk, status=RUNNING, attempts=attempt).update(
            status=FAILED, error=error, lease_expires_at=None, finished_at=now, updated_at=now
        )
    )


def _fail_exhausted(model: type[LeasedJob], expired: JobQuerySet) -> list[int]:
    """Mark failed the jobs of `expired` that used all their attempts; their ids."""
    now = timezone.now()
    failed = []
    for pk, attempts in expired.filter(attempts__gte=max_attempts()).values_list("pk", "attempts"):
        # Conditional on the lease still being expired: a late heartbeat wins.
        if (
            model.objects.filter(pk=pk)
            .lease_expired(now)
            .update(
                status=FAILED,
                error=exhausted_message(attempts),
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            )
        ):
            logger.warning(
                "%s %s failed after %s interrupted attempts.", model.__name__, pk, attempts
            )
            failed.append(pk)
    return failed


def requeue_expired(
    model: type[LeasedJob],
    task: Task,
    *,
    now: datetime.datetime | None = None,
    limit: int = 100,
    on_exhausted: Callable[[int], None] | None = None,
) -> int:
    """Run by the beat: queue again the jobs whose worker died (lease expired, attempts left)
    or whose message was lost (queued too long); mark failed those out of attempts (and call
    `on_exhausted(pk)` for each, to tell the requester). Stops at the first broker error.
    Returns how many were queued."""
    from caflab.core.queueing import enqueue

    now = now or timezone.now()
    for pk in _fail_exhausted(model, model.objects.lease_expired(now)):
        if on_exhausted is not None:
            on_exhausted(pk)
    # Expired leases go back to "queued" (conditionally: a late heartbeat wins); if the broker
    # is down the job stays queued and the stale-queued branch picks it up next time.
    expired = model.objects.lease_expired(now).filter(attempts__lt=max_attempts())
    expired_ids = list(expired.order_by("created_at").values_list("pk", flat=True)[:limit])
    requeued = set()
    for pk in expired_ids:
        if (
            model.objects.filter(pk=pk)
            .lease_expired(now)
            .update(status=QUEUED, lease_expires_at=None, updated_at=now)
        ):
            requeued.add(pk)
    stale = model.objects.filter(status=QUEUED).filter(
        Q(pk__in=requeued) | Q(updated_at__lte=now - QUEUED_STALE_AFTER)
    )
    queued = 0
    for pk in stale.order_by("created_at").values_list("pk", flat=True)[:limit]:
        if not enqueue(task, pk):
            break
        if pk not in requeued:
            model.objects.filter(pk=pk, status=QUEUED).update(updated_at=now)
        queued += 1
    return queued


def abandon_stuck(jobs: JobQuerySet) -> int:
    """Mark failed the running jobs of `jobs` whose lease expired (a new request replaces
    them); the number abandoned. Their worker, if it ever comes back, loses the lease."""
    now = timezone.now()
    return jobs.lease_expired(now).update(
        status=FAILED,
        error=abandoned_message(),
        lease_expires_at=None,
        finished_at=now,
        updated_at=now,
    )


def purge(jobs: models.QuerySet) -> int:
    """Delete the jobs of `jobs` (older than what their app keeps) with their stored file
    (`file`), one by one so that each file goes with its row; the number purged."""
    purged = 0
    for job in jobs.iterator():
        if job.file.name:
            job.file.storage.delete(job.file.name)
        job.delete()
        purged += 1
    return purged
