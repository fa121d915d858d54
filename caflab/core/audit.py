"""The audit trail of sensitive changes: who, when, what, before and after.

Two sources, browsed side by side in the admin ("Historique des changements sensibles"):

- **Row changes**, written by PostgreSQL itself (django-pghistory triggers), so that the admin,
  the shell, imports and `QuerySet.update()` are caught alike. A tracked model declares
  `@pghistory.track(*before_and_after(...), fields=..., meta=event_meta(...))`: each change of
  one of the named fields writes two rows in the model's event table, the row as it was
  ("before") then as it became ("after"); the `pghistory.Events` view shows the second with its
  difference to the first. The request's context (the user's id and the scrubbed route, never
  a token path) is attached by `AuditContextMiddleware`. SQLite has no triggers: on
  `make run`'s default database nothing is recorded this way.
- **Acts that change no row** (a "my data" download, an export, an import of people):
  `record()` writes an `AuditEvent` (caflab.core.models), on any database.

Both are kept `AUDIT_RETENTION_DAYS`, then erased by the daily `purge_audit_trail` task.
"""

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pghistory
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import empty
from pghistory.core import event_models
from pghistory.middleware import HistoryMiddleware

from caflab.core.requestlog import scrub_path

# Rows deleted per statement by the purge: short transactions, no long lock on a busy table.
PURGE_BATCH_SIZE = 5000
# The admin's label for the "after" row; the "before" row of the same change precedes it.
BEFORE, AFTER = "before", "after"


# --- declaring what is tracked -----------------------------------------------------------------


def before_and_after(*fields: str) -> tuple[pghistory.UpdateEvent, pghistory.UpdateEvent]:
    """The two trackers of a change of any of `fields`: the old row, then the new one.

    PostgreSQL fires a row's AFTER triggers in the alphabetical order of their names, hence
    the explicit names: "before" is always written first, so `pghistory.Events` computes the
    "after" row's difference against it (before → after of this very change)."""
    condition = pghistory.AnyChange(*fields)
    return (
        pghistory.UpdateEvent(
            BEFORE, row=pghistory.Old, condition=condition, trigger_name="audit_1_before"
        ),
        pghistory.UpdateEvent(
            AFTER, row=pghistory.New, condition=condition, trigger_name="audit_2_after"
        ),
    )


def event_meta(verbose_name: Any, verbose_name_plural: Any) -> dict[str, Any]:
    """Meta of an event model: French names for the admin, newest first."""
    return {
        "verbose_name": verbose_name,
        "verbose_name_plural": verbose_name_plural,
        "ordering": ["-pgh_id"],
    }


# --- the request's context -------------------------------------------------------------------


class _LazyUserId:
    """The signed-in user's id, read when a statement is sent rather than when the request
    starts: reading `request.user` up front would cost a session and a user query on requests
    that never look at the user. A view that writes a tracked row has looked the user up."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def resolve(self) -> int | None:
        user = self.request.__dict__.get("user")
        if user is None or getattr(user, "_wrapped", None) is empty:
            return None
        return user.pk if user.is_authenticated else None


class AuditJSONEncoder(DjangoJSONEncoder):
    """pghistory's encoder of the context (settings.PGHISTORY_JSON_ENCODER)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, _LazyUserId):
            return o.resolve()
        return super().default(o)


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware, with the scrubbed route instead of the raw path (a password
    reset or an invitation link carries its token in the path) and a user read lazily.

    A pass-through on any database other than PostgreSQL: the context travels as a
    `SELECT set_config(…)` put in front of each writing statement, which SQLite cannot run,
    and SQLite has no trigger to read it anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.active = connection.vendor == "postgresql"

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": _LazyUserId(request), "url": scrub_path(request.path)}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.active:
            return self.get_response(request)
        return super().__call__(request)


def audit_context(**metadata: Any) -> Any:
    """A context for changes made outside a request (a management command): on PostgreSQL,
    the rows written inside share it; elsewhere, nothing."""
    if connection.vendor != "postgresql":
        return nullcontext()
    return pghistory.context(**metadata)


# --- acts that change no row -----------------------------------------------------------------


def record(
    *,
    action: str,
    by: Any,
    target: Any = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Any:
    """Write an `AuditEvent`: `by` did `action` (AuditEvent.Action) on `target` (a model
    instance, or None), with `details` (ids and counts, never a person's data)."""
    from caflab.core.models import AuditEvent

    return AuditEvent.objects.create(
        action=action,
        by=by if getattr(by, "is_authenticated", False) else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
        route=scrub_path(request.path) if request is not None else "",
    )


# --- retention -------------------------------------------------------------------------------


def trail_models() -> list[Any]:
    """Every table of the trail: our pghistory event tables and `AuditEvent`."""
    from caflab.core.models import AuditEvent

    ours = {name.rsplit(".", 1)[-1] for name in settings.LOCAL_APPS}
    return [model for model in event_models() if model._meta.app_label in ours] + [AuditEvent]


def _batches(queryset: Any, pk_name: str) -> Iterator[list[Any]]:
    while True:
        ids = list(queryset.order_by(pk_name).values_list(pk_name, flat=True)[:PURGE_BATCH_SIZE])
        if not ids:
            return
        yield ids


def purge_audit_trail(*, now: Any = None) -> dict[str, int]:
    """Erase the trail's rows older than AUDIT_RETENTION_DAYS, in batches; then the pghistory
    contexts no event points to any more. Returns the count per table."""
    from pghistory.models import Context

    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    counts: dict[str, int] = {}
    for model in trail_models():
        created = "at" if model._meta.label == "core.AuditEvent" else "pgh_created_at"
        pk_name = model._meta.pk.name
        old = model.objects.filter(**{f"{created}__lt": cutoff})
        deleted = 0
        for ids in _batches(old, pk_name):
            with transaction.atomic():
                deleted += model.objects.filter(**{f"{pk_name}__in": ids}).delete()[0]
        counts[model._meta.label] = deleted
    # Contexts are shared by the events of one request: erase those older than the cutoff
    # that no remaining event of any table refers to.
    stale = Context.objects.filter(created_at__lt=cutoff)
    for model in event_models():
        if "pgh_context" in {f.name for f in model._meta.fields}:
            stale = stale.exclude(pk__in=model.objects.values("pgh_context_id"))
    deleted = 0
    for ids in _batches(stale, "id"):
        deleted += Context.objects.filter(pk__in=ids).delete()[0]
    counts["pghistory.Context"] = deleted
    return counts
