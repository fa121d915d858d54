"""Celery tasks of the events: ids in, safe to run twice (acks_late). The beat schedule
(caflab/celery.py) runs `send_reminders` every morning."""

from celery import shared_task


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Remind the confirmed participants of tomorrow's events, once each."""
    from events.services import registrations_remind

    return registrations_remind()
