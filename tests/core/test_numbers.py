"""The one French number formatter (caflab.core.numbers.fr_number): what each former copy wrote,
it writes."""

from decimal import Decimal

import pytest

from caflab.core.numbers import fr_number

SAMPLES = [0, 7, 1234, 1234567, 0.05, 0.25, 2.675, 12.5, 34.75, -3.25, 1e-7, 99.95]
DECIMALS = [Decimal(s) for s in ("0", "50.00", "12.50", "1234.5", "0.125", "-3.25", "1E+3")]


def old_chart_value(value):  # evaluation.charts.fmt_number, before
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    text = text.replace(",", "\u202f").replace(".", ",")
    if text.endswith(",00"):
        text = text[:-3]
    elif text.endswith("0") and "," in text:
        text = text[:-1]
    return text


@pytest.mark.parametrize("value", [None, *SAMPLES, *DECIMALS])
def test_chart_values_as_before(value):
    assert fr_number(value, 2, trim=True, grouping=True, missing="—") == old_chart_value(value)


@pytest.mark.parametrize("value", [s for s in SAMPLES if isinstance(s, float)])
def test_one_decimal_as_before(value):  # ecoute.results._fr, projects.charts._fmt
    assert fr_number(value, 1) == f"{value:.1f}".replace(".", ",")


@pytest.mark.parametrize("value", DECIMALS)
def test_spreadsheet_and_report_numbers_as_before(value):
    assert fr_number(value, 2) == f"{value:.2f}".replace(".", ",")  # CSV cells
    assert fr_number(value) == f"{value.normalize():f}".replace(".", ",")  # report figures


def test_examples():
    assert fr_number(None) == ""
    assert fr_number(1234567, grouping=True) == "1\u202f234\u202f567"
    assert fr_number(Decimal("1234.50"), 2, trim=True, grouping=True) == "1\u202f234,5"
    assert fr_number(2.0, 2, trim=True) == "2"
    assert fr_number(0.1) == "0,1"
    assert fr_number(Decimal("50.00")) == "50"


def test_the_template_filter_writes_numbers_with_the_one_formatter():
    """`{{ value|fr_number }}` in templates (maps, the funnel's table): thousands grouped, a
    decimal comma, at most the decimals asked for, "—" for nothing."""
    from django.template import Context, Template

    template = Template(
        "{% load numbers %}{{ a|fr_number }}|{{ b|fr_number:1 }}|{{ c|fr_number:1 }}|"
        "{{ d|fr_number }}|{{ e|fr_number }}"
    )
    text = template.render(Context({"a": 1111, "b": 11577.98, "c": 50.0, "d": None, "e": "n/a"}))
    assert text == "1\u202f111|11\u202f578|50|—|n/a"
