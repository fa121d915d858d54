"""Render an impact report from its snapshot: the HTML body (shown in the site and stored on the
report) and the PDF (WeasyPrint, from the same body).

Pure functions of the snapshot: no database access, no clock, so rendering the same snapshot
twice gives the same HTML and the same PDF text. Charts are server-rendered SVG
(`caflab.core.charts`) with their data table next to them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from caflab.core.charts import ChartRow, bar_chart, line_chart
from caflab.core.numbers import fr_number
from caflab.core.pdf import no_fetch
from evaluation.snapshot import IMPROVING, NO_DATA, OFF_TRACK, REACHED
from projects import caf_map


def _status_label(status: str) -> str:
    labels = {
        REACHED: _("Cible atteinte"),
        IMPROVING: _("En progrès"),
        OFF_TRACK: _("En retard"),
        NO_DATA: _("Pas encore mesuré"),
    }
    return labels.get(status, status)


def number(value: str | None) -> str:
    """A decimal string ("50.00") as French text ("50", "12,5"); "—" when missing."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return str(value)
    return fr_number(amount)


def _float(value: str | None) -> int | float:
    """A chart value: an int when whole (drawn "40", not "40.0")."""
    if value in (None, ""):
        return 0
    amount = Decimal(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _month(value: str | None) -> str:
    day = _date(value)
    return f"{day:%m/%Y}" if day else ""


def _survey_question(question: dict[str, Any]) -> dict[str, Any]:
    """A question's results per wave, written the French way: "45,2 %" or a mean; None stays
    None (a wave too small to show)."""
    percent = question["measure"] == "percent"
    return {
        **question,
        "rows": [
            {
                "label": row["label"] or _("Moyenne"),
                "values": [
                    None if v is None else (f"{number(v)} %" if percent else number(v))
                    for v in row["values"]
                ],
            }
            for row in question["rows"]
        ],
    }


def _decimal(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def _indicator_chart(index: int, indicator: dict[str, Any]):
    """Each period's value (national, else the mean of the Caf) as a line, the target dashed at
    its period and the baseline dotted: a time series reads as a line, not as bars."""
    series = {point["period"]: point for point in indicator["series"] if point["value"]}
    target_period = indicator["target_period"] if indicator["target_value"] else None
    periods = sorted({*series, *([target_period] if target_period else [])})
    if not periods:
        return None
    return line_chart(
        f"rapport-indicateur-{index}",
        _("%(name)s (%(unit)s) : référence, mesures et cible")
        % {"name": indicator["name"], "unit": indicator["unit"]},
        labels=[_month(period) for period in periods],
        values=[_decimal(series[p]["value"]) if p in series else None for p in periods],
        targets=[
            _decimal(indicator["target_value"]) if p == target_period else None for p in periods
        ],
        baseline=_decimal(indicator["baseline_value"]),
        unit=indicator["unit"],
        notes=[
            ""
            if p not in series
            else _("mesure nationale")
            if not series[p]["n_cafs"]
            else ngettext("moyenne de %(n)s Caf", "moyenne de %(n)s Caf", series[p]["n_cafs"])
            % {"n": series[p]["n_cafs"]}
            for p in periods
        ],
        note_header=_("Mesure"),
    )


def _caf_chart(index: int, indicator: dict[str, Any]):
    rows = [
        ChartRow(label=f"{m['caf_name']} ({m['caf_code']})", value=_float(m["value"]))
        for m in indicator["by_caf"]
    ]
    if not rows or any(row.value < 0 for row in rows):
        return None
    return bar_chart(
        f"rapport-caf-{index}",
        _("%(name)s (%(unit)s) : dernière valeur par Caf")
        % {"name": indicator["name"], "unit": indicator["unit"]},
        rows,
        label_header=_("Caf"),
        value_header=indicator["unit"],
    )


def _judgement_chart(judgements: list[dict[str, Any]]):
    if not judgements:
        return None
    return bar_chart(
        "rapport-jugements",
        _("Appréciation par critère (de 1 à 4)"),
        [
            ChartRow(label=j["criterion_label"], value=j["rating"], note=j["rating_label"])
            for j in judgements
        ],
        label_header=_("Critère"),
        value_header=_("Note"),
        note_header=_("Appréciation"),
    )


# The overseas squares carry their name under them (the snapshot holds only deployed Caf).
OVERSEAS_NAMES = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
MAP_ID = "rapport-carte"


@dataclass(frozen=True)
class ReportMap:
    """The 101 Caf drawn as projects.caf_map's tile grid, coloured by the snapshot's
    deployments: the same squares, colours and hatching as the site's map, drawn from the frozen
    data only. Its data table is the report's table of deployments."""

    id: str
    caption: str
    width: int
    height: int
    tile_size: int
    overseas_heading_y: int
    pattern_id: str
    tiles: list[dict[str, Any]]
    legend: list[dict[str, Any]]


def _report_map(deployments: list[dict[str, Any]], caption: str) -> ReportMap:
    by_code = {d["caf_code"]: d for d in deployments}
    counts = dict.fromkeys(caf_map.CATEGORY_BY_KEY, 0)
    pattern_id = f"{MAP_ID}-hachures"
    tiles = []
    for code, (col, row) in sorted(caf_map.TILE_POSITIONS.items(), key=lambda kv: kv[1][::-1]):
        deployment = by_code.get(code)
        category = caf_map.category_of(deployment["status"] if deployment else None)
        counts[category.key] += 1
        x, y = caf_map.MARGIN + col * caf_map.STEP, caf_map.MARGIN + row * caf_map.STEP
        tiles.append(
            {
                "code": code,
                "key": category.key,
                "title": (
                    f"{deployment['caf_name']} ({code}) : {deployment['status_label']}"
                    if deployment
                    else f"{code} : {category.label}"
                ),
                "x": x,
                "y": y,
                "text_x": x + caf_map.TILE // 2,
                "text_y": y + caf_map.TILE // 2,
                "label_y": y + caf_map.TILE + caf_map.OVERSEAS_NAME_DY,
                "fill": f"url(#{pattern_id})" if category.fill == "pattern" else category.fill,
                "stroke": category.stroke,
                "text": category.text,
                "overseas_name": OVERSEAS_NAMES.get(code, "")
                if row == caf_map.OVERSEAS_ROW
                else "",
            }
        )
    columns = max(col for col, _row in caf_map.TILE_POSITIONS.values()) + 1
    return ReportMap(
        id=MAP_ID,
        caption=caption,
        width=2 * caf_map.MARGIN + columns * caf_map.STEP - (caf_map.STEP - caf_map.TILE),
        height=2 * caf_map.MARGIN
        + caf_map.OVERSEAS_ROW * caf_map.STEP
        + caf_map.TILE
        + caf_map.OVERSEAS_LABEL,
        tile_size=caf_map.TILE,
        overseas_heading_y=caf_map.OVERSEAS_HEADING_Y,
        pattern_id=pattern_id,
        tiles=tiles,
        legend=[
            {
                "label": str(c.label),
                "fill": f"url(#{pattern_id})" if c.fill == "pattern" else c.fill,
                "stroke": c.stroke,
                "hatched": c.fill == "pattern",
                "count": counts[c.key],
            }
            for c in caf_map.CATEGORIES
        ],
    )


def _spread_context(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The essaimage section: the map, the deployments with their latest measurements, the
    adaptation log. None for a snapshot taken before deployments entered reports (version 1):
    its report shows no such section rather than an empty one that would be wrong."""
    if "deployments" not in snapshot:
        return None
    deployments = []
    adaptations = []
    for d in snapshot["deployments"]:
        caf = f"{d['caf_name']} ({d['caf_code']})"
        deployments.append(
            {
                **d,
                "caf": caf,
                "declared": _date(d["declared_on"]),
                "since": _date(d["status_since"]),
                "running": _date(d.get("running_since")),
                "measurement_texts": [
                    _("%(indicator)s : %(value)s %(unit)s (%(month)s)")
                    % {
                        "indicator": m["indicator"],
                        "value": number(m["value"]),
                        "unit": m["unit"],
                        "month": _month(m["period"]),
                    }
                    for m in d["measurements"]
                ],
            }
        )
        adaptations.extend({**a, "caf": caf, "made": _date(a["made_on"])} for a in d["adaptations"])
    adopted = ("running", "sustained")
    return {
        "deployments": deployments,
        "adaptations": adaptations,
        "n_adopted": sum(1 for d in deployments if d["status"] in adopted),
        "n_preparing": sum(1 for d in deployments if d["status"] in ("interested", "preparing")),
        "n_ended": sum(1 for d in deployments if d["is_ended"]),
        "n_unfaithful": sum(1 for a in adaptations if not a["is_faithful"]),
        "map": _report_map(
            snapshot["deployments"],
            _("Où %(code)s est déployé : les 101 Caf") % {"code": snapshot["project"]["code"]},
        )
        if deployments
        else None,
    }


def project_report_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    indicators = []
    for i, indicator in enumerate(snapshot["indicators"], start=1):
        indicators.append(
            {
                **indicator,
                "anchor": f"indicateur-{i}",
                "status_label": _status_label(indicator["status"]),
                "baseline_text": number(indicator["baseline_value"]),
                "baseline_day": _date(indicator["baseline_date"]),
                "target_text": number(indicator["target_value"]),
                "target_month": _month(indicator["target_period"]),
                "latest_text": number(indicator["latest_value"]),
                "latest_month": _month(indicator["latest_period"]),
                "chart": _indicator_chart(i, indicator),
                "caf_chart": _caf_chart(i, indicator),
                "caf_rows": [
                    {**m, "value_text": number(m["value"]), "month": _month(m["period"])}
                    for m in indicator["by_caf"]
                ],
            }
        )
    statuses = {key: 0 for key in (REACHED, IMPROVING, OFF_TRACK, NO_DATA)}
    for indicator in indicators:
        statuses[indicator["status"]] += 1
    effects = snapshot["effects"]
    judgements = snapshot["judgements"]
    recommendations = snapshot["recommendations"]
    mean = (
        number(str(round(Decimal(sum(j["rating"] for j in judgements)) / len(judgements), 1)))
        if judgements
        else None
    )
    return {
        "snapshot": snapshot,
        "project": snapshot["project"],
        "plan": snapshot["plan"],
        "taken_on": _date(snapshot["taken_at"]),
        "indicators": indicators,
        "statuses": statuses,
        "spread": _spread_context(snapshot),
        "surveys": [
            {
                **s,
                "waves": [
                    {**w, "opens": _date(w["opens_on"]), "closes": _date(w["closes_on"])}
                    for w in s["waves"]
                ],
                "questions": [_survey_question(q) for q in s.get("questions", [])],
            }
            for s in snapshot["surveys"]
        ],
        "testimonies": [
            {**t, "collected": _date(t["collected_on"])} for t in snapshot["testimonies"]
        ],
        # None: a snapshot taken before the section existed (no section rather than a wrong one).
        "coded_themes": snapshot.get("coded_themes"),
        "effects": effects,
        "blocking_effects": sum(1 for e in effects if e["is_blocking"]),
        "judgements": judgements,
        "judgement_chart": _judgement_chart(judgements),
        "mean_rating": mean,
        "ecological": snapshot["ecological"],
        "recommendations": [
            {
                **r,
                "due": _date(r["response"]["due_on"]) if r["response"] else None,
                "done": _date(r["response"]["done_on"]) if r["response"] else None,
            }
            for r in recommendations
        ],
        "n_accepted": sum(
            1
            for r in recommendations
            if r["response"] and r["response"]["decision"] in ("accepted", "partly")
        ),
        "cafs_measured": sorted(
            {(m["caf_code"], m["caf_name"]) for i in indicators for m in i["by_caf"]}
        ),
    }


def portfolio_report_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    projects = snapshot["projects"]
    stages: dict[str, int] = {}
    levels: dict[str, int] = {}
    for p in projects:
        stages[p["stage_label"]] = stages.get(p["stage_label"], 0) + 1
        label = p["evidence_level_label"] or _("Pas de plan d’évaluation")
        levels[label] = levels.get(label, 0) + 1
    totals = snapshot["totals"]
    return {
        "snapshot": snapshot,
        "taken_on": _date(snapshot["taken_at"]),
        "projects": [{**p, "mean_text": number(p["mean_rating"])} for p in projects],
        "totals": totals,
        "status_labels": [
            (_status_label(key), totals["indicators"][key])
            for key in (REACHED, IMPROVING, OFF_TRACK, NO_DATA)
        ],
        "stage_chart": bar_chart(
            "rapport-etapes",
            _("Projets évalués par étape"),
            [ChartRow(label=label, value=n) for label, n in stages.items()],
            label_header=_("Étape"),
            value_header=_("Projets"),
            shares=True,
        ),
        "evidence_chart": bar_chart(
            "rapport-preuve",
            _("Projets par niveau de preuve visé"),
            [ChartRow(label=label, value=n) for label, n in sorted(levels.items())],
            label_header=_("Niveau de preuve"),
            value_header=_("Projets"),
            shares=True,
        ),
        "indicator_chart": bar_chart(
            "rapport-indicateurs",
            _("Indicateurs du portefeuille par situation"),
            [
                ChartRow(label=_status_label(key), value=totals["indicators"][key])
                for key in (REACHED, IMPROVING, OFF_TRACK, NO_DATA)
            ],
            label_header=_("Situation"),
            value_header=_("Indicateurs"),
            shares=True,
        ),
    }


def render_report_html(snapshot: dict[str, Any]) -> str:
    """The report's body (sections with h2 headings and a table of contents), from the snapshot
    only."""
    if snapshot["scope"] == "portfolio":
        return render_to_string(
            "evaluation/reports/portfolio_body.html", portfolio_report_context(snapshot)
        )
    return render_to_string("evaluation/reports/report_body.html", project_report_context(snapshot))


def _paris(value: str) -> datetime.datetime:
    """A snapshot's timestamp in the network's time (settings.TIME_ZONE, Europe/Paris)."""
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return timezone.localtime(moment, timezone.get_default_timezone())


def report_cover_context(*, snapshot: dict[str, Any], author: str) -> dict[str, Any]:
    """What the PDF's first page says: the report's project (or the portfolio), the period of
    its data, its author, the version of the plan it answers and when it was generated.

    The generation time is the snapshot's: the document is generated from the data frozen at
    the request, and a rebuild (a worker that died) must give the same file."""
    generated = _paris(snapshot["taken_at"])
    day = dateformat.format(generated, "j F Y")
    cover: dict[str, Any] = {
        "is_project": snapshot["scope"] != "portfolio",
        "author": author,
        "generated": _("Document généré le %(day)s à %(time)s")
        % {"day": day, "time": dateformat.format(generated, "H:i")},
        "period": _("Données arrêtées au %(day)s") % {"day": day},
    }
    if snapshot["scope"] == "portfolio":
        n = snapshot["totals"]["projects"]
        cover["subject"] = ngettext(
            "Portefeuille des innovations évaluées (%(n)s projet)",
            "Portefeuille des innovations évaluées (%(n)s projets)",
            n,
        ) % {"n": n}
        return cover
    project = snapshot["project"]
    cover["subject"] = f"{project['code']} – {project['title']}"
    cover["caf"] = project["pilot_caf"]
    started = _date(project["started_on"])
    if started and started <= generated.date():
        cover["period"] = _("Du %(start)s au %(end)s (données arrêtées à cette date)") % {
            "start": dateformat.format(started, "j F Y"),
            "end": day,
        }
    plan = snapshot["plan"]
    if plan:
        # `plan.version` is the version being written: saving one freezes it and moves the plan
        # on to the next number (evaluation.services.plans), so the last frozen one is the
        # number before it.
        frozen = plan["version"] - 1
        cover["version"] = (
            _("Plan d’évaluation, version %(number)s (dernière version figée)") % {"number": frozen}
            if frozen
            else _("Plan d’évaluation, version %(number)s (pas encore figée)")
            % {"number": plan["version"]}
        )
    return cover


def render_report_pdf(
    *, title: str, body: str, snapshot: dict[str, Any], author: str = ""
) -> bytes:
    """The PDF of a report body, opened by a cover (`report_cover_context`). The document's
    dates are the snapshot's, so the same snapshot gives the same file; headings become the
    PDF's bookmarks. `author`: the full name of the person who asked for it ("" if unknown)."""
    import weasyprint  # heavy: imported by the worker only when it renders

    document = render_to_string(
        "evaluation/reports/report_pdf.html",
        {
            "title": title,
            "body": body,
            "taken_at": snapshot["taken_at"][:19] + "Z",
            "cover": report_cover_context(snapshot=snapshot, author=author),
        },
    )
    return weasyprint.HTML(string=document, base_url=None, url_fetcher=no_fetch()).write_pdf(
        pdf_identifier=b"caflab-" + snapshot_fingerprint(snapshot).encode()
    )


def snapshot_fingerprint(snapshot: dict[str, Any]) -> str:
    from evaluation.snapshot import snapshot_digest

    return snapshot_digest(snapshot)[:32]
