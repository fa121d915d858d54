"""Celery tasks of the analysis app: ids in, safe to run twice (acks_late).

The beat schedule (caflab/celery.py) runs `requeue_stale_theme_runs` and
`requeue_stale_exports` (jobs whose worker died, caflab.core.jobs) every minute, and
`purge_exports` daily."""

from celery import shared_task


@shared_task(acks_late=True)
def build_texts(analysis_id: int) -> int:
    """Copy a large source's texts into the analysis."""
    from analysis.services.texts import texts_build

    return texts_build(analysis_id=analysis_id)


@shared_task(acks_late=True)
def suggest_themes(run_id: int) -> str:
    from analysis.services.themes import themes_suggest

    return themes_suggest(run_id=run_id)


@shared_task(acks_late=True)
def requeue_stale_theme_runs() -> int:
    """Queue again the runs whose worker died (lease expired) or whose message was lost."""
    from analysis.services.themes import themes_requeue_stale

    return themes_requeue_stale()


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    from analysis.services.exports import export_build

    return export_build(export_id=export_id)


@shared_task(acks_late=True)
def requeue_stale_exports() -> int:
    """Queue again the exports whose worker died (lease expired) or whose message was lost."""
    from analysis.services.exports import exports_requeue_stale

    return exports_requeue_stale()


@shared_task(acks_late=True)
def purge_exports() -> int:
    """Delete the exports (and their files: what people wrote) older than a week."""
    from analysis.services.exports import exports_purge

    return exports_purge()
