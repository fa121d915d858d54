"""One waiting report per requester holds under a burst of clicks: parallel requests, each
with its own database connection, make exactly one report. PostgreSQL only (SQLite
serialises writers, so there is no race to show)."""

from evaluation.models import ImpactReport
from evaluation.services.reports import report_request
from tests.concurrency import RACE, run_together
from tests.evaluation.factories import evaluated_project

pytestmark = RACE


def test_parallel_requests_of_one_lead_make_one_report():
    project = evaluated_project()
    outcomes = run_together(lambda: report_request(project=project, by=project.lead), n=6)
    assert ImpactReport.objects.count() == 1
    (report,) = ImpactReport.objects.all()
    assert all(isinstance(o, ImpactReport) and o.pk == report.pk for o in outcomes), outcomes
