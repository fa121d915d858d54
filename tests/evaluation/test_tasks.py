"""The daily reminder of a measurement due: to the owner (or the lead), once per period."""

import datetime

import pytest

from caflab.notifications.models import Notification
from evaluation.models import MeasurementReminder
from evaluation.services.indicators import measurement_reminders_send
from evaluation.tasks import remind_due_measurements
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)  # the third quarter (from 1 July) has just ended


def test_the_owner_is_reminded_once_when_the_period_that_ended_has_no_measurement(indicator, lead):
    assert measurement_reminders_send(today=TODAY) == 1
    assert measurement_reminders_send(today=TODAY) == 0
    assert measurement_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 0
    reminder = MeasurementReminder.objects.get()
    assert reminder.period == datetime.date(2026, 7, 1)
    notification = Notification.objects.get()
    assert notification.recipient == lead
    assert "T3 2026" in notification.title


def test_the_lead_is_reminded_when_the_indicator_has_no_owner(project, lead):
    IndicatorFactory(project=project, owner=None, frequency="monthly")
    assert measurement_reminders_send(today=TODAY) == 1
    assert Notification.objects.get().recipient == lead
    assert MeasurementReminder.objects.get().period == datetime.date(2026, 10, 1)


def test_no_reminder_when_the_period_is_measured(indicator, caf_a):
    MeasurementFactory(indicator=indicator, caf=caf_a, period=datetime.date(2026, 7, 1))
    assert measurement_reminders_send(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_the_task_runs_the_reminders(indicator):
    assert isinstance(remind_due_measurements(), int)


def test_the_reminder_runs_daily_with_celery_beat():
    from caflab.celery import app

    entry = app.conf.beat_schedule["evaluation-remind-due-measurements"]
    assert entry["task"] == remind_due_measurements.name
