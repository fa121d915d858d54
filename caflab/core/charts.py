"""Server-side SVG charts: the geometry is computed here, from plain data (labels and numbers),
and the templates only draw it (templates/components/charts/, `{% load charts %}`). No domain
model is read here: the apps build the rows and hand them over.

Four shapes:
- a horizontal bar chart (`bar_chart`, drawn by components/charts/bars.html), and bars cut into
  parts (`stacked_bar_chart`, components/charts/stacked_bars.html);
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
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caflab.core.numbers import THIN_SPACE, fr_number

SERIES_COLOUR = "#0b5cad"  # --caf-blue-700, 6.7:1 on white
TARGET_COLOUR = "#a4361f"  # a dark red, 6.3:1 on white
BASELINE_COLOUR = "#495057"  # grey 700, 8.6:1 on white

# Every text of a chart (labels, values, ticks, legends) is drawn at 14 px or more: smaller
# labels were the first thing people could not read (issue 17).
FONT_SIZE = 14

# --- labels, values and shares -----------------------------------------------------------------

LABEL_CHARS = 28  # about what LABEL_WIDTH holds at FONT_SIZE (capitals and digits included)
LABEL_LINES = 2  # a longer label is cut after its second line, with an ellipsis
LINE_HEIGHT = 17


def label_lines(label: str, width: int = LABEL_CHARS) -> tuple[tuple[str, ...], bool]:
    """A label cut into at most LABEL_LINES lines of `width` characters, at spaces, and whether
    it had to be abbreviated (the drawing then carries the full text in an SVG `<title>`, and
    the data table has it in full). A label never runs past the left edge of the drawing,
    where its first letters used to be clipped."""
    lines = textwrap.wrap(str(label), width, break_long_words=True, break_on_hyphens=False)
    if not lines:
        return ("",), False
    if len(lines) <= LABEL_LINES:
        return tuple(lines), False
    kept = lines[: LABEL_LINES - 1]
    rest = " ".join(lines[LABEL_LINES - 1 :])
    kept.append(Truncator(rest).chars(width))
    return tuple(kept), True


def percent_text(part: int | float, whole: int | float, decimals: int = 0) -> str:
    """`part` as a percentage of `whole`, the French way ("34 %", with a narrow no-break space):
    whole percents by default, one decimal under 1 % so that a small part does not read "0 %";
    "—" when the whole is zero."""
    if not whole:
        return "—"
    share = 100 * float(part) / float(whole)
    if not decimals and 0 < share < 1:
        decimals = 1
    return f"{fr_number(share, decimals)}{THIN_SPACE}%"


def count_text(value: int | float, share: str = "") -> str:
    """A value with its share when there is one: "1 120 (34 %)"."""
    text = _fmt(value)
    return f"{text} ({share})" if share else text


# --- bars and funnel ---------------------------------------------------------------------------

DEFAULT_FILL = "#0b5cad"  # --caf-blue-700: 6.7:1 on white, well above 3:1 for graphics

# Layout, in SVG user units (the viewBox scales to the container).
WIDTH = 640
ROW_HEIGHT = 30
BAR_HEIGHT = 20
LABEL_WIDTH = 230
VALUE_WIDTH = 64
SHARE_VALUE_WIDTH = 112  # "1 120 (34 %)" after the bar
PADDING = 6


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
    lines: tuple[str, ...] = ()
    abbreviated: bool = False
    label_y: float = 0  # the first line's baseline centre: the lines stay centred on the bar
    value_text: str = ""  # "1 120", or "1 120 (34 %)" when the chart shows shares
    share: str = ""  # "34 %" when the chart shows shares, else ""

    @property
    def number_text(self) -> str:
        """The value alone, as the data table prints it: "1 120"."""
        return _fmt(self.value)


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
    share_header: str = ""  # the shares' column in the data table, when the chart has them
    font_size: int = FONT_SIZE
    line_height: int = LINE_HEIGHT

    @property
    def is_empty(self) -> bool:
        return not any(row.value for row in self.rows)

    @property
    def table_columns(self) -> int:
        return 2 + bool(self.share_header) + bool(self.note_header)


def _summary(title: str, rows: Sequence[ChartRow], shares: Sequence[str] = ()) -> str:
    if not rows:
        return title
    shares = list(shares) or [""] * len(rows)
    return (
        f"{title} : "
        + " ; ".join(
            f"{row.label} {count_text(row.value, share)}"
            for row, share in zip(rows, shares, strict=True)
        )
        + "."
    )


def _fmt(value: int | float) -> str:
    """A value as charts print it: "12", "12,5", "11 577,98" (two decimals at most, none when
    whole), thousands grouped ("2 000")."""
    if float(value).is_integer():
        return fr_number(int(value), grouping=True)
    return fr_number(value, 2, trim=True, grouping=True)


def _shares(
    rows: Sequence[ChartRow], shares: bool, whole: int | float | None, decimals: int = 0
) -> list[str]:
    if not shares:
        return [""] * len(rows)
    base = sum(row.value for row in rows) if whole is None else whole
    return [percent_text(row.value, base, decimals) for row in rows]


def _row_height(lines: tuple[str, ...], height: int) -> float:
    """A row's pitch: a second line of label adds 10 units (two lines of 14 px at LINE_HEIGHT
    take 31 units, centred on the bar, and rows stay apart)."""
    return height + (len(lines) - 1) * (LINE_HEIGHT - 7)


def bar_chart(
    chart_id: str,
    title: str,
    rows: Iterable[ChartRow],
    *,
    label_header: str,
    value_header: str,
    note_header: str = "",
    shares: bool = False,
    whole: int | float | None = None,
    share_header: str = "",
    share_decimals: int = 0,
) -> Chart:
    """A horizontal bar chart: labels on the left (on two lines at most, abbreviated beyond),
    bars scaled to the largest value, the value printed after each bar.

    With `shares`, the rows are the parts of a whole (a distribution): each value is printed
    with its percentage of `whole` (by default the sum of the values), "120 (34 %)", and the
    data table has a column of shares (`share_header`, "Part" by default); `share_decimals`
    when the page prints its shares with decimals elsewhere (results pages: "58,3 %")."""
    rows = list(rows)
    top = max((row.value for row in rows), default=0) or 1
    value_width = SHARE_VALUE_WIDTH if shares else VALUE_WIDTH
    bar_space = WIDTH - LABEL_WIDTH - value_width - 2 * PADDING
    share_texts = _shares(rows, shares, whole, share_decimals)
    drawn = []
    y = float(PADDING)
    for row, share in zip(rows, share_texts, strict=True):
        lines, abbreviated = label_lines(row.label)
        row_height = _row_height(lines, ROW_HEIGHT)
        bar_y = y + (row_height - ROW_HEIGHT) / 2
        width = round(bar_space * row.value / top, 1)
        x = LABEL_WIDTH + PADDING
        text_y = bar_y + BAR_HEIGHT / 2
        drawn.append(
            DrawnRow(
                label=str(row.label),
                short_label=" ".join(lines),
                value=row.value,
                url=row.url,
                fill=row.fill,
                note=row.note,
                x=x,
                y=bar_y,
                width=width,
                height=BAR_HEIGHT,
                text_y=text_y,
                value_x=x + width + PADDING,
                lines=lines,
                abbreviated=abbreviated,
                label_y=round(text_y - (len(lines) - 1) * LINE_HEIGHT / 2, 1),
                value_text=count_text(row.value, share),
                share=share,
            )
        )
        y += row_height
    return Chart(
        id=chart_id,
        title=title,
        summary=_summary(title, rows, share_texts),
        width=WIDTH,
        height=round(max(y, PADDING + ROW_HEIGHT) + PADDING),
        label_width=LABEL_WIDTH,
        label_header=label_header,
        value_header=value_header,
        note_header=note_header,
        rows=drawn,
        share_header=(share_header or _("Part")) if shares else "",
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
    stays visible for zero, so every step shows). Labels on the left, values on the right,
    each with its share of the first step ("12 (30 %)": how many of those who entered got
    this far)."""
    rows = list(rows)
    top = max((row.value for row in rows), default=0) or 1
    area = WIDTH - LABEL_WIDTH - SHARE_VALUE_WIDTH - 2 * PADDING
    centre = LABEL_WIDTH + PADDING + area / 2
    share_texts = _shares(rows, True, rows[0].value if rows else None)
    drawn = []
    y = float(PADDING)
    for row, share in zip(rows, share_texts, strict=True):
        lines, abbreviated = label_lines(row.label)
        step_height = _row_height(lines, ROW_HEIGHT)
        width = max(round(area * row.value / top, 1), 2)
        text_y = y + step_height / 2
        drawn.append(
            DrawnRow(
                label=str(row.label),
                short_label=" ".join(lines),
                value=row.value,
                url=row.url,
                fill=row.fill,
                note=row.note,
                x=round(centre - width / 2, 1),
                y=y,
                width=width,
                height=step_height,
                text_y=text_y,
                value_x=WIDTH - SHARE_VALUE_WIDTH + PADDING,
                lines=lines,
                abbreviated=abbreviated,
                label_y=round(text_y - (len(lines) - 1) * LINE_HEIGHT / 2, 1),
                value_text=count_text(row.value, share),
                share=share,
            )
        )
        y += step_height + 4
    return Chart(
        id=chart_id,
        title=title,
        summary=_summary(title, rows, share_texts),
        width=WIDTH,
        height=round(max(y, PADDING + ROW_HEIGHT + 4) + PADDING),
        label_width=LABEL_WIDTH,
        label_header=label_header,
        value_header=value_header,
        note_header=note_header,
        rows=drawn,
        share_header=_("Part de la première étape"),
    )


