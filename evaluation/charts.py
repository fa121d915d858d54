"""The theory of change drawn: four columns of boxes and arrows (drawn by
evaluation/includes/toc_svg.html, with its list next to it).

As with the core's charts (caflab.core.charts: bars, funnel, lines), the geometry is computed
here and the template only draws it; the drawing has a title and a one-sentence summary for its
accessible name and description.
"""

import textwrap
from dataclasses import dataclass

from django.utils.translation import gettext as _

from caflab.core.charts import FONT_SIZE, Tick

COLUMN_WIDTH = 170
COLUMN_GAP = 60
# Four lines of 14 px text (the charts' size, issue 17), LINE_HEIGHT apart, with room around.
BOX_HEIGHT = 80
BOX_GAP = 16
HEADER_HEIGHT = 30
LINE_CHARS = 19  # about what a box holds at FONT_SIZE
LINE_HEIGHT = 17
MAX_LINES = 4


@dataclass(frozen=True)
class Box:
    pk: int
    x: float
    y: float
    lines: list[str]
    label: str
    abbreviated: bool = False

    @property
    def text_x(self) -> float:
        return self.x + 8

    def line_ys(self) -> list[tuple[float, str]]:
        first = self.y + BOX_HEIGHT / 2 - (len(self.lines) - 1) * LINE_HEIGHT / 2
        return [(first + i * LINE_HEIGHT, line) for i, line in enumerate(self.lines)]


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
    font_size: int = FONT_SIZE


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
        abbreviated = len(lines) > MAX_LINES
        if abbreviated:
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
            abbreviated=abbreviated,
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
