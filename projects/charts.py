"""Server-side SVG charts: the geometry is computed here, templates only draw it.

Two shapes: a horizontal bar chart (`bar_chart`, drawn by components/svg_bar_chart.html) and a
funnel (`funnel`, centred bars narrowing with the counts). Both give the chart a title and a
one-sentence summary for the SVG's accessible name and description, and keep the rows so the
template can print the equivalent data table next to the drawing (never colour alone: each bar
carries its label and value as text).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.text import Truncator

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
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


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
