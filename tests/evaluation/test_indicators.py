"""Indicators, targets and measurements: who enters what (a correspondent only for their own
Caf), the chart computed from the database, and the indicator list's pinned query count."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from caflab.core.charts import line_chart, nice_ticks, value_text
from evaluation.models import Indicator, IndicatorTarget, Measurement
from evaluation.services.indicators import indicator_series, period_start
from evaluation.services.measurement_import import parse_decimal, parse_period
from tests.evaluation.factories import IndicatorFactory, IndicatorTargetFactory, MeasurementFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


def _measure(client, indicator, **data):
    fields = {"period": "2026-02-15", "value": "51,5", "source": "Requête", "evidence": ""}
    fields.update(data)
    return client.post(
        reverse("evaluation:measurement-create", kwargs={"pk": indicator.pk}),
        {f"mesure-{k}": v for k, v in fields.items()},
    )


def test_the_lead_defines_an_indicator_with_its_baseline(client, lead, project):
    client.force_login(lead)
    response = client.post(
        reverse("evaluation:indicator-create", kwargs={"code": project.code}),
        {
            "name": "Délai de traitement",
            "definition": "Jours entre le dépôt et la décision.",
            "unit": "jours",
            "direction": "lower",
            "category": "service",
            "effect": "positive",
            "baseline_value": "21,5",
            "baseline_date": "2025-12-31",
            "baseline_source": "Tableau de bord",
            "collection_method": "Requête mensuelle",
            "frequency": "quarterly",
            "owner": lead.pk,
            "position": "0",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(name="Délai de traitement")
    assert indicator.baseline_value == Decimal("21.5")


def test_a_baseline_without_a_date_is_refused_next_to_the_field(client, lead, project):
    client.force_login(lead)
    response = client.post(
        reverse("evaluation:indicator-create", kwargs={"code": project.code}),
        {
            "name": "X",
            "definition": "Y",
            "unit": "%",
            "direction": "higher",
            "category": "users",
            "effect": "positive",
            "baseline_value": "3",
            "frequency": "quarterly",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "Une valeur de référence doit être datée." in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_target_is_set_per_period_and_replaced_on_a_second_entry(client, lead, indicator):
    client.force_login(lead)
    url = reverse("evaluation:target-set", kwargs={"pk": indicator.pk})
    client.post(url, {"cible-period": "2026-05-10", "cible-value": "55"})
    client.post(url, {"cible-period": "2026-04-01", "cible-value": "57,5"})
    target = IndicatorTarget.objects.get()
    assert (target.period, target.value) == (datetime.date(2026, 4, 1), Decimal("57.5"))


def test_the_lead_enters_a_measurement_for_a_deployment_caf_and_corrects_it(
    client, lead, indicator, caf_b
):
    client.force_login(lead)
    assert _measure(client, indicator, caf=caf_b.pk).status_code == 302
    assert _measure(client, indicator, caf=caf_b.pk, value="52").status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.caf, measurement.period, measurement.value) == (
        caf_b,
        datetime.date(2026, 1, 1),
        Decimal("52"),
    )


def test_the_lead_enters_the_national_value(client, lead, indicator):
    client.force_login(lead)
    assert _measure(client, indicator, caf="").status_code == 302
    assert Measurement.objects.get().caf is None


def test_a_correspondent_enters_measurements_for_their_own_caf_only(
    client, correspondent_b, indicator, caf_a, caf_b
):
    client.force_login(correspondent_b)
    assert _measure(client, indicator, caf=caf_b.pk).status_code == 302
    # A forged POST for the pilot Caf, or for the national value, is refused.
    forged = _measure(client, indicator, caf=caf_a.pk, period="2026-05-01")
    assert forged.status_code == 200
    assert "Sélectionnez un choix valide" in forged.content.decode()
    assert _measure(client, indicator, caf="", period="2026-08-01").status_code == 200
    assert list(Measurement.objects.values_list("caf", flat=True)) == [caf_b.pk]


def test_an_agent_of_a_deployment_caf_reads_but_may_not_measure(client, agent_b, indicator, caf_b):
    client.force_login(agent_b)  # an agent of a deployment Caf: reads only
    assert (
        client.get(reverse("evaluation:indicator-detail", kwargs={"pk": indicator.pk})).status_code
        == 200
    )
    assert _measure(client, indicator, caf=caf_b.pk).status_code == 403
    assert not Measurement.objects.exists()


def test_a_correspondent_deletes_only_their_own_cafs_measurements(
    client, correspondent_b, indicator, caf_a, caf_b
):
    own = MeasurementFactory(indicator=indicator, caf=caf_b)
    other = MeasurementFactory(indicator=indicator, caf=caf_a)
    client.force_login(correspondent_b)
    url = "evaluation:measurement-delete"
    assert client.post(reverse(url, kwargs={"pk": other.pk})).status_code == 403
    assert client.post(reverse(url, kwargs={"pk": own.pk})).status_code == 302
    assert list(Measurement.objects.all()) == [other]


def test_periods_are_brought_to_their_first_day():
    assert period_start(datetime.date(2026, 5, 17), "quarterly") == datetime.date(2026, 4, 1)
    assert period_start(datetime.date(2026, 8, 2), "half_yearly") == datetime.date(2026, 7, 1)
    assert parse_period("2026-T3", "quarterly") == datetime.date(2026, 7, 1)
    assert parse_period("T2 2026", "monthly") == datetime.date(2026, 4, 1)
    assert parse_period("31/03/2026", "quarterly") == datetime.date(2026, 1, 1)
    assert parse_period("2026", "yearly") == datetime.date(2026, 1, 1)
    assert parse_decimal("1 234,5") == Decimal("1234.50")
    assert parse_decimal("1.234,5") == Decimal("1234.50")


def test_the_chart_series_is_computed_by_the_database(indicator, caf_a, caf_b):
    q1, q2 = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)
    MeasurementFactory(indicator=indicator, caf=caf_a, period=q1, value=Decimal("40"))
    MeasurementFactory(indicator=indicator, caf=caf_b, period=q1, value=Decimal("50"))
    MeasurementFactory(indicator=indicator, caf=caf_a, period=q2, value=Decimal("60"))
    MeasurementFactory(indicator=indicator, caf=None, period=q2, value=Decimal("58"))
    IndicatorTargetFactory(indicator=indicator, period=datetime.date(2026, 7, 1), value=70)
    series = indicator_series(indicator)
    assert [(p.label, p.value, p.n_cafs, p.target) for p in series] == [
        ("T1 2026", Decimal("45.00"), 2, None),  # mean of the Caf values
        ("T2 2026", Decimal("58.00"), 1, None),  # the national value wins
        ("T3 2026", None, 0, Decimal("70")),
    ]


def test_the_line_chart_places_values_baseline_and_targets():
    chart = line_chart(
        "c",
        "Taux",
        labels=["T1", "T2", "T3"],
        values=[Decimal("40"), Decimal("50"), None],
        targets=[None, None, Decimal("60")],
        baseline=Decimal("40"),
        unit="%",
    )
    assert [t.text for t in chart.y_ticks] == ["40", "45", "50", "55", "60"]
    assert chart.points[0].y == chart.bottom == chart.baseline_y
    assert chart.target_points[0].y == chart.top
    assert (chart.points[0].x, chart.target_points[0].x) == (chart.left, chart.right)
    assert [(r.label, r.value, r.target) for r in chart.rows] == [
        ("T1", "40", "—"),
        ("T2", "50", "—"),
        ("T3", "—", "60"),
    ]
    assert "de 40 (T1) à 50 (T2)" in chart.summary
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]
    assert value_text(Decimal("1234.50")) == "1\u202f234,5"


def test_the_indicator_page_shows_the_chart_its_table_and_one_chart_per_caf(
    client, agent_b, indicator, caf_a, caf_b
):
    MeasurementFactory(indicator=indicator, caf=caf_a, value=Decimal("44"))
    MeasurementFactory(indicator=indicator, caf=caf_b, value=Decimal("48"))
    client.force_login(agent_b)
    page = client.get(reverse("evaluation:indicator-detail", kwargs={"pk": indicator.pk}))
    html = page.content.decode()
    assert html.count('class="chart-svg"') == 3  # the indicator's chart, then one per Caf
    assert "(données du graphique)" in html
    assert "Valeurs par Caf et par période" in html
    assert "mesure-value" not in html  # no entry form for a reader


def test_the_indicator_list_costs_a_fixed_number_of_queries(client, lead, project, caf_a):
    client.force_login(lead)

    def add(n):
        for _ in range(n):
            indicator = IndicatorFactory(project=project)
            IndicatorTargetFactory(indicator=indicator)
            MeasurementFactory(indicator=indicator, caf=caf_a)

    url = reverse("evaluation:indicator-list", kwargs={"code": project.code})
    assert_flat_query_count(client, url, add, sizes=(2, 8), expected=EXPECTED_LIST_QUERIES)


# session, user with their Caf, project, indicators, targets, unread count
EXPECTED_LIST_QUERIES = 6


def test_values_are_typed_the_french_way_in_forms(client, lead, indicator, caf_a):
    client.force_login(lead)
    assert _measure(client, indicator, caf=caf_a.pk, value="1 234,5").status_code == 302
    assert Measurement.objects.get().value == Decimal("1234.5")


def test_the_service_refuses_a_caf_the_user_may_not_measure(correspondent_b, indicator, caf_a):
    from django.core.exceptions import PermissionDenied

    from evaluation.services.indicators import measurement_save

    for caf in (caf_a, None):
        with pytest.raises(PermissionDenied):
            measurement_save(
                indicator=indicator,
                caf=caf,
                period=datetime.date(2026, 1, 1),
                value=Decimal("1"),
                source="Requête",
                by=correspondent_b,
            )
    assert not Measurement.objects.exists()


def test_the_service_lets_the_lead_measure_any_caf_of_the_project(lead, indicator, caf_b):
    from evaluation.services.indicators import measurement_save

    measurement, created = measurement_save(
        indicator=indicator,
        caf=caf_b,
        period=datetime.date(2026, 2, 10),
        value=Decimal("3"),
        source="Requête",
        by=lead,
    )
    assert created
    assert measurement.period == datetime.date(2026, 1, 1)
