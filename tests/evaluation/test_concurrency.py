"""Races on PostgreSQL: ten "save a new version" clicks at once freeze one version; ten
entries of the same measurement at once leave one row (the others update it, never a 500).
SQLite serialises writers, so there is no race to show there."""

import datetime
from decimal import Decimal

import pytest

from evaluation.models import Measurement, PlanVersion
from evaluation.services.indicators import measurement_save
from evaluation.services.plans import plan_version_save
from projects.services import AlreadyDone
from tests.concurrency import RACE, run_together

pytestmark = RACE

THREADS = 10


def test_ten_clicks_on_save_version_freeze_one_version(plan, lead):
    outcomes = run_together(
        lambda: plan_version_save(plan=plan, by=lead, note="", expected_version=1),
        THREADS,
    )
    assert sum(isinstance(o, PlanVersion) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == THREADS - 1
    plan.refresh_from_db()
    assert (PlanVersion.objects.count(), plan.version) == (1, 2)


@pytest.mark.parametrize("national", [False, True])
def test_ten_entries_of_one_measurement_at_once_leave_one_row(indicator, lead, caf_a, national):
    def enter():
        return measurement_save(
            indicator=indicator,
            caf=None if national else caf_a,
            period=datetime.date(2026, 1, 1),
            value=Decimal("12"),
            source="Requête",
            by=lead,
        )

    outcomes = run_together(enter, THREADS)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Measurement.objects.count() == 1
