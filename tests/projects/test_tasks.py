import datetime

import pytest
from django.utils import timezone

from caflab.notifications.models import Notification
from projects.models import Stage
from projects.tasks import remind_due_gate_reviews, remind_shelved_projects
from tests.projects.factories import GateReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_shelved_project_comes_back_to_its_lead_and_the_lab_on_its_date_once(agent_a, lab_staff):
    today = timezone.localdate()
    due = ProjectFactory(lead=agent_a, stage=Stage.SHELVED, revisit_on=today)
    ProjectFactory(lead=agent_a, stage=Stage.SHELVED, revisit_on=today + datetime.timedelta(1))
    assert remind_shelved_projects() == 2  # the lead and the lab, for the due project only
    assert remind_shelved_projects() == 0  # running twice the same day sends nothing more
    reminded = Notification.objects.filter(kind__startswith="project.revisit")
    assert set(reminded.values_list("recipient", flat=True)) == {agent_a.pk, lab_staff.pk}
    assert {n.url for n in reminded} == {due.get_absolute_url()}


def test_an_overdue_gate_review_is_recalled_to_the_lab_and_its_reviewers_daily(
    lab_staff, correspondent_a, agent_a
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    review = GateReviewFactory(project__lead=agent_a, due_on=yesterday)
    review.reviewers.add(correspondent_a)
    GateReviewFactory(project__lead=agent_a, due_on=timezone.localdate() + datetime.timedelta(3))
    assert remind_due_gate_reviews() == 2
    assert remind_due_gate_reviews() == 0
    recalled = Notification.objects.filter(kind__startswith="project.gate_due")
    assert set(recalled.values_list("recipient", flat=True)) == {lab_staff.pk, correspondent_a.pk}
