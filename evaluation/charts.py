"""Server-side SVG drawings of the evaluation: an indicator's line chart (values, baseline and
targets over time; drawn by evaluation/includes/line_chart.html with its data table) and the
theory of change diagram (four columns of boxes and arrows, with its list next to it).

As in projects.charts, the geometry is computed here and the templates only draw it; every
drawing has a title and a one-sentence summary for its accessible name and description, and
never relies on colour alone (the target line is dashed, the baseline dotted, both labelled).
"""

import math
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

SERIES_COLOUR = "#0b5cad"  # --caf-blue-700, 6.7:1 on white
TARGET_COLOUR = "#a4361f"  # a dark red, 6.3:1 on white
BASELINE_COLOUR = "#495057"  # grey 700, 8.6:1 on white


def fmt_number(value: Decimal | float | int | None) -> str:
    """French style: "1 234,5"; no decimals when whole; "—" when there is no value."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    text = text.replace(",", "\u202f").replace(".", ",")
    if text.endswith(",00"):
        text = text[:-3]
    elif text.endswith("0") and "," in text:
        text = text[:-1]
    return text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 × 10^n)."""
    if low == high:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    ticks = []
    value = start
    while value <= end + step / 1000:
        ticks.append(round(value, 10))
        value += step
    return ticks


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    text: str


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class TableRow:
    label: str
    value: str
    target: str
    note: str = ""


@dataclass
class LineChart:
    id: str
    title: str
    summary: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    unit: str
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    target_points: list[Point] = field(default_factory=list)
    baseline_y: float | None = None
    baseline_text: str = ""
    rows: list[TableRow] = field(default_factory=list)
    note_header: str = ""
    small: bool = False

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def target_path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.target_points)

    @property
    def is_empty(self) -> bool:
        return not self.points and not self.target_points


def value_range(*groups) -> tuple[float, float] | None:
    """The lowest and highest of the values given (None ignored); None when there are none."""
    numbers = [float(v) for group in groups for v in group if v is not None]
    if not numbers:
        return None
    return min(numbers), max(numbers)


def line_chart(
    chart_id: str,
    title: str,
    *,
    labels: list[str],
    values: list[Decimal | None],
    targets: list[Decimal | None],
    baseline: Decimal | None,
    unit: str,
    notes: list[str] | None = None,
    note_header: str = "",
    y_range: tuple[float, float] | None = None,
    small: bool = False,
) -> LineChart:
    """A line chart of one value per period (gaps where None), its targets (dashed) and the
    baseline (a dotted horizontal line). `y_range` shares one scale across small multiples."""
    width, height = (300, 170) if small else (640, 300)
    # Room on the left for the values, on the right for half of the last period's label.
    if small:
        left, right, top, bottom = 52, width - 24, 12, height - 30
    else:
        left, right, top, bottom = 72, width - 36, 16, height - 40
    chart = LineChart(
        id=chart_id,
        title=title,
        summary="",
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        unit=unit,
        note_header=note_header,
        small=small,
    )
    span = y_range or value_range(values, targets, [baseline])
    if span is None:
        chart.summary = _("%(title)s : aucune mesure.") % {"title": title}
        return chart
    ticks = nice_ticks(*span, count=4 if small else 5)
    low, high = ticks[0], ticks[-1]

    def y_of(value) -> float:
        return round(bottom - (float(value) - low) / (high - low) * (bottom - top), 1)

    count = len(labels)
    step = (right - left) / (count - 1) if count > 1 else 0

    def x_of(index: int) -> float:
        return round(left + index * step if count > 1 else (left + right) / 2, 1)

    chart.y_ticks = [Tick(y_of(t), fmt_number(t)) for t in ticks]
    every = max(1, math.ceil(count / (4 if small else 8)))  # keep the x labels readable
    chart.x_ticks = [Tick(x_of(i), label) for i, label in enumerate(labels) if i % every == 0]
    chart.points = [
        Point(x_of(i), y_of(v), labels[i], fmt_number(v))
        for i, v in enumerate(values)
        if v is not None
    ]
    chart.target_points = [
        Point(x_of(i), y_of(t), labels[i], fmt_number(t))
        for i, t in enumerate(targets)
        if t is not None
    ]
    if baseline is not None:
        chart.baseline_y = y_of(baseline)
        chart.baseline_text = fmt_number(baseline)
    notes = notes or [""] * count
    chart.rows = [
        TableRow(label, fmt_number(values[i]), fmt_number(targets[i]), notes[i])
        for i, label in enumerate(labels)
    ]
    measured = [(labels[i], v) for i, v in enumerate(values) if v is not None]
    parts = [title]
    if baseline is not None:
        parts.append(_("référence %(value)s") % {"value": fmt_number(baseline)})
    if measured:
        parts.append(
            _("de %(first)s (%(first_label)s) à %(last)s (%(last_label)s)")
            % {
                "first": fmt_number(measured[0][1]),
                "first_label": measured[0][0],
                "last": fmt_number(measured[-1][1]),
                "last_label": measured[-1][0],
            }
        )
    last_target = next((t for t in reversed(targets) if t is not None), None)
    if last_target is not None:
        parts.append(_("cible %(value)s") % {"value": fmt_number(last_target)})
    chart.summary = ", ".join(parts) + f" ({unit})."
    return chart


