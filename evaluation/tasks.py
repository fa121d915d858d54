"""Celery tasks of the evaluation app: ids in, safe to run twice.

`build_report` holds a lease on its report (caflab.core.jobs): if its worker dies, the beat's
`requeue_stale_reports` queues it again once the lease expires, and it is built again from the
same snapshot (at most JOB_MAX_ATTEMPTS times). The beat schedule (caflab/celery.py) runs
`requeue_stale_reports` every minute and `remind_management_actions` and
`remind_due_measurements` daily.

Survey invitations (the participation part): `send_survey_invitation` e-mails one; the beat
runs `send_pending_survey_invitations` every ten minutes and `erase_expired_invitation_addresses`
daily. These three keep the names they were registered under in their former module
(`evaluation.tasks_participation.…`): the broker's queued messages and the beat schedule carry
task names as strings.
"""

from celery import shared_task
from django.utils import timezone

from evaluation.services.indicators import measurement_reminders_send


@shared_task(acks_late=True)
def remind_due_measurements() -> int:
    """Tell each indicator's owner (or the project lead) when the period that just ended has no
    measurement; once per indicator × period (safe to run twice)."""
    return measurement_reminders_send(today=timezone.localdate())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report(report_id: int) -> str:
    from evaluation.services.reports import report_build

    return report_build(report_id=report_id)


@shared_task(acks_late=True)
def requeue_stale_reports() -> int:
    from evaluation.services.reports import reports_requeue_stale

    return reports_requeue_stale()


@shared_task(acks_late=True)
def remind_management_actions() -> int:
    from evaluation.services.reports import management_actions_remind

    return management_actions_remind()


# --- survey invitations (names kept from evaluation/tasks_participation.py) ---------------


@shared_task(acks_late=True, name="evaluation.tasks_participation.send_survey_invitation")
def send_survey_invitation(invitation_id: int) -> bool:
    from evaluation.services.participation import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, name="evaluation.tasks_participation.send_pending_survey_invitations")
def send_pending_survey_invitations() -> int:
    from evaluation.services.participation import invitations_send_pending

    return invitations_send_pending()


@shared_task(
    acks_late=True, name="evaluation.tasks_participation.erase_expired_invitation_addresses"
)
def erase_expired_invitation_addresses() -> int:
    from evaluation.services.participation import invitations_erase_expired

    return invitations_erase_expired()
