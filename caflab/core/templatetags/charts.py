"""The charts' template tags (`{% load charts %}`); the charts themselves are caflab.core.charts,
their templates components/charts/.

`{% line_chart_svg chart %}`: the `<svg>` of a caflab.core.charts.LineChart, written in Python.
An indicator's page draws thirteen charts (its own and twelve small ones by Caf): through the
template, each point, tick and line is a loop iteration and a handful of variable lookups,
milliseconds a page. This writes the same markup as the line chart's template did inside
`{% localize off %}`: every number through `localize(use_l10n=False)`, every text
escaped, and `|add:` offsets on whole numbers, as Django's filter computes them.
"""

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from caflab.core.charts import FONT_SIZE, LineChart

register = template.Library()


def _v(value: Any) -> str:
    """A value as `{{ value }}` writes it with localisation off (escaped)."""
    return str(conditional_escape(localize(value, use_l10n=False)))


def _add(value: Any, offset: int) -> str:
    """`{{ value|add:offset }}`: Django's `add` works on whole numbers when it can."""
    try:
        return _v(int(value) + offset)
    except (ValueError, TypeError):
        return _v(value + offset)


@register.simple_tag
def line_chart_svg(chart: LineChart) -> SafeString:
    font = _v(FONT_SIZE)
    left, right, bottom = _v(chart.left), _v(chart.right), _v(chart.bottom)
    parts = [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_v(chart.width)} '
        f'{_v(chart.height)}" width="{_v(chart.width)}" height="{_v(chart.height)}" role="img" '
        f'aria-labelledby="{_v(chart.id)}-titre {_v(chart.id)}-desc" focusable="false">',
        f'<title id="{_v(chart.id)}-titre">{_v(chart.title)}</title>',
        f'<desc id="{_v(chart.id)}-desc">{_v(chart.summary)}</desc>',
    ]
    for tick in chart.y_ticks:
        y = _v(tick.position)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#dee2e6" '
            f'stroke-width="1"></line><text x="{_add(chart.left, -6)}" y="{y}" '
            f'text-anchor="end" dominant-baseline="middle" font-size="{font}" '
            f'fill="#212529">{_v(tick.text)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#495057" '
        f'stroke-width="1"></line>'
    )
    x_label_y = _add(chart.bottom, 16)
    for tick in chart.x_ticks:
        parts.append(
            f'<text x="{_v(tick.position)}" y="{x_label_y}" text-anchor="middle" '
            f'font-size="{font}" fill="#212529">{_v(tick.text)}</text>'
        )
    if chart.baseline_y is not None:
        y = _v(chart.baseline_y)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#495057" '
            f'stroke-width="2" stroke-dasharray="2 4"></line>'
        )
    if chart.target_points:
        parts.append(
            f'<polyline points="{_v(chart.target_path)}" fill="none" stroke="#a4361f" '
            f'stroke-width="2" stroke-dasharray="8 5"></polyline>'
        )
        parts.extend(
            f'<rect x="{_add(point.x, -4)}" y="{_add(point.y, -4)}" width="8" height="8" '
            f'fill="#a4361f"></rect>'
            for point in chart.target_points
        )
    if chart.points:
        radius = "3" if chart.small else "4"
        parts.append(
            f'<polyline points="{_v(chart.path)}" fill="none" stroke="#0b5cad" '
            f'stroke-width="2.5"></polyline>'
        )
        parts.extend(
            f'<circle cx="{_v(point.x)}" cy="{_v(point.y)}" r="{radius}" fill="#0b5cad"></circle>'
            for point in chart.points
        )
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # noqa: S308 -- every value above is escaped
