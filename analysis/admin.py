"""The analysis of texts in the Django admin. Texts are copies made by the build (read-only
here); codes, assignments and suggested themes are edited on the site, where the rules live
(two levels, one assignment per text × code, who and when)."""

from django.contrib import admin

from analysis.models import (
    Analysis,
    AnalysisText,
    Code,
    CodeAssignment,
    SuggestedTheme,
    ThemeRun,
    ThemeText,
)

AUDIT = ("created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ("consultation", "texts_status", "n_texts", "created_by", "created_at")
    list_filter = ("texts_status",)
    search_fields = ("consultation__title",)
    list_select_related = ("consultation", "created_by")
    raw_id_fields = ("consultation", "created_by")
    readonly_fields = (*AUDIT, "texts_built_at", "n_texts", "texts_status")


@admin.register(AnalysisText)
class AnalysisTextAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "analysis",
        "source_kind",
        "audience",
        "caf",
        "group_size",
        "has_personal_data",
    )
    list_filter = ("source_kind", "audience", "has_personal_data", "is_quotable")
    # The masked text only: the admin's lists and searches are not the coding view.
    search_fields = ("masked_text",)
    list_select_related = ("analysis__consultation", "caf")
    exclude = ("text", "folded")
    raw_id_fields = ("analysis", "question", "caf", "duplicate_of")


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ("label", "parent", "analysis", "shortcut", "colour", "position")
    list_filter = (("parent", admin.EmptyFieldListFilter),)
    search_fields = ("label", "definition", "analysis__consultation__title")
    list_select_related = ("parent", "analysis__consultation")
    raw_id_fields = ("analysis", "parent")
    readonly_fields = AUDIT


@admin.register(CodeAssignment)
class CodeAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("text", "code", "is_suggested", "assigned_by", "assigned_at")
    list_filter = ("is_suggested",)
    search_fields = ("code__label",)
    list_select_related = ("text", "code__parent", "assigned_by")
    raw_id_fields = ("text", "code", "assigned_by")
    readonly_fields = ("assigned_by", "assigned_at")


@admin.register(ThemeRun)
class ThemeRunAdmin(ReadOnlyAdmin):
    list_display = (
        "analysis",
        "status",
        "progress",
        "n_texts",
        "n_groups",
        "lemmatiser",
        "duration_ms",
        "created_at",
    )
    list_filter = ("status", "lemmatiser")
    search_fields = ("analysis__consultation__title",)
    list_select_related = ("analysis__consultation", "requested_by")
    readonly_fields = (*AUDIT, "started_at", "finished_at", "attempts", "lease_expires_at")


@admin.register(SuggestedTheme)
class SuggestedThemeAdmin(admin.ModelAdmin):
    list_display = ("label", "run", "status", "n_groups", "n_texts", "code")
    list_filter = ("status",)
    search_fields = ("label",)
    list_select_related = ("run__analysis__consultation", "code")
    raw_id_fields = ("run", "code", "merged_into")
    readonly_fields = ("words", "examples", "n_groups", "n_texts")


@admin.register(ThemeText)
class ThemeTextAdmin(ReadOnlyAdmin):
    list_display = ("theme", "text", "weight")
    search_fields = ("theme__label",)
    list_select_related = ("theme", "text")
    raw_id_fields = ("theme", "text")
