"""The core's SVG charts (caflab.core.charts, components/charts/): coordinates in SVG syntax,
values written the French way."""

import re
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.html import escape

from caflab.core.charts import (
    LABEL_CHARS,
    LINE_HEIGHT,
    ChartRow,
    Series,
    StackedRow,
    bar_chart,
    funnel,
    label_lines,
    line_chart,
    stacked_bar_chart,
)


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
    # Each step with its share of the first: how many of those who entered got this far.
    assert (
        "Idée 40 (100\u202f%) ; Prototype 12 (30\u202f%) ; Essaimage 0 (0\u202f%)." in chart.summary
    )
    assert ">12 (30\u202f%)</text>" in svg


# --- issue 17: charts that read at a glance -------------------------------------------------

COG_LABEL = "Axe 2, ambition 3 : simplifier l’accès aux droits des familles monoparentales"


def _svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


def _stacked():
    return stacked_bar_chart(
        "objectifs",
        "Appréciation des projets",
        [
            Series("Favorable", "#18753c"),
            Series("Neutre", "#495057"),
            Series("Défavorable", "#a4361f"),
        ],
        [StackedRow("Climat", (1500, 300, 200)), StackedRow(COG_LABEL, (1, 0, 3))],
        label_header="Objectif",
    )


def _line():
    return line_chart(
        "courbe",
        "Déploiements par mois",
        labels=[f"mois {i}" for i in range(12)],
        values=[Decimal(2000 + i) for i in range(12)],
        targets=[None] * 12,
        baseline=Decimal("11577.98"),
        unit="déploiements",
    )


def test_every_text_of_every_chart_is_drawn_at_14_px_or_more():
    rows = [ChartRow("Idée", 40), ChartRow(COG_LABEL, 12)]
    drawings = [
        render_to_string(
            "components/charts/bars.html",
            {"chart": bar_chart("b", "B", rows, label_header="É", value_header="P")},
        ),
        render_to_string(
            "components/charts/funnel.html",
            {"chart": funnel("f", "F", rows, label_header="É", value_header="P")},
        ),
        render_to_string("components/charts/stacked_bars.html", {"chart": _stacked()}),
        render_to_string("components/charts/lines.html", {"chart": _line(), "table": True}),
        render_to_string(
            "components/charts/lines.html",
            {
                "chart": line_chart(
                    "s",
                    "S",
                    labels=["a", "b"],
                    values=[Decimal(1), Decimal(2)],
                    targets=[None, None],
                    baseline=None,
                    unit="u",
                    small=True,
                )
            },
        ),
    ]
    for html in drawings:
        svg = _svg(html)
        texts = re.findall(r"<text\b[^>]*>", svg)
        assert texts
        sizes = [float(re.search(r'font-size="([^"]+)"', text).group(1)) for text in texts]
        assert min(sizes) >= 14, svg


def test_a_distribution_prints_each_count_with_its_share_the_french_way():
    chart = bar_chart(
        "etapes",
        "Projets par étape",
        [
            ChartRow("Idée", 1200),
            ChartRow("Prototype", 790),
            ChartRow("Essaimage", 10),
            ChartRow("Abandonné", 0),
        ],
        label_header="Étape",
        value_header="Projets",
        shares=True,
    )
    html = render_to_string("components/charts/bars.html", {"chart": chart})
    svg = _svg(html)
    assert ">1\u202f200 (60\u202f%)</text>" in svg  # thousands grouped, the share beside
    assert ">790 (40\u202f%)</text>" in svg
    assert ">10 (0,5\u202f%)</text>" in svg  # a small part does not read "0 %"
    assert ">0 (0\u202f%)</text>" in svg
    # The table: the count alone, its share in a column of its own.
    assert '<th scope="col" class="text-end">Part</th>' in html
    assert (
        '<td class="text-end">1\u202f200</td>\n            <td class="text-end">60\u202f%</td>'
        in html
    )
    assert "Idée 1\u202f200 (60\u202f%)" in chart.summary


def test_shares_of_a_given_whole_for_questions_with_several_answers():
    chart = bar_chart(
        "q1",
        "Q1",
        [ChartRow("Oui", 30), ChartRow("Non", 30)],
        label_header="Réponse",
        value_header="Réponses",
        shares=True,
        whole=40,
        share_header="Part des répondants",
    )
    assert [row.value_text for row in chart.rows] == ["30 (75\u202f%)", "30 (75\u202f%)"]
    assert chart.share_header == "Part des répondants"


