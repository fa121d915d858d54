"""What is waiting for someone: the pieces of the home page's "Ce qui vous attend" section.

Each app registers a panel on the page "home" (`caflab.core.panels`, the object is the signed-in
user) whose context function builds its items with `waiting_panel(title, items)`: a count to
act on ("12 idées à trier", "dont 2 en retard") or a short list of recent news ("Votre idée a
été retenue"), each linking to where the action is done. Every panel renders with the one
template `components/waiting_list.html`, so that they all look the same. An item with nothing
in it is dropped, and a panel with no item left is hidden (`waiting_panel` returns None), so
the home can say "Rien ne vous attend aujourd’hui." when no panel shows.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, QuerySet, Window
from django.utils import formats, timezone
from django.utils.translation import gettext as _

WAITING_TEMPLATE = "components/waiting_list.html"


@dataclass(frozen=True)
class WaitingEntry:
    """One row under an item: a review to decide, an idea whose status moved…"""

    label: str
    url: str | None = None
    note: str = ""  # "à décider avant le 12/03/2027", "Retenue le 3 mars"
    urgent: bool = False  # the note says it is late: shown as a badge, in words


@dataclass(frozen=True)
class WaitingItem:
    label: str  # "Idées à trier"
    url: str | None  # where the action is done
    count: int | None = None  # None: an item of news, shown by its entries only
    urgency: str = ""  # "2 en retard": shown as a badge next to the count
    entries: tuple[WaitingEntry, ...] = field(default_factory=tuple)  # capped by the app
    detail: str = ""  # one short sentence under the label

    @property
    def is_empty(self) -> bool:
        return not self.count and not self.entries


def first_rows_counted(
    queryset: QuerySet, limit: int, **counts: Aggregate
) -> tuple[list[Any], dict[str, int]]:
    """The first `limit` rows of `queryset` and counts over all its rows (`n=Count("pk")`,
    `late=Count("pk", filter=…)`), in one query: the counts are window aggregates, computed
    before the LIMIT. Returns (rows, {name: count}), the counts 0 when there is no row. Not for
    a DISTINCT queryset (the window would count the repeated rows)."""
    annotated = queryset.annotate(
        **{f"waiting_{name}": Window(expression=aggregate) for name, aggregate in counts.items()}
    )
    rows = list(annotated[:limit])
    if not rows:
        return [], dict.fromkeys(counts, 0)
    return rows, {name: getattr(rows[0], f"waiting_{name}") for name in counts}


def waiting_panel(title: str, items: list[WaitingItem], *, key: str) -> dict[str, Any] | None:
    """A home panel's context: `title` over the items that hold something, or None (hidden)
    when none does. `key` makes the panel's heading id unique on the page."""
    shown = [item for item in items if not item.is_empty]
    if not shown:
        return None
    return {"title": title, "items": shown, "key": key}


def status_news(
    title: str, url: str | None, status_label: str, at: datetime.datetime
) -> WaitingEntry:
    """An entry saying what became of something of the user's: "« Titre » : Retenue – le 3 mars"."""
    return WaitingEntry(
        label=_("« %(title)s » : %(status)s") % {"title": title, "status": status_label},
        url=url,
        note=_("le %(day)s")
        % {"day": formats.date_format(timezone.localtime(at), "SHORT_DATE_FORMAT")},
    )
