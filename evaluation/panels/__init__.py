"""The evaluation panel on a project's page, in three parts, each built by its own module:
`plans` (plan, indicators), `participation` (effects, testimonies, surveys), `reports`;
`project_page` puts them together for the core's page panels (registered in apps.py).

Each module's `context(project, user)` returns what its template needs (or None to show
nothing); the panel costs a fixed number of queries.
"""

from typing import Any

from django.db.models import Exists, F, OuterRef

from caflab.core.queries import count_of


def project_counts(project) -> dict[str, Any]:
    """Every count the panel shows (indicators, measurements, effects, testimonies, surveys,
    reports) and the plan's version and evidence level, in one query of subqueries, read once
    per page whichever parts ask for them."""
    cached = getattr(project, "_evaluation_counts", None)
    if cached is None:
        from caflab.network.models import Programme
        from evaluation.models import (
            EcologicalRating,
            Effect,
            EvaluativeQuestion,
            ImpactReport,
            Indicator,
            Measurement,
            Survey,
            Testimony,
        )
        from projects.models import Project

        cached = (
            Project.objects.filter(pk=project.pk)
            .annotate(
                n_indicators=count_of(Indicator, "project"),
                n_measurements=count_of(Measurement, "indicator__project"),
                n_effects=count_of(Effect, "project"),
                n_unresolved=count_of(Effect, "project", status__in=["open", "mitigating"]),
                n_blocking=count_of(
                    Effect, "project", pk__in=Effect.objects.blocking().values("pk")
                ),
                n_testimonies=count_of(Testimony, "project"),
                n_surveys=count_of(Survey, "project"),
                n_reports=count_of(ImpactReport, "project"),
                n_questions=count_of(EvaluativeQuestion, "plan__project"),
                plan_id=F("evaluation_plan__pk"),
                plan_version=F("evaluation_plan__version"),
                plan_evidence_level=F("evaluation_plan__evidence_level"),
                # The ecological programme's notice (`ecological_notice`): same query.
                n_ecological_ratings=count_of(EcologicalRating, "project"),
                needs_ecological_assessment=Exists(
                    Programme.objects.filter(
                        projects=OuterRef("pk"), requires_ecological_assessment=True
                    )
                ),
            )
            .values(
                "n_reports",
                "n_questions",
                "plan_id",
                "plan_version",
                "plan_evidence_level",
                "n_indicators",
                "n_measurements",
                "n_effects",
                "n_unresolved",
                "n_blocking",
                "n_testimonies",
                "n_surveys",
                "n_ecological_ratings",
                "needs_ecological_assessment",
            )
            .get()
        )
        project._evaluation_counts = cached
    return cached
