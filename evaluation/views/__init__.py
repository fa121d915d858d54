"""The evaluations' entry page: the projects with an evaluation plan, their evidence level and
how far their indicators are measured (a fixed number of queries; the measurements are counted
by the database as they are entered, never per view)."""

from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from evaluation import permissions  # noqa: F401  (registers the app's permissions)
from evaluation.models import EvaluationPlan, Indicator, Measurement
from evaluation.models.plans import EvidenceLevel
from projects.models import Stage


def _count(queryset, column: str = "pk") -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on the outer row)."""
    counted = queryset.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _measurement_figures(project: OuterRef) -> dict[str, Any]:
    """Per plan, its measurements and latest measured period. PostgreSQL: summed from the
    counters a trigger keeps on each indicator (a few rows per project); elsewhere (SQLite in
    development) counted from the measurements."""
    if connection.vendor == "postgresql":
        indicators = Indicator.objects.filter(project=project).order_by().values("project")
        return {
            "n_measurements": Coalesce(
                Subquery(
                    indicators.annotate(n=Sum("measurement_count")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            "last_period": Subquery(
                indicators.annotate(last=Max("last_measured_period")).values("last")
            ),
        }
    measurements = Measurement.objects.filter(indicator__project=project)
    return {
        "n_measurements": _count(measurements, "indicator__project"),
        "last_period": Subquery(
            measurements.order_by()
            .values("indicator__project")
            .annotate(last=Max("period"))
            .values("last")
        ),
    }


class EvaluationIndexView(PermissionRequiredMixin, TemplateView):
    permission_required = "evaluation.view_evaluations"
    template_name = "evaluation/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = OuterRef("project_id")
        plans = (
            EvaluationPlan.objects.visible_to(self.request.user)
            .select_related("project__pilot_caf")
            .annotate(
                n_indicators=_count(Indicator.objects.filter(project=project), "project"),
                n_environmental=_count(
                    Indicator.objects.filter(project=project, category="environmental"), "project"
                ),
                **_measurement_figures(project),
            )
            .order_by("project__code")
        )
        plans = list(plans)
        # Hundreds of rows: the stages' and evidence levels' names translated once each, not
        # through get_FOO_display (30 µs a call) twice a row.
        stages = {value: str(label) for value, label in Stage.choices}
        levels = {value: str(label) for value, label in EvidenceLevel.choices}
        for plan in plans:
            plan.stage_label = stages.get(plan.project.stage, plan.project.stage)
            plan.evidence_label = levels.get(plan.evidence_level, plan.evidence_level)
        return super().get_context_data(plans=plans, **kwargs)
