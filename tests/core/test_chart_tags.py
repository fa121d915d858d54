# ruff: noqa: E501 -- the reference markup is kept line for line as the template wrote it
"""The line charts' `<svg>` written by `{% line_chart_svg %}` (caflab.core.templatetags.charts):
the very markup the template wrote, number for number."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from caflab.core import charts

# What components/charts/lines.html wrote before the tag, kept as the reference.
TEMPLATE_SVG = (
    "{% load l10n %}{% localize off %}"
    '<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="{{ chart.width }}" height="{{ chart.height }}" role="img" aria-labelledby="{{ chart.id }}-titre {{ chart.id }}-desc" focusable="false">'
    '<title id="{{ chart.id }}-titre">{{ chart.title }}</title>'
    '<desc id="{{ chart.id }}-desc">{{ chart.summary }}</desc>'
    "{% for tick in chart.y_ticks %}"
    '<line x1="{{ chart.left }}" y1="{{ tick.position }}" x2="{{ chart.right }}" y2="{{ tick.position }}" stroke="#dee2e6" stroke-width="1"></line>'
    '<text x="{{ chart.left|add:-6 }}" y="{{ tick.position }}" text-anchor="end" dominant-baseline="middle" font-size="14" fill="#212529">{{ tick.text }}</text>'
    "{% endfor %}"
    '<line x1="{{ chart.left }}" y1="{{ chart.bottom }}" x2="{{ chart.right }}" y2="{{ chart.bottom }}" stroke="#495057" stroke-width="1"></line>'
    "{% for tick in chart.x_ticks %}"
    '<text x="{{ tick.position }}" y="{{ chart.bottom|add:16 }}" text-anchor="middle" font-size="14" fill="#212529">{{ tick.text }}</text>'
    "{% endfor %}"
    "{% if chart.baseline_y is not None %}"
    '<line x1="{{ chart.left }}" y1="{{ chart.baseline_y }}" x2="{{ chart.right }}" y2="{{ chart.baseline_y }}" stroke="#495057" stroke-width="2" stroke-dasharray="2 4"></line>'
    "{% endif %}"
    "{% if chart.target_points %}"
    '<polyline points="{{ chart.target_path }}" fill="none" stroke="#a4361f" stroke-width="2" stroke-dasharray="8 5"></polyline>'
    '{% for point in chart.target_points %}<rect x="{{ point.x|add:-4 }}" y="{{ point.y|add:-4 }}" width="8" height="8" fill="#a4361f"></rect>{% endfor %}'
    "{% endif %}"
    "{% if chart.points %}"
    '<polyline points="{{ chart.path }}" fill="none" stroke="#0b5cad" stroke-width="2.5"></polyline>'
    '{% for point in chart.points %}<circle cx="{{ point.x }}" cy="{{ point.y }}" r="{% if chart.small %}3{% else %}4{% endif %}" fill="#0b5cad"></circle>{% endfor %}'
    "{% endif %}"
    "</svg>"
    "{% endlocalize %}"
)


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def chart(**kwargs):
    defaults = {
        "labels": ["T1 2025", "T2 2025", "T3 2025", "T4 2025"],
        "values": [Decimal("12.5"), None, Decimal("-3.25"), Decimal("1234.5")],
        "targets": [None, Decimal("20"), Decimal("25.5"), None],
        "baseline": Decimal("10.75"),
        "unit": "% <des> familles",
    }
    return charts.line_chart("indicateur-7", 'Délai "moyen" & <médian>', **(defaults | kwargs))


@pytest.mark.parametrize(
    "drawn",
    [
        chart(),
        chart(small=True, y_range=(-10.0, 2000.0)),
        chart(baseline=None, targets=[None] * 4),
        chart(values=[None] * 4),
        chart(labels=["2025"], values=[Decimal("0.333")], targets=[None], baseline=None),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_tag_writes_what_the_template_wrote(drawn, language):
    with translation.override(language):
        expected = Template(TEMPLATE_SVG).render(Context({"chart": drawn}))
        written = Template("{% load charts %}{% line_chart_svg chart %}").render(
            Context({"chart": drawn})
        )
    assert normalised(written) == normalised(expected)


def test_texts_are_escaped():
    written = Template("{% load charts %}{% line_chart_svg chart %}").render(
        Context({"chart": chart()})
    )
    assert "<médian>" not in written
    assert "&lt;médian&gt;" in written
