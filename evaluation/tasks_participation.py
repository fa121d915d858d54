"""Celery tasks of the evaluation app's participation part: ids in, safe to run twice.

Imported by EvaluationConfig.ready() so the worker registers them (autodiscovery only reads
`evaluation.tasks`). The beat schedule (caflab/celery.py) runs `send_pending_survey_invitations`
every ten minutes and `erase_expired_invitation_addresses` daily.
"""

from celery import shared_task


@shared_task(acks_late=True)
def send_survey_invitation(invitation_id: int) -> bool:
    from evaluation.services.participation import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True)
def send_pending_survey_invitations() -> int:
    from evaluation.services.participation import invitations_send_pending

    return invitations_send_pending()


@shared_task(acks_late=True)
def erase_expired_invitation_addresses() -> int:
    from evaluation.services.participation import invitations_erase_expired

    return invitations_erase_expired()
