"""The director's dashboard as data (`portfolio_dashboard`): it counts what it is given (the
projects its reader sees), nothing else. Ideas by origin are the idea box's panel
(tests/ideas/test_dashboard_panel.py)."""

import datetime

import pytest
from django.utils import timezone

from projects.models import BlockerLever, Health, Project, Stage
from projects.services.dashboard import portfolio_dashboard
from tests.projects.factories import BlockerLeverFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_only_the_projects_it_is_given():
    seen = ProjectFactory(stage=Stage.PROTOTYPE, health=Health.RED, title="Vu")
    hidden = ProjectFactory(stage=Stage.PROTOTYPE, title="Caché")
    BlockerLeverFactory(project=seen, text="Frein visible")
    BlockerLeverFactory(project=hidden, text="Frein caché")

    dashboard = portfolio_dashboard(projects=Project.objects.filter(pk=seen.pk))

    assert dashboard.total == 1
    assert {r.label: r.value for r in dashboard.health_chart.rows}["En difficulté"] == 1
    assert dashboard.open_blockers == 1
    assert [row["text"] for row in dashboard.blocker_rows] == ["Frein visible"]
    assert dashboard.as_context()["stage_chart"] is dashboard.stage_chart


def test_a_shelved_project_is_late_to_revisit_after_its_date():
    today = timezone.localdate()
    late = ProjectFactory(stage=Stage.SHELVED, revisit_on=today - datetime.timedelta(days=1))
    dashboard = portfolio_dashboard(projects=Project.objects.all(), today=today)
    assert [(r["project"].split()[0], r["is_late"]) for r in dashboard.revisit_rows] == [
        (late.code, True)
    ]


def test_the_fingerprint_changes_with_what_the_page_prints():
    project = ProjectFactory()
    before = portfolio_dashboard(projects=Project.objects.all())
    BlockerLeverFactory(project=project, kind=BlockerLever.Kind.LEVER)
    after = portfolio_dashboard(projects=Project.objects.all())
    assert before.fingerprint != after.fingerprint
