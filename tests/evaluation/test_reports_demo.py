"""The reports demo: recommendations with responses, and one ready, published report built by
the same code as in production; running it twice adds nothing."""

import io

import pytest

from evaluation.demo_reports import seed_reports
from evaluation.models import ImpactReport, ManagementResponse, Recommendation
from tests.evaluation.factories import evaluated_project
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_seed_reports_builds_one_ready_report_and_responses_once():
    first = evaluated_project()
    second = ProjectFactory()
    # Responses are evidence (PROTECT): set the project up without them first.
    ManagementResponse.objects.filter(recommendation__project=first).delete()
    Recommendation.objects.filter(project=first).delete()
    out = io.StringIO()
    (report,) = seed_reports([first, second], out)
    assert report.status == ImpactReport.Status.READY
    assert report.is_published
    assert report.pdf
    assert "Automatiser entièrement la prise de rendez-vous" in report.html
    assert Recommendation.objects.filter(project=second).count() == 3
    assert ManagementResponse.objects.count() == 6
    seed_reports([first, second], io.StringIO())
    assert ImpactReport.objects.count() == 1
    assert Recommendation.objects.count() == 6
