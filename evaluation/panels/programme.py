"""A programme's page ("programme" page panel, registered in EvaluationConfig.ready()): the
ecological assessment aggregated across the programme's projects (for each of the seven
objectives, how many projects are favourable, neutral, unfavourable), and the environmental
indicators rolled up with their trend. The portfolio does not import this.

The projects are those of the programme the reader sees (`programme.visible_projects`, set by
the page from `Project.objects.visible_to`): a draft of another team is never counted.
Four queries whatever the number of projects and measurements.

Environmental indicators are those of category "Environnemental" (`Indicator.Category
.ENVIRONMENTAL`). An indicator's value for a period is its national value (no Caf) when there
is one, else the mean of its Caf values for that period; its trend compares its last two
measured periods, read with its direction (higher or lower is better).
"""

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from caflab.core import charts
from caflab.core.numbers import fr_number
from evaluation.models import EcologicalRating, Indicator, Measurement

POSITIVE_FILL = "#1e7b34"  # green, 5.4:1 with white text
NEUTRAL_FILL = "#5c636a"  # grey 650, 6.2:1 with white text
NEGATIVE_FILL = "#b3261e"  # red, 6.4:1 with white text

IMPROVING, WORSENING, STABLE, UNKNOWN = "improving", "worsening", "stable", "unknown"


def context(request: HttpRequest, programme: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.has_perm("evaluation.view_participation"):
        return None
    projects = programme.visible_projects
    ids = projects.values("pk")

    # 1 query: the projects, and those with at least one rating.
    assessed = EcologicalRating.objects.filter(project=OuterRef("pk"))
    counts = projects.order_by().aggregate(
        n=Count("pk"), n_assessed=Count("pk", filter=Q(Exists(assessed)))
    )
    # 1 query: per objective and rating, the projects (one rating per project and objective).
    Rating = EcologicalRating.Rating
    cells: dict[tuple[str, int], dict[str, int]] = {}
    for row in (
        EcologicalRating.objects.filter(project__in=ids)
        .order_by()
        .values("objective", "rating")
        .annotate(n=Count("pk"), n_unmitigated=Count("pk", filter=Q(mitigation="")))
    ):
        cells[(row["objective"], row["rating"])] = row
    series = [
        charts.Series(str(Rating.POSITIVE.label), POSITIVE_FILL),
        charts.Series(str(Rating.NEUTRAL.label), NEUTRAL_FILL),
        charts.Series(str(Rating.NEGATIVE.label), NEGATIVE_FILL),
    ]
    rows = []
    n_unmitigated = 0
    for objective, label in EcologicalRating.Objective.choices:
        values = tuple(
            cells.get((objective, rating), {}).get("n", 0)
            for rating in (Rating.POSITIVE, Rating.NEUTRAL, Rating.NEGATIVE)
        )
        unmitigated = cells.get((objective, Rating.NEGATIVE), {}).get("n_unmitigated", 0)
        n_unmitigated += unmitigated
        rows.append(charts.StackedRow(str(label), values, note=str(unmitigated)))
    chart = charts.stacked_bar_chart(
        "programme-evaluation-ecologique",
        _("Appréciation des projets sur les sept objectifs"),
        series,
        rows,
        label_header=_("Objectif"),
        note_header=_("Dont défavorables sans mesure d’atténuation"),
    )
    return {
        "programme": programme,
        "n_projects": counts["n"],
        "n_assessed": counts["n_assessed"],
        "n_unmitigated": n_unmitigated,
        "ecological_chart": chart,
        "indicators": environmental_indicators(ids),
    }


def environmental_indicators(ids: Any) -> dict[str, Any]:
    """The environmental indicators of the projects `ids`, each with its last two values and
    its trend, and how many improve, worsen, stay stable or lack two measured periods. Two
    queries."""
    # 1 query: the indicators.
    indicators = list(
        Indicator.objects.filter(project__in=ids, category=Indicator.Category.ENVIRONMENTAL)
        .select_related("project")
        .only(
            "name",
            "unit",
            "direction",
            "baseline_value",
            "project__code",
            "project__title",
            "position",
        )
        .order_by("project__code", "position", "pk")
    )
    # 1 query: per indicator and period, the national value and the mean of the Caf values.
    values: dict[int, list[tuple[Any, Decimal]]] = {}
    for row in (
        Measurement.objects.filter(indicator__in=[i.pk for i in indicators])
        .order_by()
        .values("indicator", "period")
        .annotate(
            national=Max("value", filter=Q(caf__isnull=True)),
            caf_mean=Avg("value", filter=Q(caf__isnull=False)),
        )
    ):
        value = row["national"] if row["national"] is not None else row["caf_mean"]
        values.setdefault(row["indicator"], []).append((row["period"], Decimal(value)))
    indicator_url = reverse("evaluation:indicator-detail", kwargs={"pk": 987654321})
    labels = {
        IMPROVING: _("s’améliore"),
        WORSENING: _("se dégrade"),
        STABLE: _("stable"),
        UNKNOWN: _("moins de deux mesures"),
    }
    arrows = {IMPROVING: "↗", WORSENING: "↘", STABLE: "→", UNKNOWN: "…"}
    rows = []
    summary = dict.fromkeys(labels, 0)
    for indicator in indicators:
        series = sorted(values.get(indicator.pk, []))
        last = series[-1] if series else None
        previous = series[-2] if len(series) > 1 else None
        trend = _trend(indicator.direction, previous, last)
        summary[trend] += 1
        rows.append(
            {
                "url": indicator_url.replace("987654321", str(indicator.pk)),
                "name": indicator.name,
                "unit": indicator.unit,
                "project": f"{indicator.project.code} {indicator.project.title}",
                "baseline": _number(indicator.baseline_value),
                "last": _number(last[1]) if last else "",
                "last_period": last[0] if last else None,
                "previous": _number(previous[1]) if previous else "",
                "trend": trend,
                "trend_label": labels[trend],
                "arrow": arrows[trend],
            }
        )
    return {
        "rows": rows,
        "summary": [{"key": key, "label": labels[key], "n": summary[key]} for key in labels],
    }


def _trend(direction: str, previous: Any, last: Any) -> str:
    if previous is None or last is None:
        return UNKNOWN
    delta = last[1] - previous[1]
    if delta == 0:
        return STABLE
    better = delta > 0 if direction == "higher" else delta < 0
    return IMPROVING if better else WORSENING


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return fr_number(value, 2, trim=True, grouping=True)
