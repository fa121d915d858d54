from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from caflab.opendata.models import DatasetFile, GenerationRun
from caflab.opendata.services import generation_request

AUDIT = ("created_at", "updated_at")


@admin.register(GenerationRun)
class GenerationRunAdmin(admin.ModelAdmin):
    """Written by the worker only; the lab may ask for a run now (the action)."""

    list_display = ("created_at", "status", "progress", "datasets_written", "attempts", "error")
    list_filter = ("status",)
    search_fields = ("error",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "status",
        "error",
        "datasets_written",
        "progress",
        "started_at",
        "finished_at",
        "attempts",
        "lease_expires_at",
        *AUDIT,
    )
    actions = ("generate_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Générer les données ouvertes maintenant"))
    def generate_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        generation_request()
        messages.success(request, _("La génération est demandée ; elle prend quelques minutes."))


@admin.register(DatasetFile)
class DatasetFileAdmin(admin.ModelAdmin):
    list_display = ("slug", "row_count", "csv_bytes", "json_bytes", "generated_at")
    list_filter = ("generated_at",)
    search_fields = ("slug",)
    list_select_related = ("run",)
    readonly_fields = (
        "slug",
        "run",
        "csv_name",
        "csv_bytes",
        "csv_sha256",
        "json_name",
        "json_bytes",
        "json_sha256",
        "row_count",
        "generated_at",
        *AUDIT,
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
