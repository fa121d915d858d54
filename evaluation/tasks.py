"""Evaluation reminders, run daily by celery beat."""

from celery import shared_task
from django.utils import timezone

from evaluation.services.indicators import measurement_reminders_send


@shared_task(acks_late=True)
def remind_due_measurements() -> int:
    """Tell each indicator's owner (or the project lead) when the period that just ended has no
    measurement; once per indicator × period (safe to run twice)."""
    return measurement_reminders_send(today=timezone.localdate())
