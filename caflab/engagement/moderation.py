"""The one moderation queue: every kind of row a moderator may publish, hide or restore, from
every app. Comments of each registered `Engageable` are a kind by themselves; an app adds
another kind (contributions held before publication...) with `register_kind`."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caflab.core.queries import count_of
from caflab.engagement import registry
from caflab.engagement.models import TO_MODERATE, CommentStatus
from caflab.engagement.registry import Engageable

if TYPE_CHECKING:
    from caflab.accounts.models import User
    from caflab.engagement.services import BulkResult


@dataclass(frozen=True)
class Row:
    """What the queue shows of one row, whatever its kind."""

    kind: "ModerationKind"
    pk: int
    text: str
    title: str  # what it was written on, or its own title
    url: str
    author: Any
    status: str
    status_label: str
    n_reports: int
    reasons: list[str]
    updated_at: Any

    @property
    def value(self) -> str:
        """The checkbox's value: the kind and the row."""
        return f"{self.kind.key}:{self.pk}"


@dataclass(frozen=True)
class Narrowing:
    """A kind's own filter in the one queue (the contributions of one consultation): the GET
    parameter that carries it, and `apply(rows, value, user)` → (the rows narrowed, what to
    call them: "Contributions de « … »"), or None when `value` names nothing `user` moderates
    (the filter is then ignored)."""

    param: str
    apply: Callable[[models.QuerySet, int, "User"], tuple[models.QuerySet, str] | None]


@dataclass(frozen=True)
class ModerationKind:
    key: str
    label: str | Promise  # "Commentaires d'initiatives"
    # Every row of this kind that `user` may moderate, or None when they moderate none.
    rows: Callable[["User"], models.QuerySet | None]
    waiting_states: tuple[str, ...]
    hidden_states: tuple[str, ...]
    actions: dict[str, str | Promise]
    # (pks already scoped to what `by` moderates, by, action, message) -> BulkResult
    apply: Callable[..., "BulkResult"]
    # The queryset of a page of rows, with what `describe` reads.
    prepare: Callable[[models.QuerySet], models.QuerySet]
    describe: Callable[[Any], dict[str, Any]]
    narrowing: Narrowing | None = None

    def waiting(self, rows: models.QuerySet) -> models.QuerySet:
        return rows.filter(status__in=self.waiting_states)

    def hidden(self, rows: models.QuerySet) -> models.QuerySet:
        return rows.filter(status__in=self.hidden_states)

    def row(self, obj: Any) -> Row:
        return Row(kind=self, pk=obj.pk, updated_at=obj.updated_at, **self.describe(obj))


_extra: dict[str, ModerationKind] = {}


def register_kind(kind: ModerationKind) -> None:
    _extra.setdefault(kind.key, kind)


def _comment_kind(spec: Engageable) -> ModerationKind:
    from caflab.engagement.services import COMMENT_ACTIONS, comments_moderate

    report_model = spec.comment_report_model

    def prepare(rows: models.QuerySet) -> models.QuerySet:
        rows = rows.select_related(spec.target_field, "author")
        if report_model is not None:
            rows = rows.annotate(n_reports=count_of(report_model, "comment")).prefetch_related(
                models.Prefetch("reports", queryset=report_model.objects.order_by("-created_at"))
            )
        return rows

    def describe(comment: Any) -> dict[str, Any]:
        target = spec.target_of(comment)
        reports = list(comment.reports.all()) if report_model is not None else []
        return {
            "text": comment.text,
            "title": spec.title(target),
            "url": f"{spec.url(target)}#commentaire-{comment.pk}",
            "author": comment.author,
            "status": comment.status,
            "status_label": comment.get_status_display(),
            "n_reports": getattr(comment, "n_reports", 0),
            "reasons": [r.reason for r in reports if r.reason][:3],
        }

    def apply(pks: Iterable[int], by: "User", action: str, message: str) -> "BulkResult":
        return comments_moderate(spec=spec, pks=pks, by=by, action=action, message=message)

    return ModerationKind(
        key=spec.comments_kind,
        label=_("Commentaires : %(label)s") % {"label": spec.label},
        rows=spec.moderated_by,
        waiting_states=tuple(TO_MODERATE),
        hidden_states=(CommentStatus.HIDDEN,),
        actions=dict(COMMENT_ACTIONS),
        apply=apply,
        prepare=prepare,
        describe=describe,
    )


def kinds() -> list[ModerationKind]:
    """Every kind, comments first in the order their apps registered."""
    comments = [_comment_kind(s) for s in registry.engageables() if s.comment_model is not None]
    return [*comments, *_extra.values()]


def kinds_for(user: "User") -> list[tuple[ModerationKind, models.QuerySet]]:
    """The kinds `user` moderates, each with the rows they may act on."""
    found = []
    for kind in kinds():
        rows = kind.rows(user)
        if rows is not None:
            found.append((kind, rows))
    return found