# --- stacked bars ------------------------------------------------------------------------------

LEGEND_HEIGHT = 28
SEGMENT_TEXT_MIN = 22  # a segment narrower than this prints no value (the table has it)
LEGEND_CHAR_WIDTH = 8.5  # an average character at FONT_SIZE, to place the next legend item


@dataclass(frozen=True)
class Series:
    """One part of a stacked bar: its name in the legend and the table, and its fill (the
    text printed on it is white: pick a fill of 4.5:1 or more against white)."""

    label: str
    fill: str


@dataclass(frozen=True)
class StackedRow:
    label: str
    values: tuple[int | float, ...]  # one per series, in the chart's series order
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Segment:
    label: str
    value: int | float
    fill: str
    x: float
    width: float
    text_x: float
    show_value: bool
    value_text: str = ""  # "1 120"
    cell_text: str = ""  # the data table's cell: "1 120 (34 %)", its share of the row's total


@dataclass(frozen=True)
class DrawnStackedRow:
    label: str
    short_label: str
    values: tuple[int | float, ...]
    total: int | float
    url: str
    note: str
    y: float
    height: float
    text_y: float
    total_x: float
    segments: tuple[Segment, ...]
    lines: tuple[str, ...] = ()
    abbreviated: bool = False
    label_y: float = 0
    total_text: str = ""


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    x: float
    text_x: float
    y: float = 0


