"""What the coding says: texts per code and sub-code, overall and by segment (audience or
Caf), with écoute's small-group rule (a segment of fewer than MIN_GROUP_SIZE texts is masked),
a bar chart with its table, and a few quotes per code (masked, from quotable texts only).

Only confirmed codes count (a suggestion from a theme waits to be confirmed). A theme counts a
text once even when several of its sub-themes apply. Five queries whatever the sizes."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from analysis.models import Analysis, AnalysisText, Code, CodeAssignment
from caflab.core import charts
from caflab.core.numbers import fr_number
from ecoute.models import Audience
from ecoute.results import MIN_GROUP_SIZE

N_QUOTES = 3
SEGMENTS = {
    "audience": gettext_lazy("Public"),
    "caf": gettext_lazy("Caf"),
    "wave": gettext_lazy("Vague"),  # an evaluation survey's waves (before / after)
}
# The segment's column on the coded texts.
SEGMENT_COLUMNS = {"audience": "text__audience", "caf": "text__caf_id", "wave": "text__wave"}
UNKNOWN = "-"


@dataclass
class Column:
    key: str
    label: str
    size: int

    @property
    def is_masked(self) -> bool:
        return self.size < MIN_GROUP_SIZE


@dataclass
class Cell:
    count: int | None  # None: masked
    share: str = ""


@dataclass
class CodeRow:
    code: Code
    count: int
    share: str
    cells: list[Cell] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


@dataclass
class Results:
    total: int
    segment: str
    columns: list[Column]
    rows: list[CodeRow]
    chart: charts.Chart
    min_group_size: int = MIN_GROUP_SIZE


def percent(count: int, total: int) -> str:
    return f"{fr_number(100 * count / total, 1)} %" if total else "–"


def _segment_columns(analysis: Analysis, segment: str) -> list[Column]:
    texts = AnalysisText.objects.filter(analysis=analysis).order_by()
    if segment == "caf":
        rows = texts.values("caf_id", "caf__name", "caf__position").annotate(n=Count("pk"))
        columns = [
            Column(str(r["caf_id"] or UNKNOWN), r["caf__name"] or _("Non renseignée"), r["n"])
            for r in sorted(
                rows, key=lambda r: (r["caf__position"] is None, r["caf__position"] or 0)
            )
        ]
    elif segment == "wave":
        rows = texts.values("wave").annotate(n=Count("pk")).order_by("wave")
        columns = [Column(r["wave"] or UNKNOWN, r["wave"] or _("Sans vague"), r["n"]) for r in rows]
    else:
        labels = dict(Audience.choices)
        rows = texts.values("audience").annotate(n=Count("pk")).order_by("audience")
        columns = [
            Column(
                r["audience"] or UNKNOWN, str(labels.get(r["audience"], _("Non renseigné"))), r["n"]
            )
            for r in rows
        ]
    return columns


def build_results(analysis: Analysis, segment: str = "audience") -> Results:
    segment = segment if segment in SEGMENTS else "audience"
    column = SEGMENT_COLUMNS[segment]
    codes = list(analysis.codes.select_related("parent").order_by("position", "pk"))
    columns = _segment_columns(analysis, segment)
    total = sum(c.size for c in columns)
    confirmed = CodeAssignment.objects.filter(
        code__analysis=analysis, is_suggested=False
    ).order_by()
    per_code: dict[tuple[int, str], int] = {}
    for row in (
        confirmed.filter(code__parent__isnull=False)
        .values("code_id", column)
        .annotate(n=Count("text_id"))
    ):
        per_code[(row["code_id"], str(row[column] or UNKNOWN))] = row["n"]
    for row in (
        confirmed.annotate(theme=Coalesce("code__parent_id", "code_id"))
        .values("theme", column)
        .annotate(n=Count("text_id", distinct=True))
    ):
        per_code[(row["theme"], str(row[column] or UNKNOWN))] = row["n"]
    quotes: dict[int, list[str]] = {}
    for row in (
        confirmed.filter(text__is_quotable=True, text__duplicate_of__isnull=True)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("code_id")], order_by=F("text_id").asc())
        )
        .filter(rank__lte=N_QUOTES)
        .values("code_id", "text__masked_text")
    ):
        quotes.setdefault(row["code_id"], []).append(row["text__masked_text"])
    ordered = [c for c in codes if c.parent_id is None]
    children: dict[int, list[Code]] = {}
    for code in codes:
        if code.parent_id:
            children.setdefault(code.parent_id, []).append(code)
    rows = []
    for theme in ordered:
        for code in [theme, *children.get(theme.pk, [])]:
            counts = [per_code.get((code.pk, c.key), 0) for c in columns]
            count = sum(counts)
            cells = [
                Cell(None) if col.is_masked else Cell(n, percent(n, col.size))
                for col, n in zip(columns, counts, strict=True)
            ]
            rows.append(CodeRow(code, count, percent(count, total), cells, quotes.get(code.pk, [])))
    chart = charts.bar_chart(
        "graphique-codes",
        _("Textes par code"),
        [
            charts.ChartRow(
                label=str(row.code.label if row.code.is_theme else f"– {row.code.label}"),
                value=row.count,
            )
            for row in rows
        ],
        label_header=_("Code"),
        value_header=_("Textes"),
        # A text may carry several codes: each count is a share of the texts, not of the codes.
        shares=True,
        whole=total,
        share_header=_("Part des textes"),
        share_decimals=1,
    )
    return Results(total, segment, columns, rows, chart)


# The themes a restitution's first draft names, the most frequent first.
DRAFT_THEMES = 8


def restitution_draft(consultation: Any, user: Any) -> str:
    """A first draft of the restitution's "vous avez dit" from the consultation's analysis: how
    many wrote, then each theme with its number of texts and share, the most frequent first,
    with one quotable text (masked, never a duplicate). "" when there is no analysis the person
    manages, or no text coded yet. The staff rewrite it before publishing."""
    analysis = Analysis.objects.filter(consultation=consultation).first()
    if analysis is None or not user.has_perm("analysis.manage_analysis", analysis):
        return ""
    results = build_results(analysis)
    themes = sorted(
        (row for row in results.rows if row.code.is_theme and row.count),
        key=lambda row: (-row.count, row.code.position, row.code.pk),
    )[:DRAFT_THEMES]
    if not themes:
        return ""
    lines = [
        ngettext(
            "Vous avez été %(n)s à nous écrire. Voici ce qui en ressort :",
            "Vous avez été %(n)s à nous écrire. Voici ce qui en ressort :",
            results.total,
        )
        % {"n": fr_number(results.total, grouping=True)}
    ]
    for row in themes:
        lines.append(
            ngettext(
                "- %(theme)s : %(n)s texte (%(share)s)",
                "- %(theme)s : %(n)s textes (%(share)s)",
                row.count,
            )
            % {
                "theme": row.code.label,
                "n": fr_number(row.count, grouping=True),
                "share": row.share,
            }
        )
        if row.quotes:
            quote = " ".join(row.quotes[0].split())
            lines.append(f"  « {Truncator(quote).chars(200)} »")
    return "\n".join(lines)


# A quote in an impact report is cut at this many characters.
REPORT_QUOTE_CHARS = 400


def report_summary(analysis: Analysis) -> dict[str, Any]:
    """The coded themes of an analysis as an impact report freezes them (JSON-serialisable):
    each code with its number of texts and share, a few quotes (masked, from quotable texts
    only: anonymous answers, consenting testimonies). The small-group rule applies: a code
    given to fewer than MIN_GROUP_SIZE texts shows neither its count nor any quote, and an
    analysis of fewer than MIN_GROUP_SIZE texts shows no code at all. Five queries."""
    results = build_results(analysis)
    masked_all = results.total < MIN_GROUP_SIZE
    codes = []
    if not masked_all:
        for row in results.rows:
            small = row.count < MIN_GROUP_SIZE
            codes.append(
                {
                    "label": row.code.label,
                    "is_theme": row.code.is_theme,
                    "count": None if small else row.count,
                    "share": "" if small else row.share,
                    "quotes": []
                    if small
                    else [
                        Truncator(" ".join(quote.split())).chars(REPORT_QUOTE_CHARS)
                        for quote in row.quotes
                    ],
                }
            )
    return {
        "title": analysis.display_title,
        "n_texts": results.total,
        "is_masked": masked_all,
        "codes": codes,
        "min_group_size": MIN_GROUP_SIZE,
    }
