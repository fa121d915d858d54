"""Celery tasks of the notifications app: ids in, safe to run twice (acks_late is global).

The beat schedule (caflab/celery.py) runs `flush_outbox` every minute and the digests at 07:00
Europe/Paris (daily) and on Monday 07:00 (weekly).
"""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from caflab.notifications import services
from caflab.notifications.models import MAX_ATTEMPTS


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def send_outbox_mail(self, mail_id: int) -> str:
    """Deliver one outbox mail; on a temporary SMTP error retry with exponential backoff.

    The attempts are counted on the row, which marks the mail failed after MAX_ATTEMPTS. In
    eager mode (no broker) there is no retry: a request must not wait on SMTP retries, and
    `flush_outbox` takes the mail again later.
    """
    result = services.outbox_mail_deliver(mail_id=mail_id)
    if result == services.DeliveryResult.RETRY and not self.request.is_eager:
        countdown = get_exponential_backoff_interval(
            factor=30,
            retries=self.request.retries,
            maximum=services.RETRY_BACKOFF_MAX_SECONDS,
            full_jitter=True,
        )
        raise self.retry(countdown=countdown)
    return result


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def send_outbox_mails(self, mail_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of outbox mails: the mails of one `notify` call, of a fan-out batch or
    of a flush, one broker message each. At a temporary SMTP error the batch stops, and what
    it left pending is retried with exponential backoff (as `send_outbox_mail`); in eager mode,
    or past the retries, `flush_outbox` takes it again later."""
    results = services.outbox_mails_deliver(mail_ids=mail_ids)
    if results.get(services.DeliveryResult.RETRY) and not self.request.is_eager:
        left = services.outbox_mails_left(mail_ids=mail_ids)
        if left:
            countdown = get_exponential_backoff_interval(
                factor=30,
                retries=self.request.retries,
                maximum=services.RETRY_BACKOFF_MAX_SECONDS,
                full_jitter=True,
            )
            raise self.retry(args=(left,), countdown=countdown)
    return results


@shared_task(bind=True)
def fan_out(self, fanout_id: int) -> int:
    """Create the notifications and queue the mails of one fan-out, batch by batch. Safe to run
    twice: a retried or duplicated run continues where the last committed batch stopped."""
    return services.fanout_run(fanout_id=fanout_id)


@shared_task(bind=True)
def flush_outbox(self, older_than_seconds: int = 60) -> int:
    """Queue again the pending mails left behind (broker outage, lost retry chain), and the
    fan-outs left unfinished."""
    services.fanouts_resume()
    return services.outbox_flush(older_than_seconds=older_than_seconds)


@shared_task(bind=True)
def send_digests(self, frequency: str) -> int:
    """Build and queue the daily or weekly digests ("daily" / "weekly")."""
    return services.digests_send(frequency=frequency)


@shared_task(bind=True)
def purge_notifications(self) -> dict[str, int]:
    """Daily: erase notifications and outbox e-mails past their retention period."""
    return services.notifications_purge()
