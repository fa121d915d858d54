"""The map of the 101 Caf and the adoption curve of essaimage, drawn as server-side SVG.

The map is a tile-grid cartogram: one square per département, hand-placed on a grid so that it
resembles France (Nord and Pas-de-Calais on top, Finistère far left, Alpes-Maritimes bottom
right, Corse off the south-east coast) and the five overseas départements in a labelled row of
their own. Nothing is fetched: the positions are the constant below.

Views build a `CafMap` (`build_map`, or `project_map` / `network_map`) and hand it to the
component `projects/includes/caf_map.html`, which draws the squares, the legend and the
equivalent table.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caflab.core.fragments import fingerprint
from caflab.network.models import Caf
from projects.models import Deployment, DeploymentChange, Project

# (column, row) of each département's square. Rows 0-13 are metropolitan France (IDF is
# magnified around Paris); the overseas départements sit apart, on OVERSEAS_ROW.
OVERSEAS_ROW = 15
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    # row 0
    "62": (5, 0), "59": (6, 0),
    # row 1
    "76": (4, 1), "80": (5, 1), "60": (6, 1), "02": (7, 1), "08": (8, 1),
    # row 2
    "50": (2, 2), "14": (3, 2), "27": (4, 2), "95": (5, 2), "93": (6, 2), "51": (7, 2),
    "55": (8, 2), "57": (9, 2),
    # row 3
    "29": (0, 3), "22": (1, 3), "35": (2, 3), "61": (3, 3), "78": (4, 3), "92": (5, 3),
    "75": (6, 3), "77": (7, 3), "54": (8, 3), "67": (9, 3),
    # row 4
    "56": (1, 4), "44": (2, 4), "53": (3, 4), "28": (4, 4), "91": (5, 4), "94": (6, 4),
    "10": (7, 4), "52": (8, 4), "88": (9, 4), "68": (10, 4),
    # row 5
    "85": (2, 5), "49": (3, 5), "72": (4, 5), "41": (5, 5), "45": (6, 5), "89": (7, 5),
    "21": (8, 5), "70": (9, 5), "90": (10, 5),
    # row 6
    "79": (3, 6), "37": (4, 6), "36": (5, 6), "18": (6, 6), "58": (7, 6), "71": (8, 6),
    "39": (9, 6), "25": (10, 6),
    # row 7
    "17": (3, 7), "86": (4, 7), "87": (5, 7), "23": (6, 7), "03": (7, 7), "69": (8, 7),
    "01": (9, 7), "74": (10, 7),
    # row 8
    "33": (3, 8), "16": (4, 8), "24": (5, 8), "19": (6, 8), "63": (7, 8), "42": (8, 8),
    "38": (9, 8), "73": (10, 8),
    # row 9
    "40": (3, 9), "47": (4, 9), "46": (5, 9), "15": (6, 9), "43": (7, 9), "07": (8, 9),
    "26": (9, 9), "05": (10, 9),
    # row 10
    "64": (3, 10), "32": (4, 10), "82": (5, 10), "12": (6, 10), "48": (7, 10), "30": (8, 10),
    "84": (9, 10), "04": (10, 10),
    # row 11
    "65": (4, 11), "31": (5, 11), "81": (6, 11), "34": (7, 11), "13": (9, 11), "83": (10, 11),
    "06": (11, 11),
    # rows 12-13: the Pyrenees' east end, and Corse off the south-east coast
    "09": (5, 12), "11": (6, 12), "2B": (12, 12),
    "66": (6, 13), "2A": (12, 13),
    # overseas, apart
    "971": (1, OVERSEAS_ROW), "972": (3, OVERSEAS_ROW), "973": (5, OVERSEAS_ROW),
    "974": (7, OVERSEAS_ROW), "976": (9, OVERSEAS_ROW),
}  # fmt: skip

TILE = 44  # side of a square, in SVG user units
STEP = 48  # grid pitch (a 4-unit gap between squares)
MARGIN = 8
# Room under the overseas squares for their names, and above them for the row's heading; the
# names' baseline under a square. Every text of the map is 14 px at least, as the charts'
# (caflab.core.charts.FONT_SIZE, issue 17).
OVERSEAS_LABEL = 24
OVERSEAS_NAME_DY = 18
OVERSEAS_HEADING_Y = OVERSEAS_ROW * STEP - 8

# Live statuses, least to most advanced: a Caf shows the most advanced of its deployments.
LIVE_RANK = {
    Deployment.Status.INTERESTED: 1,
    Deployment.Status.PREPARING: 2,
    Deployment.Status.RUNNING: 3,
    Deployment.Status.SUSTAINED: 4,
}
ENDED = (Deployment.Status.DECLINED, Deployment.Status.STOPPED)
ADOPTED = (Deployment.Status.RUNNING, Deployment.Status.SUSTAINED)


@dataclass(frozen=True)
class Category:
    """How one status looks. Every text colour reaches at least 4.5:1 on its fill (the hatching
    is pale grey on white, under dark text); the hatched category has a pattern, not only a
    colour, and the legend names each one."""

    key: str
    label: Promise
    fill: str  # a colour, or "pattern" for the hatching
    text: str
    stroke: str = "#4d4d4d"


CATEGORIES: tuple[Category, ...] = (
    Category("interested", _("Intéressée"), "#fde9a9", "#1e1e1e"),  # 13.8:1
    Category("preparing", _("En préparation"), "#f6b26b", "#1e1e1e"),  # 9.1:1
    Category("running", _("En fonctionnement"), "#8fd19e", "#1e1e1e"),  # 9.4:1
    Category("sustained", _("Pérennisé"), "#1b5e20", "#ffffff"),  # 7.9:1
    Category("ended", _("Renoncement ou arrêt"), "pattern", "#1e1e1e"),  # 6.8:1 on the lines
    Category("none", _("Aucun déploiement"), "#ffffff", "#1e1e1e", stroke="#767676"),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}


def category_of(status: str | None) -> Category:
    if status is None:
        return CATEGORY_BY_KEY["none"]
    if status in ENDED:
        return CATEGORY_BY_KEY["ended"]
    return CATEGORY_BY_KEY[str(status)]


@dataclass(frozen=True)
class MapEntry:
    """One Caf on the map: its status (a Deployment.Status or None), since when, and where its
    square links to ("" for no link). `count` is an optional number shown in the table."""

    caf: Caf
    status: str | None = None
    since: datetime.datetime | None = None
    url: str = ""
    count: int | None = None

    @property
    def status_label(self) -> str:
        if self.status is None:
            return str(CATEGORY_BY_KEY["none"].label)
        return str(Deployment.Status(self.status).label)


@dataclass(frozen=True)
class Tile:
    entry: MapEntry
    category: Category
    x: int
    y: int
    fill: str

    @property
    def code(self) -> str:
        return self.entry.caf.code

    @property
    def text_x(self) -> int:
        return self.x + TILE // 2

    @property
    def text_y(self) -> int:
        return self.y + TILE // 2

    @property
    def label_y(self) -> int:
        return self.y + TILE + OVERSEAS_NAME_DY

    @property
    def is_overseas(self) -> bool:
        return self.entry.caf.is_overseas

    @property
    def title(self) -> str:
        return f"{self.entry.caf.name} ({self.code}) : {self.entry.status_label}"


def drawn_tile(
    tile: Tile, status_labels: dict[str | None, str], day_labels: dict[Any, str]
) -> dict[str, Any]:
    """Everything the template prints for a tile, computed once: 101 tiles drawn twice (the
    square and the table row) through properties, lazy translations and a date filter cost
    more than the rest of the page. Plain dicts, because the template language looks a name
    up in a dict first and only then, after an exception, as an attribute."""
    entry, caf, category = tile.entry, tile.entry.caf, tile.category
    if entry.status not in status_labels:
        status_labels[entry.status] = entry.status_label
    status_label = status_labels[entry.status]
    return {
        "code": caf.code,
        "name": caf.name,
        "department": caf.department,
        "region": caf.region.name if caf.region_id else "",
        "is_overseas": caf.is_overseas,
        "url": entry.url,
        "count": entry.count,
        "since": _day_label(entry.since, day_labels) if entry.since else "",
        "status_label": status_label,
        "title": f"{caf.name} ({caf.code}) : {status_label}",
        "key": category.key,
        "stroke": category.stroke,
        "text": category.text,
        "fill": tile.fill,
        "x": tile.x,
        "y": tile.y,
        "text_x": tile.text_x,
        "text_y": tile.text_y,
        "label_y": tile.label_y,
    }


def _day_label(moment: datetime.datetime, labels: dict[Any, str]) -> str:
    """The local day of `moment` as the `date:"j F Y"` filter prints it ("3 janvier 2026"):
    the month names translated once per map, not through a date format per tile."""
    local = timezone.template_localtime(moment)
    day = local.date() if isinstance(local, datetime.datetime) else local
    if day not in labels:
        month = labels.get(day.month) or labels.setdefault(day.month, str(MONTHS[day.month]))
        labels[day] = f"{day.day} {month} {day.year}"
    return labels[day]


@dataclass(frozen=True)
class LegendItem:
    category: Category
    count: int


@dataclass
class CafMap:
    tiles: list[Tile]
    legend: list[LegendItem]
    caption: str
    id_prefix: str = "carte"
    table_open: bool = False
    show_count: bool = False
    count_label: str = ""
    width: int = field(init=False)
    height: int = field(init=False)
    overseas_heading_y: int = OVERSEAS_HEADING_Y
    tile_size: int = TILE
    # What the template prints for each tile, as plain dicts (see drawn_tile).
    rows: list[dict[str, Any]] = field(init=False)
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        columns = max(col for col, _row in TILE_POSITIONS.values()) + 1
        self.width = 2 * MARGIN + columns * STEP - (STEP - TILE)
        self.height = 2 * MARGIN + OVERSEAS_ROW * STEP + TILE + OVERSEAS_LABEL
        status_labels: dict[str | None, str] = {}
        day_labels: dict[Any, str] = {}
        self.rows = [drawn_tile(tile, status_labels, day_labels) for tile in self.tiles]
        # The cache key of the drawn map (caflab.core.fragments): everything the template
        # prints.
        self.fingerprint = fingerprint(
            self.rows,
            [(item.category.key, item.count) for item in self.legend],
            self.caption,
            self.id_prefix,
            self.table_open,
            self.show_count,
            self.count_label,
            self.width,
            self.height,
            self.overseas_heading_y,
            self.tile_size,
        )

    @property
    def pattern_id(self) -> str:
        return f"{self.id_prefix}-hachures"


def build_map(
    entries: Iterable[MapEntry],
    *,
    caption: str,
    id_prefix: str = "carte",
    table_open: bool = False,
    count_label: str = "",
) -> CafMap:
    """Place each entry's Caf on its square. Every Caf must have a position (KeyError if not)."""
    tiles = []
    counts = dict.fromkeys(CATEGORY_BY_KEY, 0)
    for entry in entries:
        col, row = TILE_POSITIONS[entry.caf.code]
        category = category_of(entry.status)
        counts[category.key] += 1
        fill = f"url(#{id_prefix}-hachures)" if category.fill == "pattern" else category.fill
        tiles.append(
            Tile(
                entry=entry,
                category=category,
                x=MARGIN + col * STEP,
                y=MARGIN + row * STEP,
                fill=fill,
            )
        )
    return CafMap(
        tiles=tiles,
        legend=[LegendItem(category=c, count=counts[c.key]) for c in CATEGORIES],
        caption=caption,
        id_prefix=id_prefix,
        table_open=table_open,
        show_count=bool(count_label),
        count_label=count_label,
    )


