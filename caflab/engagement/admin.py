"""Admin pieces every engageable app uses for its comment, support and report tables: the
same columns, filters, search and read-only audit fields everywhere. An app subclasses them
and names its target (`target = "initiative"`)."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import KeepsEvidenceAdmin

AUDIT = ("created_at", "updated_at")


class _Target:
    target: str = ""  # the foreign key to the commented, supported or reported object


class SupportAdminBase(_Target, admin.ModelAdmin):
    readonly_fields = ("created_at",)

    def get_list_display(self, request: Any) -> tuple[str, ...]:
        return (self.target, "user", "created_at")

    def get_search_fields(self, request: Any) -> tuple[str, ...]:
        return (f"{self.target}__title", "user__email", "user__last_name")

    def get_list_select_related(self, request: Any) -> tuple[str, ...]:
        return (self.target, "user")

    def get_autocomplete_fields(self, request: Any) -> tuple[str, ...]:
        return (self.target, "user")


class ReportInlineBase(admin.TabularInline):
    extra = 0
    fields = ("reporter", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class CommentAdminBase(_Target, KeepsEvidenceAdmin, admin.ModelAdmin):
    """A comment is never deleted here (it is evidence of the debate): it is hidden."""

    kept_advice = _("Masquez plutôt le commentaire (modération).")
    kept_always = True
    list_filter = ("status",)
    readonly_fields = ("moderated_at", *AUDIT)

    def get_list_display(self, request: Any) -> tuple[str, ...]:
        return ("__str__", self.target, "author", "status", "created_at")

    def get_search_fields(self, request: Any) -> tuple[str, ...]:
        return ("text", f"{self.target}__title", "author__email")

    def get_list_select_related(self, request: Any) -> tuple[str, ...]:
        return (self.target, "author")

    def get_autocomplete_fields(self, request: Any) -> tuple[str, ...]:
        return (self.target, "author", "parent", "moderated_by")


class ReportAdminBase(admin.ModelAdmin):
    """Reports are read here, never written: they are people's words about a comment."""

    list_filter = ("comment__status",)
    search_fields = ("reason", "comment__text", "reporter__email")
    list_display = ("comment", "reporter", "reason", "created_at")
    list_select_related = ("comment", "reporter")
    readonly_fields = ("comment", "reporter", "reason", "created_at")

    def has_add_permission(self, request: Any) -> bool:
        return False
