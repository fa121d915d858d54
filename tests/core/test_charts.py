"""The core's SVG charts (caflab.core.charts, components/charts/): coordinates in SVG syntax,
values written the French way."""

import re

from django.template.loader import render_to_string

from caflab.core.charts import ChartRow, bar_chart, funnel


def test_the_chart_draws_with_decimal_points_and_prints_values_with_a_decimal_comma():
    chart = bar_chart(
        "attente",
        "Temps d'attente",
        [ChartRow(label="T1 2026", value=34.7), ChartRow(label="T2 2026", value=12.5)],
        label_header="Période",
        value_header="minutes",
    )
    html = render_to_string("components/charts/bars.html", {"chart": chart})
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates
    assert not [c for c in coordinates if "," in c]  # SVG needs a decimal point
    assert ">34,7</text>" in svg  # the value printed after its bar, the French way
    assert ">12,5</text>" in svg
    assert '<td class="text-end">34,7</td>' in html  # and the same in the data table


def test_the_funnel_draws_every_step_with_the_chart_id_for_its_accessible_name():
    chart = funnel(
        "entonnoir",
        "Projets ayant atteint chaque étape",
        [ChartRow("Idée", 40), ChartRow("Prototype", 12), ChartRow("Essaimage", 0)],
        label_header="Étape",
        value_header="Projets",
    )
    svg = render_to_string("components/charts/funnel.html", {"chart": chart})
    assert 'aria-labelledby="entonnoir-titre entonnoir-desc"' in svg
    assert '<title id="entonnoir-titre">Projets ayant atteint chaque étape</title>' in svg
    assert svg.count("<rect ") == 3  # a sliver stays for the step no project reached
    assert "Idée 40 ; Prototype 12 ; Essaimage 0." in chart.summary
