"""Back office of the network's reference data: the lab edits wording, activates or retires rows.

Every admin has search_fields so that other admins (User, projects…) can use autocomplete_fields
on these models, and list_select_related so that each changelist costs a fixed number of queries.
"""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from caflab.network.models import (
    Caf,
    CafSiret,
    CogAmbition,
    CogAxis,
    Directorate,
    Partner,
    Programme,
    Region,
    Theme,
)

AUDIT_FIELDS = ("created_at", "updated_at")


class AuditedAdmin(admin.ModelAdmin):
    """Audit fields are shown, never edited."""

    readonly_fields = AUDIT_FIELDS


class NoDeleteMixin:
    """The regions and the 101 Caf are the backbone every other row points to: they are
    corrected in place, never deleted from the back office."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "code", "caf_count")
    search_fields = ("name", "code")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).annotate(n_cafs=Count("cafs"))

    @admin.display(description=_("nombre de Caf"), ordering="n_cafs")
    def caf_count(self, obj: Region) -> int:
        return obj.n_cafs


class CafSiretInline(admin.TabularInline):
    """A Caf's SIRETs: an agent signing in through the identity provider with one of them is
    placed in this Caf, and imports may name the Caf by one."""

    model = CafSiret
    fields = ("siret", "label")
    extra = 0


@admin.register(CafSiret)
class CafSiretAdmin(AuditedAdmin):
    list_display = ("siret", "caf", "label")
    search_fields = ("siret", "label", "caf__name", "caf__code")
    list_select_related = ("caf",)
    autocomplete_fields = ("caf",)
    ordering = ("caf__position", "siret")


@admin.register(Caf)
class CafAdmin(NoDeleteMixin, AuditedAdmin):
    list_display = ("code", "name", "department", "region", "kind", "is_overseas")
    list_display_links = ("code", "name")
    list_filter = ("region", "kind", "is_overseas")
    search_fields = ("code", "name", "department")
    list_select_related = ("region",)
    ordering = ("position",)
    list_per_page = 101
    inlines = (CafSiretInline,)
    fields = (
        ("code", "position"),
        "name",
        "department",
        "region",
        ("kind", "is_overseas"),
        AUDIT_FIELDS,
    )


@admin.register(Directorate)
class DirectorateAdmin(AuditedAdmin):
    list_display = ("acronym", "name", "is_active")
    list_display_links = ("acronym", "name")
    list_filter = ("is_active",)
    search_fields = ("acronym", "name")
    ordering = ("name",)


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    list_display = ("name", "slug", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("name", "slug", "requires_ecological_assessment", "is_active")
    list_filter = ("is_active", "requires_ecological_assessment")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)


class CogAmbitionInline(admin.TabularInline):
    model = CogAmbition
    fields = ("number", "title", "target", "is_active")
    extra = 0
    ordering = ("number",)


@admin.register(CogAxis)
class CogAxisAdmin(AuditedAdmin):
    list_display = ("number", "title", "ambition_count")
    list_display_links = ("number", "title")
    search_fields = ("title",)
    ordering = ("number",)
    inlines = (CogAmbitionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CogAxis]:
        return super().get_queryset(request).annotate(n_ambitions=Count("ambitions"))

    @admin.display(description=_("nombre d’ambitions"), ordering="n_ambitions")
    def ambition_count(self, obj: CogAxis) -> int:
        return obj.n_ambitions


@admin.register(CogAmbition)
class CogAmbitionAdmin(AuditedAdmin):
    list_display = ("__str__", "axis", "target", "is_active")
    list_filter = ("axis", "is_active")
    search_fields = ("title", "axis__title")
    list_select_related = ("axis",)
    ordering = ("axis__number", "number")


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ("name", "kind", "caf", "is_active")
    list_filter = ("kind", "is_active", ("caf", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "caf__name", "caf__code")
    list_select_related = ("caf",)
    autocomplete_fields = ("caf",)
    ordering = ("name",)
