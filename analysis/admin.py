"""The analysis of texts in the Django admin. Texts are copies made by the build (read-only
here); codes, assignments and suggested themes are edited on the site, where the rules live
(two levels, one assignment per text × code, who and when)."""

from django.contrib import admin

from analysis.models import (
    Analysis,
    AnalysisExport,
    AnalysisText,
    BlindCoding,
    Code,
    CodeAssignment,
    LibraryCode,
    LibraryCodebook,
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
    list_display = ("__str__", "source", "texts_status", "n_texts", "created_by", "created_at")
    list_filter = ("source", "texts_status")
    search_fields = ("title", "consultation__title")
    list_select_related = ("consultation", "created_by")
    raw_id_fields = ("consultation", "created_by")
    readonly_fields = (
        *AUDIT,
        "source",
        "subject_id",
        "title",
        "texts_built_at",
        "n_texts",
        "waves",
        "texts_status",
    )


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


@admin.register(AnalysisExport)
class AnalysisExportAdmin(ReadOnlyAdmin):
    """Built by the worker; the file is the requester's download, served by the site only."""

    list_display = (
        "analysis",
        "format",
        "status",
        "progress",
        "row_count",
        "attempts",
        "requested_by",
        "created_at",
    )
    list_filter = ("status", "format")
    search_fields = ("analysis__consultation__title", "requested_by__email")
    list_select_related = ("analysis__consultation", "requested_by")
    exclude = ("file",)
    readonly_fields = (
        *AUDIT,
        "started_at",
        "finished_at",
        "attempts",
        "lease_expires_at",
        "error",
    )


@admin.register(BlindCoding)
class BlindCodingAdmin(ReadOnlyAdmin):
    """A person's blind codes for a text of the agreement sample; written on the site."""

    list_display = ("text", "coder", "at")
    list_filter = ("at",)
    search_fields = ("coder__email", "text__analysis__consultation__title")
    list_select_related = ("text", "coder")
    raw_id_fields = ("text", "coder", "codes")
    readonly_fields = ("coder", "at")


class LibraryCodeInline(admin.TabularInline):
    model = LibraryCode
    fields = ("position", "label", "parent", "definition", "example", "colour", "shortcut")
    raw_id_fields = ("parent",)
    extra = 0


@admin.register(LibraryCodebook)
class LibraryCodebookAdmin(admin.ModelAdmin):
    """The lab's shared library: published from a codebook page, kept (renamed, described,
    trimmed, withdrawn) here."""

    list_display = ("title", "n_codes", "source", "published_by", "created_at")
    list_filter = ("created_at",)
    search_fields = ("title", "description", "codes__label")
    list_select_related = ("source__consultation", "published_by")
    raw_id_fields = ("source", "published_by")
    readonly_fields = (*AUDIT, "published_by", "n_codes")
    inlines = [LibraryCodeInline]


@admin.register(LibraryCode)
class LibraryCodeAdmin(admin.ModelAdmin):
    list_display = ("label", "parent", "codebook", "shortcut", "position")
    list_filter = (("parent", admin.EmptyFieldListFilter),)
    search_fields = ("label", "definition", "codebook__title")
    list_select_related = ("parent", "codebook")
    raw_id_fields = ("codebook", "parent")