# --- the theory of change ----------------------------------------------------------------------

COLUMN_WIDTH = 170
COLUMN_GAP = 60
BOX_HEIGHT = 72
BOX_GAP = 16
HEADER_HEIGHT = 30
LINE_CHARS = 22
MAX_LINES = 4


@dataclass(frozen=True)
class Box:
    pk: int
    x: float
    y: float
    lines: list[str]
    label: str

    @property
    def text_x(self) -> float:
        return self.x + 8

    def line_ys(self) -> list[tuple[float, str]]:
        first = self.y + BOX_HEIGHT / 2 - (len(self.lines) - 1) * 7.5
        return [(first + i * 15, line) for i, line in enumerate(self.lines)]


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    number: int
    mid_x: float
    mid_y: float


@dataclass
class Diagram:
    id: str
    title: str
    summary: str
    width: int
    height: int
    headers: list[Tick]
    boxes: list[Box]
    arrows: list[Arrow]
    box_width: int = COLUMN_WIDTH
    box_height: int = BOX_HEIGHT


def change_diagram(diagram_id: str, title: str, levels, steps, links) -> Diagram:
    """Four columns (activities → outputs → outcomes → impact) of boxes, one per step, and an
    arrow per link, numbered like the hypotheses in the list next to the drawing.
    `levels`: (value, label) pairs in order; `steps` have pk, level, label; `links` have
    source_id, target_id."""
    column_of = {value: i for i, (value, _label) in enumerate(levels)}
    boxes: dict[int, Box] = {}
    rows = [0] * len(levels)
    for step in steps:
        column = column_of[step.level]
        lines = textwrap.wrap(step.label, LINE_CHARS) or [""]
        if len(lines) > MAX_LINES:
            lines = [
                *lines[: MAX_LINES - 1],
                textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), LINE_CHARS, placeholder="…"),
            ]
        boxes[step.pk] = Box(
            pk=step.pk,
            x=column * (COLUMN_WIDTH + COLUMN_GAP) + 2,
            y=HEADER_HEIGHT + rows[column] * (BOX_HEIGHT + BOX_GAP) + 2,
            lines=lines,
            label=step.label,
        )
        rows[column] += 1
    arrows = []
    for number, link in enumerate(links, start=1):
        source, target = boxes.get(link.source_id), boxes.get(link.target_id)
        if source is None or target is None:
            continue
        forward = target.x >= source.x
        x1 = source.x + COLUMN_WIDTH if forward else source.x
        x2 = target.x - 2 if forward else target.x + COLUMN_WIDTH + 2
        if target.x == source.x:  # same column: from the bottom of one to the top of the other
            x1 = x2 = source.x + COLUMN_WIDTH / 2
            y1 = source.y + (BOX_HEIGHT if target.y > source.y else 0)
            y2 = target.y + (-2 if target.y > source.y else BOX_HEIGHT + 2)
        else:
            y1 = source.y + BOX_HEIGHT / 2
            y2 = target.y + BOX_HEIGHT / 2
        # The number sits beside a vertical arrow, above a slanted or horizontal one.
        mid_x, mid_y = (
            (x1 + x2) / 2 + (14 if x1 == x2 else 0),
            (y1 + y2) / 2 + (4 if x1 == x2 else -5),
        )
        arrows.append(Arrow(x1, y1, x2, y2, number, round(mid_x, 1), round(mid_y, 1)))
    width = len(levels) * COLUMN_WIDTH + (len(levels) - 1) * COLUMN_GAP + 4
    height = HEADER_HEIGHT + max(max(rows, default=0), 1) * (BOX_HEIGHT + BOX_GAP) + 4
    headers = [
        Tick(i * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_WIDTH / 2 + 2, str(label))
        for i, (_value, label) in enumerate(levels)
    ]
    counts = ", ".join(f"{label.lower()} : {rows[i]}" for i, (_value, label) in enumerate(levels))
    summary = _(
        "%(title)s, en quatre colonnes (%(counts)s), %(links)s liens. La liste qui suit "
        "en donne le détail."
    ) % {"title": title, "counts": counts, "links": len(arrows)}
    return Diagram(diagram_id, title, summary, width, height, headers, list(boxes.values()), arrows)
