"""The criées' demo data: loaded by seed_demo on a fresh database, once."""

import io

import pytest
from django.core.management import call_command

from caflab.notifications.models import Notification
from criees.models import Criee, Initiative, InterestDeclaration, Pitch
from projects.models import Deployment, Stage

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_initiatives_a_held_and_an_upcoming_criee_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Initiative.objects.count(), Criee.objects.count(), Notification.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Initiative.objects.count(),
        Criee.objects.count(),
        Notification.objects.count(),
    ) == counts
    assert Initiative.objects.count() == 60
    assert Initiative.objects.values("caf").distinct().count() == 30
    assert set(Initiative.objects.values_list("status", flat=True)) == set(Initiative.Status)
    held = Criee.objects.get(status=Criee.Status.HELD)
    assert Pitch.objects.scheduled().filter(criee=held).count() == 8
    assert InterestDeclaration.objects.filter(criee=held).exists()
    assert Criee.objects.upcoming().filter(status=Criee.Status.OPEN).exists()
    promoted = Initiative.objects.get(project__isnull=False)
    assert promoted.project.stage == Stage.ESSAIMAGE
    assert Deployment.objects.filter(project=promoted.project).exists()
    # Direct rows: no notification storm.
    assert not Notification.objects.filter(kind__startswith="criees.").exists()
