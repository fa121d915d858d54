"""Demo of the reports part: recommendations with the direction's responses, and one ready
impact report, generated through the same service and task code as in production (but run
synchronously here). Called by `evaluation.demo.seed` once plans, indicators, testimonies,
effects and judgements are seeded, so the report shows them. Safe to run twice."""

import datetime
from collections.abc import Sequence
from typing import TextIO

from django.utils import timezone

from evaluation.models import Criterion, ImpactReport, ManagementResponse, Recommendation
from evaluation.services.reports import report_build, report_request

Decision = ManagementResponse.Decision

RECOMMENDATIONS = [
    (
        Criterion.EFFECTIVENESS,
        "Former les agents d'accueil à l'appel sortant avant d'étendre le dispositif "
        "à d'autres Caf.",
        Decision.ACCEPTED,
        "Deux sessions de formation par Caf volontaire, animées par les agents de la Caf pilote.",
        45,
    ),
    (
        Criterion.RELEVANCE,
        "Associer des allocataires à la relecture des courriers et des scripts d'appel.",
        Decision.PARTLY,
        "Un atelier de relecture avec cinq allocataires avant chaque nouvelle version des scripts.",
        -5,
    ),
    (
        Criterion.EFFICIENCY,
        "Automatiser entièrement la prise de rendez-vous par SMS.",
        Decision.REJECTED,
        "",
        None,
    ),
]


def _seed_recommendations(project, stdout: TextIO) -> None:
    if project.recommendations.exists():
        return
    today = timezone.localdate()
    for position, (criterion, text, decision, action, days) in enumerate(RECOMMENDATIONS, 1):
        recommendation = Recommendation.objects.create(
            project=project,
            text=text,
            criterion=criterion,
            position=position,
            created_by=project.lead,
        )
        ManagementResponse.objects.create(
            recommendation=recommendation,
            decision=decision,
            action=action,
            owner=project.lead if action else None,
            due_on=today + datetime.timedelta(days=days) if days is not None else None,
            answered_by=project.lead,
        )
    stdout.write(f"  {len(RECOMMENDATIONS)} recommandations et réponses pour {project.code}\n")


def seed_reports(projects: Sequence, stdout: TextIO) -> list[ImpactReport]:
    """Recommendations and responses for each project; one ready, published report for the
    first one (skipped when it already has a ready report)."""
    reports = []
    for project in projects:
        _seed_recommendations(project, stdout)
    if not projects:
        return reports
    project = projects[0]
    ready = project.impact_reports.filter(status=ImpactReport.Status.READY).first()
    if ready is None:
        report = report_request(project=project, by=project.lead)
        report_build(report_id=report.pk)  # at once, whether or not a worker runs
        ImpactReport.objects.filter(pk=report.pk, status=ImpactReport.Status.READY).update(
            is_published=True
        )
        ready = ImpactReport.objects.get(pk=report.pk)
        stdout.write(f"  rapport d'impact de {project.code} : {ready.get_status_display()}\n")
    reports.append(ready)
    return reports
