"""The criées in the Django admin. Status histories, reports and uploads are read-only here:
statuses move through the site's validation flow, and files are uploaded through the site's
checked forms (type, size, content) and downloaded through its views."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from caflab.engagement.admin import (
    CommentAdminBase,
    ReportAdminBase,
    ReportInlineBase,
    SupportAdminBase,
)
from criees.models import (
    Comment,
    CommentReport,
    Criee,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    Pitch,
    Public,
    Support,
)

AUDIT = ("created_at", "updated_at")


@admin.register(Public)
class PublicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    list_editable = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = AUDIT


class MemberInline(admin.TabularInline):
    model = InitiativeMember
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = AUDIT


class StatusChangeInline(HistoryInline):
    model = InitiativeStatusChange
    fields = ("from_status", "to_status", "comment", "changed_at", "changed_by")


class _AttachmentInline(admin.TabularInline):
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("télécharger"))
    def download(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


class FileInline(_AttachmentInline):
    model = InitiativeFile
    fields = ("download", "description", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = ("download", "content_type", "size", "uploaded_by", "created_at")


class ImageInline(_AttachmentInline):
    model = InitiativeImage
    fields = ("download", "alt_text", "caption", "content_type", "size", "created_at")
    readonly_fields = ("download", "content_type", "size", "created_at")


@admin.register(Initiative)
class InitiativeAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Changez plutôt le statut de l’initiative.")

    list_display = ("title", "caf", "status", "published_at", "project", "updated_at")
    list_filter = ("status", "themes", "publics", "caf__region")
    search_fields = ("title", "summary", "problem", "caf__name", "caf__code")
    list_select_related = ("caf", "project")
    autocomplete_fields = ("caf", "created_by", "project", "promoted_by")
    filter_horizontal = ("themes", "publics")
    readonly_fields = (
        "status",
        "status_changed_at",
        "published_at",
        "return_comment",
        "promoted_at",
        *AUDIT,
    )
    date_hierarchy = "created_at"
    inlines = (MemberInline, FileInline, ImageInline, StatusChangeInline)
    fieldsets = (
        (None, {"fields": ("title", "summary", "caf", "themes", "publics")}),
        (
            _("Contenu"),
            {"fields": ("problem", "actions", "results", "cost_and_means", "contact")},
        ),
        (
            _("Statut (modifié par la validation sur le site)"),
            {"fields": ("status", "status_changed_at", "published_at", "return_comment")},
        ),
        (_("Essaimage"), {"fields": ("project", "promoted_at", "promoted_by")}),
        (_("Audit"), {"fields": ("created_by", *AUDIT)}),
    )


@admin.register(InitiativeMember)
class InitiativeMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "initiative", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__last_name", "initiative__title")
    list_select_related = ("user", "initiative")
    autocomplete_fields = ("user", "initiative")
    readonly_fields = AUDIT


@admin.register(InitiativeStatusChange)
class InitiativeStatusChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("initiative", "from_status", "to_status", "changed_at", "changed_by")
    list_filter = ("to_status",)
    search_fields = ("initiative__title", "comment")
    list_select_related = ("initiative", "changed_by")
    readonly_fields = (
        "initiative",
        "from_status",
        "to_status",
        "comment",
        "changed_at",
        "changed_by",
    )

    def has_add_permission(self, request) -> bool:
        return False


class _AttachmentAdmin(admin.ModelAdmin):
    list_select_related = ("initiative", "uploaded_by")
    search_fields = ("name", "initiative__title")
    list_filter = ("content_type",)

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the site's checked form

    @admin.display(description=_("fichier"))
    def download(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


@admin.register(InitiativeFile)
class InitiativeFileAdmin(_AttachmentAdmin):
    list_display = ("name", "initiative", "content_type", "size", "uploaded_by", "created_at")
    fields = ("initiative", "download", "description", "content_type", "size", "uploaded_by")
    readonly_fields = ("initiative", "download", "content_type", "size", "uploaded_by", *AUDIT)


@admin.register(InitiativeImage)
class InitiativeImageAdmin(_AttachmentAdmin):
    list_display = ("name", "initiative", "alt_text", "size", "uploaded_by", "created_at")
    search_fields = ("name", "alt_text", "initiative__title")
    fields = ("initiative", "download", "alt_text", "caption", "content_type", "size")
    readonly_fields = ("initiative", "download", "content_type", "size", "uploaded_by", *AUDIT)


@admin.register(Support)
class SupportAdmin(SupportAdminBase):
    target = "initiative"
    list_filter = ("initiative__caf__region",)


class ReportInline(ReportInlineBase):
    model = CommentReport


@admin.register(Comment)
class CommentAdmin(CommentAdminBase):
    target = "initiative"
    inlines = (ReportInline,)


@admin.register(CommentReport)
class CommentReportAdmin(ReportAdminBase):
    pass


class PitchInline(admin.TabularInline):
    model = Pitch
    extra = 0
    fields = ("initiative", "status", "position", "slot_minutes", "decision")
    autocomplete_fields = ("initiative",)


@admin.register(Criee)
class CrieeAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("title", "starts_at", "format", "status")
    list_filter = ("status", "format", "themes")
    search_fields = ("title", "description", "place")
    autocomplete_fields = ("created_by",)
    filter_horizontal = ("themes",)
    readonly_fields = ("status_changed_at", "current_pitch", *AUDIT)
    date_hierarchy = "starts_at"
    inlines = (PitchInline,)
    fieldsets = (
        (None, {"fields": ("title", "description", "starts_at", "themes")}),
        (_("Format"), {"fields": ("format", "online_url", "place")}),
        (_("Statut"), {"fields": ("status", "status_changed_at", "current_pitch")}),
        (_("Suivi"), {"fields": ("follow_up_summary",)}),
        (_("Audit"), {"fields": ("created_by", *AUDIT)}),
    )


@admin.register(Pitch)
class PitchAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Un passage programmé ou décidé reste dans l’histoire de la criée.")

    def is_kept(self, obj) -> bool:
        return obj.status != obj.Status.PROPOSED or bool(obj.decision)

    list_display = ("initiative", "criee", "status", "position", "slot_minutes", "decision")
    list_filter = ("status", "decision", "criee")
    search_fields = ("initiative__title", "criee__title")
    list_select_related = ("initiative", "criee")
    autocomplete_fields = ("criee", "initiative", "presenters", "proposed_by", "decided_by")
    readonly_fields = ("decided_at", *AUDIT)


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("initiative", "caf", "level", "contact_person", "updated_at")
    list_filter = ("level", "caf__region")
    search_fields = ("initiative__title", "caf__name", "caf__code", "comment")
    list_select_related = ("initiative", "caf", "contact_person")
    autocomplete_fields = ("initiative", "caf", "contact_person", "declared_by", "criee")
    readonly_fields = AUDIT
