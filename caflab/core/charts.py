"""Server-side SVG charts: the geometry is computed here, from plain data (labels and numbers),
and the templates only draw it (templates/components/charts/, `{% load charts %}`). No domain
model is read here: the apps build the rows and hand them over.

Three shapes:
- a horizontal bar chart (`bar_chart`, drawn by components/charts/bars.html);
- a funnel (`funnel`, centred bars narrowing with the counts; components/charts/funnel.html);
- a line chart of one value per period with its targets and baseline (`line_chart`;
  components/charts/lines.html and the `{% line_chart_svg %}` tag); small multiples are line
  charts with `small=True` sharing one `y_range` (see `value_range`).

Every chart has a title and a one-sentence summary for the SVG's accessible name and
description, and keeps its rows so the template prints the equivalent data table next to the
drawing; meaning never rests on colour alone (each bar carries its label and value as text, the
target line is dashed, the baseline dotted, both labelled). Numbers are written by the one
French formatter, caflab.core.numbers.fr_number.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caflab.core.numbers import fr_number

SERIES_COLOUR = "#0b5cad"  # --caf-blue-700, 6.7:1 on white
TARGET_COLOUR = "#a4361f"  # a dark red, 6.3:1 on white
BASELINE_COLOUR = "#495057"  # grey 700, 8.6:1 on white

# --- bars and funnel ---------------------------------------------------------------------------

DEFAULT_FILL = "#0b5cad"  # --caf-blue-700: 6.7:1 on white, well above 3:1 for graphics

# Layout, in SVG user units (the viewBox scales to the container).
WIDTH = 640
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_WIDTH = 230
VALUE_WIDTH = 56
PADDING = 6
LABEL_CHARS = 34


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: int | float
    url: str = ""
    fill: str = DEFAULT_FILL
    note: str = ""  # an extra column in the data table (a percentage, a median…)


@dataclass(frozen=True)
class DrawnRow:
    label: str
    short_label: str
    value: int | float
    url: str
    fill: str
    note: str
    x: float
    y: float
    width: float
    height: float
    text_y: float
    value_x: float


@dataclass
class Chart:
    id: str
    title: str
    summary: str
    width: int
    height: int
    label_width: int
    label_header: str
    value_header: str
    note_header: str = ""
    rows: list[DrawnRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(row.value for row in self.rows)


def _summary(title: str, rows: Sequence[ChartRow]) -> str:
    if not rows:
        return title
    return f"{title} : " + " ; ".join(f"{row.label} {_fmt(row.value)}" for row in rows) + "."


def _fmt(value: int | float) -> str:
    """A bar's value in the summary: "12", "12,5" (one decimal when not whole)."""
    if isinstance(value, float) and not value.is_integer():
        return fr_number(value, 1)
    return fr_number(int(value))


def bar_chart(
    chart_id: str,
    title: str,
    rows: Iterable[ChartRow],
    *,
    label_header: str,
    value_header: str,
    note_header: str = "",
) -> Chart:
    """A horizontal bar chart: labels on the left, bars scaled to the largest value, the value
    printed after each bar."""
    rows = list(rows)
    top = max((row.value for row in rows), default=0) or 1
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    drawn = []
    for i, row in enumerate(rows):
        y = PADDING + i * ROW_HEIGHT
        width = round(bar_space * row.value / top, 1)
        x = LABEL_WIDTH + PADDING
        drawn.append(
            DrawnRow(
                label=str(row.label),
                short_label=Truncator(row.label).chars(LABEL_CHARS),
                value=row.value,
                url=row.url,
                fill=row.fill,
                note=row.note,
                x=x,
                y=y,
                width=width,
                height=BAR_HEIGHT,
                text_y=y + BAR_HEIGHT / 2,
                value_x=x + width + PADDING,
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        summary=_summary(title, rows),
        width=WIDTH,
        height=max(len(rows), 1) * ROW_HEIGHT + 2 * PADDING,
        label_width=LABEL_WIDTH,
        label_header=label_header,
        value_header=value_header,
        note_header=note_header,
        rows=drawn,
    )


def funnel(
    chart_id: str,
    title: str,
    rows: Iterable[ChartRow],
    *,
    label_header: str,
    value_header: str,
    note_header: str = "",
) -> Chart:
    """A funnel: one centred bar per step, its width proportional to the count (a thin sliver
    stays visible for zero, so every step shows). Labels on the left, values on the right."""
    rows = list(rows)
    top = max((row.value for row in rows), default=0) or 1
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    centre = LABEL_WIDTH + PADDING + area / 2
    drawn = []
    for i, row in enumerate(rows):
        y = PADDING + i * (ROW_HEIGHT + 4)
        width = max(round(area * row.value / top, 1), 2)
        drawn.append(
            DrawnRow(
                label=str(row.label),
                short_label=Truncator(row.label).chars(LABEL_CHARS),
                value=row.value,
                url=row.url,
                fill=row.fill,
                note=row.note,
                x=round(centre - width / 2, 1),
                y=y,
                width=width,
                height=ROW_HEIGHT,
                text_y=y + ROW_HEIGHT / 2,
                value_x=WIDTH - VALUE_WIDTH + PADDING,
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        summary=_summary(title, rows),
        width=WIDTH,
        height=max(len(rows), 1) * (ROW_HEIGHT + 4) + 2 * PADDING,
        label_width=LABEL_WIDTH,
        label_header=label_header,
        value_header=value_header,
        note_header=note_header,
        rows=drawn,
    )


# --- lines ---------------------------------------------------------------------------------------


def value_text(value: Decimal | float | int | None) -> str:
    """A value of a line chart (ticks, points, data table): "1 234,5"; no decimals when whole;
    "—" when there is no value."""
    return fr_number(value, 2, trim=True, grouping=True, missing="—")


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

    chart.y_ticks = [Tick(y_of(t), value_text(t)) for t in ticks]
    every = max(1, math.ceil(count / (4 if small else 8)))  # keep the x labels readable
    chart.x_ticks = [Tick(x_of(i), label) for i, label in enumerate(labels) if i % every == 0]
    chart.points = [
        Point(x_of(i), y_of(v), labels[i], value_text(v))
        for i, v in enumerate(values)
        if v is not None
    ]
    chart.target_points = [
        Point(x_of(i), y_of(t), labels[i], value_text(t))
        for i, t in enumerate(targets)
        if t is not None
    ]
    if baseline is not None:
        chart.baseline_y = y_of(baseline)
        chart.baseline_text = value_text(baseline)
    notes = notes or [""] * count
    chart.rows = [
        TableRow(label, value_text(values[i]), value_text(targets[i]), notes[i])
        for i, label in enumerate(labels)
    ]
    measured = [(labels[i], v) for i, v in enumerate(values) if v is not None]
    parts = [title]
    if baseline is not None:
        parts.append(_("référence %(value)s") % {"value": value_text(baseline)})
    if measured:
        parts.append(
            _("de %(first)s (%(first_label)s) à %(last)s (%(last_label)s)")
            % {
                "first": value_text(measured[0][1]),
                "first_label": measured[0][0],
                "last": value_text(measured[-1][1]),
                "last_label": measured[-1][0],
            }
        )
    last_target = next((t for t in reversed(targets) if t is not None), None)
    if last_target is not None:
        parts.append(_("cible %(value)s") % {"value": value_text(last_target)})
    chart.summary = ", ".join(parts) + f" ({unit})."
    return chart
