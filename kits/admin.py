"""The kit in the Django admin. The lab defines the stage kits here (their deliverables, blocking
or not, and the templates to download: uploads checked as on the site). Documents, versions,
checks and fiches are written through the site's checked forms; here they are read, searched
and never deleted (evidence a gate relied on)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import KeepsEvidenceAdmin
from caflab.core.uploads import display_name
from kits.models import (
    Deliverable,
    DeliverableCheck,
    Document,
    DocumentVersion,
    ReplicationGuide,
    StageKit,
)
from kits.services.documents import check_document

AUDIT = ("created_at", "updated_at")


class DeliverableAdminForm(forms.ModelForm):
    """The template is checked as every upload (format, size, content)."""

    class Meta:
        model = Deliverable
        fields = [
            "kit",
            "label",
            "description",
            "document_kind",
            "is_blocking",
            "position",
            "is_active",
            "template",
        ]

    def clean_template(self) -> Any:
        upload = self.cleaned_data.get("template")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_document(upload)
        return upload

    def save(self, commit: bool = True) -> Deliverable:
        upload = self.cleaned_data.get("template")
        if upload and hasattr(upload, "content_type"):
            self.instance.template_name = display_name(upload.name)
        elif not upload:
            self.instance.template_name = ""
        return super().save(commit=commit)


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    form = DeliverableAdminForm
    extra = 0
    fields = ("position", "label", "document_kind", "is_blocking", "is_active", "template")
    show_change_link = True

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # deactivate instead: checks and past gates refer to it


@admin.register(StageKit)
class StageKitAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Désactivez plutôt le kit.")
    list_display = ("stage", "is_active", "n_deliverables", "updated_at")
    list_filter = ("is_active", "stage")
    search_fields = ("introduction", "deliverables__label")
    readonly_fields = AUDIT
    inlines = (DeliverableInline,)

    def is_kept(self, obj: StageKit) -> bool:
        return obj.deliverables.exists()

    @admin.display(description=_("livrables"))
    def n_deliverables(self, obj: StageKit) -> int:
        return obj.deliverables.count()


@admin.register(Deliverable)
class DeliverableAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Désactivez plutôt le livrable.")
    form = DeliverableAdminForm
    list_display = ("label", "kit", "document_kind", "is_blocking", "is_active", "position")
    list_filter = ("kit__stage", "is_blocking", "is_active", "document_kind")
    search_fields = ("label", "description")
    list_select_related = ("kit",)
    readonly_fields = ("template_name", *AUDIT)

    def is_kept(self, obj: Deliverable) -> bool:
        return obj.checks.exists()


@admin.register(DeliverableCheck)
class DeliverableCheckAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("project", "deliverable", "checked_by", "created_at")
    list_filter = ("deliverable__kit__stage",)
    search_fields = ("project__code", "project__title", "deliverable__label")
    list_select_related = ("project", "deliverable", "checked_by")
    fields = ("project", "deliverable", "checked_by", *AUDIT)
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "download", "size", "note", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("télécharger"))
    def download(self, obj: DocumentVersion) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


@admin.register(Document)
class DocumentAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("title", "kind", "project", "initiative", "n_versions", "updated_at")
    list_filter = ("kind",)
    search_fields = ("title", "description", "project__code", "project__title", "initiative__title")
    list_select_related = ("project", "initiative")
    fields = (
        "title",
        "kind",
        "description",
        "project",
        "initiative",
        "n_versions",
        "latest_version",
        "created_by",
        *AUDIT,
    )
    readonly_fields = (
        "project",
        "initiative",
        "n_versions",
        "latest_version",
        "created_by",
        *AUDIT,
    )
    inlines = (VersionInline,)

    def has_add_permission(self, request: Any) -> bool:
        return False  # through the site: the first version is a checked upload


@admin.register(DocumentVersion)
class DocumentVersionAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("document", "number", "name", "size", "uploaded_by", "created_at")
    list_filter = ("document__kind",)
    search_fields = ("name", "note", "document__title")
    list_select_related = ("document", "uploaded_by")
    fields = (
        "document",
        "number",
        "name",
        "content_type",
        "size",
        "sha256",
        "note",
        "uploaded_by",
        *AUDIT,
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ReplicationGuide)
class ReplicationGuideAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("__str__", "project", "initiative", "updated_by", "updated_at")
    list_filter = ("project__stage",)
    search_fields = ("project__code", "project__title", "initiative__title", "summary")
    list_select_related = ("project", "initiative", "updated_by")
    readonly_fields = ("project", "initiative", "updated_by", *AUDIT)
    filter_horizontal = ("documents",)

    def has_add_permission(self, request: Any) -> bool:
        return False  # written from the project's or the initiative's page