@dataclass
class StackedChart:
    id: str
    title: str
    summary: str
    width: int
    height: int
    label_width: int
    label_header: str
    series: list[Series]
    legend: list[LegendItem]
    legend_y: float
    note_header: str = ""
    rows: list[DrawnStackedRow] = field(default_factory=list)
    font_size: int = FONT_SIZE
    line_height: int = LINE_HEIGHT

    @property
    def is_empty(self) -> bool:
        return not any(row.total for row in self.rows)


def stacked_bar_chart(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    rows: Iterable[StackedRow],
    *,
    label_header: str,
    note_header: str = "",
) -> StackedChart:
    """Horizontal bars cut into parts (one per series), scaled to the largest total: a legend
    on top (wrapping to a second line when the series' names do not fit), each part's value
    printed on it when it is wide enough, the total after the bar; the data table has one
    column per series, each count with its share of the row's total (meaning never rests on
    colour alone)."""
    series, rows = list(series), list(rows)
    top = max((sum(row.values) for row in rows), default=0) or 1
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    legend, x, legend_y = [], float(LABEL_WIDTH + PADDING), float(PADDING)
    for item in series:
        item_width = 30 + LEGEND_CHAR_WIDTH * len(str(item.label))
        if legend and x + item_width > WIDTH:
            x, legend_y = float(LABEL_WIDTH + PADDING), legend_y + LEGEND_HEIGHT
        legend.append(
            LegendItem(label=str(item.label), fill=item.fill, x=x, text_x=x + 18, y=legend_y)
        )
        x += item_width
    legend_bottom = legend_y + LEGEND_HEIGHT - PADDING
    drawn = []
    y = legend_bottom + PADDING
    for row in rows:
        lines, abbreviated = label_lines(row.label)
        row_height = _row_height(lines, ROW_HEIGHT)
        bar_y = y + (row_height - ROW_HEIGHT) / 2
        text_y = bar_y + BAR_HEIGHT / 2
        total = sum(row.values)
        x = float(LABEL_WIDTH + PADDING)
        segments = []
        for item, value in zip(series, row.values, strict=True):
            width = round(bar_space * value / top, 1)
            segments.append(
                Segment(
                    label=str(item.label),
                    value=value,
                    fill=item.fill,
                    x=round(x, 1),
                    width=width,
                    text_x=round(x + width / 2, 1),
                    show_value=bool(value) and width >= SEGMENT_TEXT_MIN,
                    value_text=_fmt(value),
                    cell_text=count_text(value, percent_text(value, total) if total else ""),
                )
            )
            x += width
        drawn.append(
            DrawnStackedRow(
                label=str(row.label),
                short_label=" ".join(lines),
                values=tuple(row.values),
                total=total,
                url=row.url,
                note=row.note,
                y=bar_y,
                height=BAR_HEIGHT,
                text_y=text_y,
                total_x=round(x + PADDING, 1),
                segments=tuple(segments),
                lines=lines,
                abbreviated=abbreviated,
                label_y=round(text_y - (len(lines) - 1) * LINE_HEIGHT / 2, 1),
                total_text=_fmt(total),
            )
        )
        y += row_height
    parts = [
        f"{row.label} : "
        + ", ".join(
            f"{item.label} {_fmt(value)}" for item, value in zip(series, row.values, strict=True)
        )
        for row in rows
    ]
    return StackedChart(
        id=chart_id,
        title=title,
        summary=f"{title} : " + " ; ".join(parts) + "." if parts else title,
        width=WIDTH,
        height=round(max(y, legend_bottom + PADDING + ROW_HEIGHT) + PADDING),
        label_width=LABEL_WIDTH,
        label_header=label_header,
        series=series,
        legend=legend,
        legend_y=PADDING,
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
        left, right, top, bottom = 60, width - 24, 12, height - 30
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
        chart.summary = _("%(title)s : aucune mesure.") % {"title": title}
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
    # Keep the x labels apart at FONT_SIZE: "janv. 2026" is about 75 units wide.
    every = max(1, math.ceil(count / (3 if small else 6)))
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
