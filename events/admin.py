"""The events in the Django admin. Statuses move through the site (publish, cancel, held:
`events.services.WORKFLOW`), so they are read-only here with their history; registrations are
the people's own and change through the site (register, cancel, attendance); materials are
uploaded through the site's checked form and downloaded through its view."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from events.models import (
    CalendarKey,
    DebateProposal,
    Event,
    EventStatusChange,
    Material,
    Registration,
    Satisfaction,
    SatisfactionTemplate,
)

AUDIT = ("created_at", "updated_at")


class StatusChangeInline(HistoryInline):
    model = EventStatusChange
    fields = ("from_status", "to_status", "comment", "changed_at", "changed_by")


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("download", "description", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = ("download", "content_type", "size", "uploaded_by", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("télécharger"))
    def download(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


@admin.register(Event)
class EventAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Annulez plutôt l’événement depuis sa page.")

    list_display = ("title", "kind", "starts_at", "audience", "caf", "seats", "status")
    list_filter = ("status", "kind", "audience", "themes", "programme")
    search_fields = ("title", "description", "place", "caf__name", "caf__code")
    list_select_related = ("caf",)
    autocomplete_fields = ("caf", "created_by", "organisers", "cafs")
    filter_horizontal = ("themes",)
    readonly_fields = ("status", "status_changed_at", "published_at", "cancel_reason", *AUDIT)
    date_hierarchy = "starts_at"
    inlines = (MaterialInline, StatusChangeInline)
    fieldsets = (
        (None, {"fields": ("kind", "title", "description", "themes", "programme", "caf")}),
        (_("Après l’événement"), {"fields": ("synthesis",)}),
        (_("Quand et où"), {"fields": ("starts_at", "ends_at", "place", "online_url")}),
        (
            _("Public et inscriptions"),
            {
                "fields": (
                    "audience",
                    "directorate",
                    "cafs",
                    "eligible_roles",
                    "seats",
                    "registration_opens_at",
                    "registration_closes_at",
                )
            },
        ),
        (_("Organisation"), {"fields": ("organisers",)}),
        (
            _("Statut"),
            {"fields": ("status", "status_changed_at", "published_at", "cancel_reason")},
        ),
        (_("Audit"), {"fields": ("created_by", *AUDIT)}),
    )


@admin.register(EventStatusChange)
class EventStatusChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("event", "from_status", "to_status", "changed_at", "changed_by")
    list_filter = ("to_status",)
    search_fields = ("event__title", "comment")
    list_select_related = ("event", "changed_by")
    readonly_fields = ("event", "from_status", "to_status", "comment", "changed_at", "changed_by")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "user", "caf", "status", "registered_at", "attended")
    list_filter = ("status", "attended", "event__kind")
    search_fields = ("event__title", "user__email", "user__last_name", "caf__code")
    list_select_related = ("event", "user", "caf")
    autocomplete_fields = ("event", "user", "caf", "directorate")
    readonly_fields = (
        "status",
        "registered_at",
        "cancelled_at",
        "promoted_at",
        "reminder_sent_at",
    )
    date_hierarchy = "registered_at"

    def has_add_permission(self, request) -> bool:
        return False  # a registration goes through the seats' lock (events.services)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "content_type", "size", "uploaded_by", "created_at")
    list_filter = ("content_type",)
    search_fields = ("name", "description", "event__title")
    list_select_related = ("event", "uploaded_by")
    readonly_fields = ("file", "name", "content_type", "size", "uploaded_by", *AUDIT)

    def has_add_permission(self, request) -> bool:
        return False  # uploaded through the site's checked form


@admin.register(DebateProposal)
class DebateProposalAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    """Proposals are written on the event's after-event page; an idea may point to one, so
    they are kept (corrected here if need be, never deleted)."""

    kept_advice = _("Une idée peut en être issue : corrigez plutôt son texte.")

    list_display = ("short_text", "event", "created_by", "created_at")
    list_filter = ("event__kind",)
    search_fields = ("text", "event__title")
    list_select_related = ("event", "created_by")
    autocomplete_fields = ("event",)
    readonly_fields = ("created_by", *AUDIT)
    date_hierarchy = "created_at"

    @admin.display(description=_("proposition"))
    def short_text(self, obj) -> str:
        return obj.text[:100]


@admin.register(SatisfactionTemplate)
class SatisfactionTemplateAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    """The lab's satisfaction questionnaire: its questions are edited in écoute's
    questionnaires (the link below); each event's copy, once sent, never changes."""

    kept_advice = _("Retirez-lui plutôt la mention « par défaut ».")

    list_display = ("name", "is_default", "questions_link", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "questionnaire__title")
    list_select_related = ("questionnaire",)
    readonly_fields = ("questions_link", *AUDIT)
    autocomplete_fields = ("questionnaire",)

    @admin.display(description=_("questions"))
    def questions_link(self, obj) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:ecoute_questionnaire_change", args=[obj.questionnaire_id])
        return format_html('<a href="{}">{}</a>', url, _("Modifier les questions"))


@admin.register(Satisfaction)
class SatisfactionAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    """Opened from the event's after-event page (the consultation is created, copied and
    reserved there); read-only here."""

    kept_advice = _("Les réponses de la consultation en dépendent.")

    list_display = ("event", "consultation", "n_invited", "invited_at", "sent_by", "created_at")
    list_filter = ("event__kind",)
    search_fields = ("event__title", "consultation__title")
    list_select_related = ("event", "consultation", "sent_by")
    readonly_fields = (
        "event",
        "consultation",
        "rating_question",
        "sent_by",
        "invited_at",
        "n_invited",
        *AUDIT,
    )
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False  # opened through events.satisfaction.satisfaction_send


@admin.register(CalendarKey)
class CalendarKeyAdmin(admin.ModelAdmin):
    """A person's calendar link version: bumping it (the site's "Renouveler le lien") revokes
    every older link."""

    list_display = ("user", "version", "rotated_at")
    search_fields = ("user__email", "user__last_name")
    list_select_related = ("user",)
    readonly_fields = ("user", "version", "rotated_at")

    def has_add_permission(self, request) -> bool:
        return False