def all_cafs() -> list[Caf]:
    return list(Caf.objects.select_related("region").order_by("position"))


def project_map(
    project: Project,
    *,
    deployments: Iterable[Deployment] | None = None,
    id_prefix: str = "carte",
    table_open: bool = False,
) -> CafMap:
    """The 101 Caf coloured by `project`'s deployments, each square linking to its deployment.
    Two queries (the Caf, the deployments), one when the deployments are given."""
    if deployments is None:
        deployments = project.deployments.all()
    by_caf = {d.caf_id: d for d in deployments}
    entries = []
    for caf in all_cafs():
        deployment = by_caf.get(caf.pk)
        if deployment is None:
            entries.append(MapEntry(caf=caf))
            continue
        entries.append(
            MapEntry(
                caf=caf,
                status=deployment.status,
                since=deployment.status_changed_at,
                url=reverse("projects:deployment", kwargs={"pk": deployment.pk}),
            )
        )
    return build_map(
        entries,
        caption=str(_("Déploiements de %(code)s dans les 101 Caf") % {"code": project.code}),
        id_prefix=id_prefix,
        table_open=table_open,
    )


def network_map(projects: QuerySet[Project], *, id_prefix: str = "carte") -> CafMap:
    """Each Caf coloured by the most advanced live status of its deployments of `projects`
    (declined or stopped only when nothing else is live). The database groups the deployments
    by Caf and status: three queries in all, whatever the number of deployments."""
    grouped = (
        Deployment.objects.filter(project__in=projects)
        .order_by()
        .values("caf_id", "status")
        .annotate(since=Min("status_changed_at"), n=Count("pk"))
    )
    best: dict[int, dict] = {}
    live_counts: dict[int, int] = {}
    for row in grouped:
        caf_id, status = row["caf_id"], row["status"]
        if status in LIVE_RANK:
            live_counts[caf_id] = live_counts.get(caf_id, 0) + row["n"]
        current = best.get(caf_id)
        if current is None or _rank(status) > _rank(current["status"]):
            best[caf_id] = row
    entries = []
    for caf in all_cafs():
        row = best.get(caf.pk)
        entries.append(
            MapEntry(
                caf=caf,
                status=row["status"] if row else None,
                since=row["since"] if row else None,
                # A Caf with deployments links to its row of the table (its details).
                url=f"#{id_prefix}-caf-{caf.code}" if row else "",
                count=live_counts.get(caf.pk, 0),
            )
        )
    return build_map(
        entries,
        caption=str(_("Les innovations dans les 101 Caf")),
        id_prefix=id_prefix,
        table_open=True,
        count_label=str(_("Innovations en cours")),
    )


