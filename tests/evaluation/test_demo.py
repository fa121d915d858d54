"""The evaluation demo: three complete plans with two years of quarterly measurements in
several Caf, loaded by seed_demo once."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from caflab.notifications.models import Notification
from evaluation.models import EvaluationPlan, Indicator, Measurement, PlanVersion
from projects.models import Stage

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_three_complete_plans_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (EvaluationPlan.objects.count(), Measurement.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (EvaluationPlan.objects.count(), Measurement.objects.count()) == counts
    plans = EvaluationPlan.objects.select_related("project")
    assert plans.count() == 3
    for plan in plans:
        assert plan.project.stage in (Stage.EXPERIMENTATION, Stage.ESSAIMAGE)
        assert plan.stakeholder_groups.exists()
        assert plan.questions.exists()
        assert plan.change_steps.filter(level="impact").exists()
        assert plan.change_steps.filter(links_out__isnull=False).exists()
        indicators = plan.project.indicators.all()
        assert 2 <= indicators.count() <= 4
        assert indicators.filter(category=Indicator.Category.ENVIRONMENTAL).exists()
        assert not indicators.filter(baseline_value__isnull=True).exists()
        assert not indicators.annotate(n=Count("targets")).filter(n=0).exists()
        measured = Measurement.objects.filter(indicator__project=plan.project)
        assert measured.values("caf").distinct().count() >= 2
        assert measured.values("period").distinct().count() == 8
        assert plan.version == 2
    assert PlanVersion.objects.count() == 3
    # Seeding two years of history reminds nobody of measurements due, and the demo report,
    # built at once, is ready (its requester is told, as after any report).
    assert not Notification.objects.filter(kind="evaluation.measurement_due").exists()
    assert not Notification.objects.filter(kind="evaluation.report_failed").exists()
    assert Notification.objects.filter(kind="evaluation.report_ready").count() == 1
    # The demo report covers the spread: its project's deployments and their adaptation log,
    # recorded through the essaimage service before the report was requested.
    from evaluation.models import ImpactReport

    report = ImpactReport.objects.get(status=ImpactReport.Status.READY)
    deployments = report.snapshot["deployments"]
    assert deployments
    assert sum(len(d["adaptations"]) for d in deployments) == 4
    assert any(not a["is_faithful"] for d in deployments for a in d["adaptations"])
    assert "Journal des adaptations" in report.html
    assert 'id="rapport-carte-titre"' in report.html
    # ... and what its survey's open answers say, coded through the analysis of texts.
    assert report.snapshot["coded_themes"][0]["codes"]
    assert "Ce que disent les témoignages et les enquêtes" in report.html
