"""Celery tasks of the incubator: ids in, safe to run twice (acks_late)."""

from celery import shared_task


@shared_task(acks_late=True)
def tell_decision(application_id: int) -> bool:
    """Tell an applicant the lab's decision on their application."""
    from incubator.services import decision_tell

    return decision_tell(application_id=application_id)


@shared_task(acks_late=True)
def tell_pending_decisions() -> int:
    """Daily safety net: the decisions a broker outage left untold."""
    from incubator.services import decisions_tell_pending

    return decisions_tell_pending()
