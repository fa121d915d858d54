"""The indicator's measurement counters are kept by PostgreSQL as measurements are entered,
corrected, bulk-loaded or removed; the evaluation home reads them instead of counting."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Indicator, Measurement
from tests.evaluation.factories import IndicatorFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def counters(indicator) -> tuple[int, datetime.date | None]:
    return tuple(
        Indicator.objects.filter(pk=indicator.pk).values_list(
            "measurement_count", "last_measured_period"
        )[0]
    )


def test_counters_follow_every_change_of_the_measurements(plan, caf_a):
    indicator = IndicatorFactory(project=plan.project)
    other = IndicatorFactory(project=plan.project)
    assert counters(indicator) == (0, None)

    first = MeasurementFactory(indicator=indicator, period=datetime.date(2026, 1, 1))
    MeasurementFactory(indicator=indicator, period=datetime.date(2026, 4, 1), caf=caf_a)
    assert counters(indicator) == (2, datetime.date(2026, 4, 1))

    Measurement.objects.bulk_create(
        Measurement(indicator=other, period=datetime.date(2025, month, 1), value=Decimal(month))
        for month in (1, 4, 7, 10)
    )
    assert counters(other) == (4, datetime.date(2025, 10, 1))

    Measurement.objects.filter(pk=first.pk).update(indicator=other)  # moved between indicators
    assert counters(indicator) == (1, datetime.date(2026, 4, 1))
    assert counters(other) == (5, datetime.date(2026, 1, 1))

    Measurement.objects.filter(indicator=indicator).delete()
    assert counters(indicator) == (0, None)


def test_the_evaluation_home_shows_the_counted_measurements(client, lab_staff, plan):
    indicator = IndicatorFactory(project=plan.project)
    for month in (1, 4, 7):
        MeasurementFactory(indicator=indicator, period=datetime.date(2026, month, 1))
    client.force_login(lab_staff)
    (row,) = [p for p in client.get(reverse("evaluation:index")).context["plans"] if p == plan]
    assert (row.n_indicators, row.n_measurements) == (1, 3)
    assert row.last_period == datetime.date(2026, 7, 1)