def _rank(status: str) -> int:
    # Ended deployments rank below any live one, and "declined" below "stopped".
    if status in LIVE_RANK:
        return LIVE_RANK[status]
    return -1 if status == Deployment.Status.DECLINED else 0


# --- the adoption curve ----------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    month: datetime.date
    new: int
    total: int
    x: float = 0
    y: float = 0

    @property
    def label(self) -> str:
        return formats.date_format(self.month, "F Y")

    @property
    def short_label(self) -> str:
        return formats.date_format(self.month, "N Y")


@dataclass
class AdoptionCurve:
    points: list[CurvePoint]
    path: str = ""
    width: int = 640
    height: int = 260
    left: int = 56  # room for "10 000" at 14 px
    right: int = 16
    top: int = 16
    bottom: int = 40
    y_ticks: list[tuple[int, float]] = field(default_factory=list)
    x_ticks: list[CurvePoint] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.points[-1].total if self.points else 0

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_right(self) -> int:
        return self.width - self.right


def first_months(projects: QuerySet[Project]) -> dict[int, datetime.date]:
    """For each Caf, the month when one of its deployments of `projects` first went running or
    sustained, from the DeploymentChange history (one grouped query)."""
    rows = (
        DeploymentChange.objects.filter(to_status__in=ADOPTED, deployment__project__in=projects)
        .order_by()
        .values("deployment__caf")
        .annotate(first=Min("changed_at"))
        .values_list("deployment__caf", "first")
    )
    return {caf_id: _month(first) for caf_id, first in rows}


