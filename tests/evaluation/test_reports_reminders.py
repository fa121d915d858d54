"""Management actions: the owner is reminded when the due date is near or past and the action
not done, at most once a week; a second run the same day sends nothing."""

import datetime

import pytest

from caflab.notifications.models import Notification
from evaluation import tasks
from evaluation.models import ManagementResponse
from evaluation.services.reports import management_actions_remind, response_save
from tests.evaluation.factories import ManagementResponseFactory, RecommendationFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 25)


@pytest.fixture
def project(db):
    return ProjectFactory()


def reminders(user) -> int:
    return Notification.objects.filter(recipient=user, kind="evaluation.action_due").count()


def test_the_owner_is_reminded_once_when_the_due_date_nears(project):
    response = ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project),
        due_on=TODAY + datetime.timedelta(days=5),
    )
    assert management_actions_remind(today=TODAY) == 1
    assert management_actions_remind(today=TODAY) == 0  # same day: nothing more
    assert management_actions_remind(today=TODAY + datetime.timedelta(days=3)) == 0
    assert reminders(project.lead) == 1
    response.refresh_from_db()
    assert response.reminded_on == TODAY


def test_a_late_action_is_reminded_again_a_week_later(project):
    ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project),
        due_on=TODAY - datetime.timedelta(days=1),
    )
    management_actions_remind(today=TODAY)
    assert management_actions_remind(today=TODAY + datetime.timedelta(days=7)) == 1
    notices = Notification.objects.filter(recipient=project.lead, kind="evaluation.action_due")
    assert notices.count() == 2
    assert all(n.title.startswith("Action en retard") for n in notices)


def test_done_rejected_far_or_ownerless_actions_are_not_reminded(project):
    far = TODAY + datetime.timedelta(days=60)
    near = TODAY + datetime.timedelta(days=2)
    ManagementResponseFactory(recommendation=RecommendationFactory(project=project), due_on=far)
    ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project), due_on=near, done_on=TODAY
    )
    ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project),
        decision=ManagementResponse.Decision.REJECTED,
        action="",
        due_on=None,
    )
    ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project), due_on=near, owner=None
    )
    assert management_actions_remind(today=TODAY) == 0


def test_a_new_due_date_allows_a_new_reminder(project):
    response = ManagementResponseFactory(
        recommendation=RecommendationFactory(project=project), due_on=TODAY, reminded_on=TODAY
    )
    assert management_actions_remind(today=TODAY) == 0
    response_save(
        recommendation=response.recommendation,
        by=project.lead,
        due_on=TODAY + datetime.timedelta(days=3),
    )
    assert management_actions_remind(today=TODAY) == 1


def test_the_reminder_task_is_scheduled_daily_and_runs():
    from caflab.celery import app

    entry = app.conf.beat_schedule["evaluation-remind-management-actions"]
    assert entry["task"] == "evaluation.tasks.remind_management_actions"
    assert tasks.remind_management_actions.apply().get() == 0
    assert "evaluation-requeue-stale-reports" in app.conf.beat_schedule
