"""Celery tasks of the core: the worker's heartbeat, the audit trail's retention.

The beat schedule (caflab/celery.py) publishes `record_heartbeat` every minute with
`expires=HEARTBEAT_EXPIRES_SECONDS`. Celery turns that into an absolute expiry time in the
message, which is the only trace of the publishing time a message carries: the task subtracts
the delay to get when beat published it, hence the queue latency (see caflab/core/health.py).
"""

from datetime import UTC, datetime, timedelta

from celery import shared_task
from celery.utils.time import maybe_iso8601
from django.utils import timezone

from caflab.core import audit, health

# Must equal the "expires" option of the "core-heartbeat" beat entry.
HEARTBEAT_EXPIRES_SECONDS = 55


def _published_at(expires: datetime | str | None) -> datetime | None:
    if not expires:
        return None  # run eagerly or by hand: no publishing time to read
    moment = maybe_iso8601(expires)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment - timedelta(seconds=HEARTBEAT_EXPIRES_SECONDS)


@shared_task(bind=True)
def record_heartbeat(self) -> str:
    """Every minute: the worker records that it runs the tasks beat publishes."""
    heartbeat = health.heartbeat_record(
        name=health.WORKER, published_at=_published_at(self.request.expires)
    )
    return heartbeat.last_seen.isoformat()


@shared_task
def purge_audit_trail() -> dict[str, int]:
    """Daily: erase the audit trail's rows older than AUDIT_RETENTION_DAYS."""
    return audit.purge_audit_trail()
