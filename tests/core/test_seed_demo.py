"""`make run` relies on seed_demo: it must work on a fresh database, twice, and only in DEBUG."""

import io

import pytest
from django.core.management import CommandError, call_command

from caflab.accounts.models import Role, User
from caflab.notifications.models import Notification
from projects.models import Deployment, Project

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_one_account_per_role_and_the_portfolio_idempotently(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Project.objects.count(), Notification.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Project.objects.count(), Notification.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # Cross-Caf rules can be tried: the same roles exist in two Caf.
    assert User.objects.filter(role=Role.CORRESPONDENT).values("caf").distinct().count() == 2
    assert Project.objects.count() >= 40
    assert set(Project.objects.values_list("stage", flat=True)) >= {
        "idea",
        "creativity",
        "prototype",
        "experimentation",
        "essaimage",
        "generalised",
        "shelved",
        "abandoned",
    }
    assert Deployment.objects.values("caf").distinct().count() >= 20
    demo = User.objects.get(email="labo@caflab.demo")
    assert demo.check_password(settings.DEMO_PASSWORD)


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
