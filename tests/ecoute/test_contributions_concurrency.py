"""Supports and reports under a burst (PostgreSQL only: SQLite serialises writers): ten
simultaneous supports of one person leave one row and never a 500; reports racing to the
threshold hide the contribution once and tell the managers once."""

import pytest
from django.test import Client
from django.urls import reverse

from caflab.notifications.models import Notification
from ecoute.models import Contribution, ContributionSupport
from ecoute.services import contributions as services
from tests.accounts.factories import UserFactory
from tests.concurrency import RACE, run_together
from tests.ecoute.factories import ConsultationFactory, ContributionFactory

pytestmark = RACE


@pytest.fixture
def contribution(lab_staff):
    call = ConsultationFactory(slug="course", owner=lab_staff, collects_contributions=True)
    return ContributionFactory(consultation=call)


def test_ten_parallel_support_clicks_leave_one_support_and_no_error(contribution, citizen):
    url = reverse("ecoute:contribution-support", kwargs={"pk": contribution.pk})

    def post():
        browser = Client()
        browser.force_login(citizen)
        return browser.post(url, {"action": "support"}).status_code

    statuses = run_together(post, 10)
    assert statuses == [302] * 10
    assert ContributionSupport.objects.filter(contribution=contribution).count() == 1


def test_reports_racing_to_the_threshold_hide_once_and_tell_once(contribution, lab_staff, settings):
    settings.ENGAGEMENT_REPORTS_TO_HIDE = 3
    reporters = [UserFactory(citizen=True) for _ in range(6)]
    queue = list(reporters)

    def report():
        return services.contribution_report(contribution=contribution, by=queue.pop())

    run_together(report, 6)
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.REPORTED
    told = Notification.objects.filter(recipient=lab_staff, kind="ecoute.contribution_reported")
    assert told.count() == 1
