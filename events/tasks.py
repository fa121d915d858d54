"""Celery tasks of the events: ids in, safe to run twice (acks_late). The beat schedule
(caflab/celery.py) runs `send_reminders` every morning."""

from celery import shared_task


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Remind the confirmed participants of tomorrow's events, once each; and, as a safety
    net, send the satisfaction invitations a broker outage left unsent."""
    from events.satisfaction import satisfactions_invite_pending
    from events.services import registrations_remind

    satisfactions_invite_pending()
    return registrations_remind()


@shared_task(acks_late=True)
def invite_to_satisfaction(satisfaction_id: int) -> int:
    """Tell the people who came to an event that its satisfaction questionnaire is open."""
    from events.satisfaction import satisfaction_invite

    return satisfaction_invite(satisfaction_id=satisfaction_id)