def test_numbers_are_grouped_by_thousands_in_the_drawing_the_table_and_the_summary():
    chart = bar_chart(
        "montants",
        "Montants",
        [ChartRow("Budget", 11577.98), ChartRow("Réponses", 2000)],
        label_header="Poste",
        value_header="Euros",
    )
    html = render_to_string("components/charts/bars.html", {"chart": chart})
    assert ">11\u202f577,98</text>" in _svg(html)
    assert ">2\u202f000</text>" in _svg(html)
    assert '<td class="text-end">11\u202f577,98</td>' in html
    assert '<td class="text-end">2\u202f000</td>' in html
    assert not re.search(r">\s*2000\s*<", html)
    assert "Budget 11\u202f577,98 ; Réponses 2\u202f000." in chart.summary
    line = render_to_string("components/charts/lines.html", {"chart": _line(), "table": True})
    assert '<td class="text-end">2\u202f011</td>' in line
    assert "11\u202f577,98" in line
    stacked = render_to_string("components/charts/stacked_bars.html", {"chart": _stacked()})
    assert ">1\u202f500</text>" in stacked
    assert '<td class="text-end">1\u202f500 (75\u202f%)</td>' in stacked  # share of the row
    assert '<td class="text-end">2\u202f000</td>' in stacked  # the row's total


def test_a_long_label_wraps_on_two_lines_and_is_abbreviated_with_its_full_text_in_a_tooltip():
    chart = bar_chart(
        "cog",
        "Engagements de la COG",
        [ChartRow(COG_LABEL, 3), ChartRow("Caf de l’Isère", 2)],
        label_header="Ambition",
        value_header="Projets",
    )
    long, short = chart.rows
    assert short.lines == ("Caf de l’Isère",)
    assert not short.abbreviated
    assert len(long.lines) == 2
    assert long.abbreviated
    assert long.lines[0].startswith("Axe 2")  # the first letters are kept, never clipped
    assert long.lines[1].endswith("…")
    assert all(len(line) <= LABEL_CHARS for line in long.lines)
    html = render_to_string("components/charts/bars.html", {"chart": chart})
    svg = _svg(html)
    assert f"<g><title>{escape(COG_LABEL)}</title><text" in svg  # the tooltip
    assert svg.count("<title>") == 1  # only for the abbreviated one (and the svg's title)
    assert "<tspan" in svg
    assert f">{escape(COG_LABEL)}</th>" in html  # the table has it in full
    # The two-line row is taller: its second line stays above the next row's label.
    assert chart.rows[1].label_y - long.label_y >= 2 * LINE_HEIGHT


def test_a_label_of_two_short_lines_is_wrapped_not_abbreviated():
    lines, abbreviated = label_lines("Accompagnement des familles monoparentales")
    assert lines == ("Accompagnement des familles", "monoparentales")
    assert not abbreviated


def test_the_data_table_waits_under_a_closed_voir_les_donnees_disclosure():
    chart = bar_chart(
        "etapes", "Projets par étape", [ChartRow("Idée", 4)], label_header="É", value_header="P"
    )
    html = render_to_string("components/charts/bars.html", {"chart": chart})
    details = html[html.index("<details") : html.index("</details>")]
    assert '<details class="chart-data">' in html  # closed: no "open"
    assert "<summary>Voir les données" in details
    assert "<table" in details
    # The drawing keeps its name and description outside the disclosure.
    assert html.index('role="img"') < html.index("<details")
    for template, context in [
        ("components/charts/stacked_bars.html", {"chart": _stacked()}),
        ("components/charts/lines.html", {"chart": _line(), "table": True}),
    ]:
        html = render_to_string(template, context)
        assert html.index("<details") < html.index("<table") < html.index("</details>")


def test_a_stacked_chart_wraps_its_legend_when_the_series_do_not_fit():
    series = [Series(f"Série au nom assez long {i}", "#0b5cad") for i in range(4)]
    chart = stacked_bar_chart(
        "large", "Large", series, [StackedRow("Ligne", (1, 2, 3, 4))], label_header="L"
    )
    assert len({item.y for item in chart.legend}) > 1
    assert all(item.text_x + 8.5 * len(item.label) <= chart.width + 1 for item in chart.legend)
    assert chart.rows[0].y > max(item.y for item in chart.legend) + 14


def test_a_time_series_labels_at_most_six_periods_so_they_never_overlap():
    chart = _line()
    assert len(chart.x_ticks) == 6
    gap = chart.x_ticks[1].position - chart.x_ticks[0].position
    assert gap >= 75  # "janv. 2026" at 14 px
