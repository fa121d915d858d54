"""The events' demo data: loaded by seed_demo through the real services, once."""

import io

import pytest
from django.core.management import call_command

from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_held_upcoming_draft_and_cancelled_events_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Event.objects.count(), Registration.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Event.objects.count(), Registration.objects.count()) == counts
    statuses = set(Event.objects.values_list("status", flat=True))
    assert statuses == set(Event.Status.values)
    assert Registration.objects.filter(attended=True).values("caf").distinct().count() >= 5
    assert Registration.objects.filter(status="waiting").exists()
    assert Event.objects.filter(audience=Event.Audience.CAFS).exists()
