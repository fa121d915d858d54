"""Open-data tasks: the nightly run (beat), the run itself (a leased job, ids in), and the
requeue of runs whose worker died or whose message was lost (beat, every ten minutes)."""

from celery import shared_task


@shared_task(acks_late=True)
def generate_nightly() -> int:
    """Every night (beat): ask for a run of every dataset; returns its id."""
    from caflab.opendata.services import nightly

    return nightly().pk


@shared_task(acks_late=True)
def generate(run_id: int) -> str:
    from caflab.opendata.services import generation_build

    return generation_build(run_id=run_id)


@shared_task(acks_late=True)
def requeue_stale_runs() -> int:
    from caflab.opendata.services import generation_requeue_stale

    return generation_requeue_stale()
