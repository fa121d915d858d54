from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from pghistory.admin import EventModelAdmin, EventsAdmin

from caflab.core.audit import trail_models
from caflab.core.models import AuditEvent, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """Written by the heartbeat task only: shown, never added, edited or deleted by hand."""

    list_display = ("name", "last_seen", "published_at")
    search_fields = ("name",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Heartbeat | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Heartbeat | None = None) -> bool:
        return False


# --- the audit trail (caflab.core.audit) ------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Acts that change no row (downloads, exports, imports): read only, erased by the purge."""

    list_display = ("at", "action", "by", "target_type", "target_id", "route")
    list_filter = ("action", "target_type")
    list_select_related = ("by",)
    date_hierarchy = "at"
    search_fields = ("by__email", "target_id", "route")
    fields = ("at", "action", "by", "target_type", "target_id", "details", "route")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditEventsAdmin(EventsAdmin):
    """pghistory's view of every event table at once (PGHISTORY_ADMIN_CLASS): filtered by
    label and table, by day, searched by the object's id. PostgreSQL only (its SQL is)."""

    date_hierarchy = "pgh_created_at"
    search_fields = ("=pgh_obj_id",)

    def get_list_display(self, request: HttpRequest) -> list[str]:
        return [
            "pgh_created_at",
            "pgh_label",
            "pgh_obj_model",
            "pgh_obj_id",
            "pgh_diff",
            "user",
            "url",
        ]


@admin.display(description=_("par (id)"))
def context_user(event: Any) -> Any:
    context = event.pgh_context
    return context.metadata.get("user") if context is not None else None


@admin.display(description=_("adresse"))
def context_url(event: Any) -> str:
    context = event.pgh_context
    return context.metadata.get("url", "") if context is not None else ""


class TrailModelAdmin(EventModelAdmin):
    """One event table: the rows written by the triggers, newest first, never edited.

    Related objects are read in the page's query when the column may be empty (a LEFT JOIN);
    a required one (the tracked object, a group…) is shown by its id, since its row may have
    been deleted since and an inner join would hide the event."""

    date_hierarchy = "pgh_created_at"
    search_fields = ("pgh_context__metadata__url",)

    def _columns(self) -> tuple[list[str], list[str]]:
        shown, joined = [], ["pgh_context"]
        for field in self.model._meta.fields:
            if field.name.startswith("pgh_") and field.name != "pgh_obj":
                continue
            if field.is_relation and not field.null:
                shown.append(field.attname)
            else:
                shown.append(field.name)
                if field.is_relation:
                    joined.append(field.name)
        return shown, joined

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return ["pgh_created_at", "pgh_label", *self._columns()[0], context_user, context_url]

    def get_list_select_related(self, request: HttpRequest) -> list[str]:
        return self._columns()[1]


class TrackedThroughAdmin(admin.ModelAdmin):
    """A many-to-many table tracked by the trail (groups, permissions, perimeters): shown only,
    edited where it belongs (the account, the consultation)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for _event_model in trail_models():
    if _event_model is AuditEvent:
        continue
    admin.site.register(_event_model, TrailModelAdmin)
    _tracked = _event_model.pgh_tracked_model
    if _tracked._meta.proxy and not admin.site.is_registered(_tracked):
        admin.site.register(_tracked, TrackedThroughAdmin)