def adoption_curve(
    firsts: Mapping[int, datetime.date], *, today: datetime.date | None = None
) -> AdoptionCurve:
    """Cumulative number of Caf that have adopted (a deployment running or sustained), month by
    month from the first adoption to the current month."""
    if not firsts:
        return AdoptionCurve(points=[])
    today = today or timezone.localdate()
    new_by_month: dict[datetime.date, int] = {}
    for month in firsts.values():
        new_by_month[month] = new_by_month.get(month, 0) + 1
    month, last = min(new_by_month), max(max(new_by_month), _month(today))
    points, total = [], 0
    while month <= last:
        total += new_by_month.get(month, 0)
        points.append(CurvePoint(month=month, new=new_by_month.get(month, 0), total=total))
        month = _next_month(month)
    return _draw(AdoptionCurve(points=points))


def _draw(curve: AdoptionCurve) -> AdoptionCurve:
    """Place the points and build the step path (the count holds until the next month)."""
    n = len(curve.points)
    top_value, tick = _nice_scale(curve.total)
    plot_w = curve.plot_right - curve.left
    plot_h = curve.plot_bottom - curve.top

    def x_of(i: float) -> float:
        return round(curve.left + plot_w * i / n, 1)

    def y_of(v: int) -> float:
        return round(curve.plot_bottom - plot_h * v / top_value, 1)

    # Each point sits in the middle of its month's step.
    placed = [
        CurvePoint(month=p.month, new=p.new, total=p.total, x=x_of(i + 0.5), y=y_of(p.total))
        for i, p in enumerate(curve.points)
    ]
    parts = [f"M {x_of(0)} {y_of(0)}"]
    for i, p in enumerate(placed):
        parts.append(f"V {p.y} H {x_of(i + 1)}")
    curve.points = placed
    curve.path = " ".join(parts)
    curve.y_ticks = [(v, y_of(v)) for v in range(0, top_value + 1, tick)]
    every = max(1, -(-n // 6))  # at most about six month labels on the axis
    curve.x_ticks = placed[::every]
    return curve


# (top of the y axis, tick step): the axis never goes past 120, there are 101 Caf.
NICE_SCALES = ((1, 1), (2, 1), (4, 1), (5, 1), (8, 2), (10, 2), (20, 5), (25, 5), (40, 10),
               (50, 10), (60, 10), (80, 20), (100, 20), (120, 20))  # fmt: skip


def _nice_scale(value: int) -> tuple[int, int]:
    for top, tick in NICE_SCALES:
        if value <= top:
            return top, tick
    return NICE_SCALES[-1]


def _month(moment: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
