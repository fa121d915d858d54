"""Celery tasks of the écoute app: ids in, safe to run twice (acks_late).

The beat schedule (caflab/celery.py) runs `open_and_close_consultations` every minute,
`requeue_stale_exports` every five minutes and `purge_exports` daily.
"""

from celery import shared_task


@shared_task(acks_late=True)
def open_and_close_consultations() -> list[int]:
    """Open scheduled consultations whose date has come, close those past their end."""
    from ecoute.services.consultations import consultations_open_and_close

    return list(consultations_open_and_close())


@shared_task(acks_late=True)
def build_export(job_id: int) -> str:
    from ecoute.services.exports import export_build

    return export_build(job_id=job_id)


@shared_task(acks_late=True)
def requeue_stale_exports() -> int:
    from ecoute.services.exports import exports_requeue_stale

    return exports_requeue_stale()


@shared_task(acks_late=True)
def purge_exports() -> int:
    from ecoute.services.exports import exports_purge

    return exports_purge()
