"""The admin of the idea box, challenges and creativity sessions."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from caflab.engagement.admin import ReportInlineBase
from ideas.models import (
    Challenge,
    ChallengeEntry,
    CreativitySession,
    EntryScore,
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
    SessionRequest,
    SessionRequestChange,
)
from projects.models import GateCriterion, Scorecard

AUDIT = ("created_at", "updated_at")


# --- ideas ---------------------------------------------------------------------------------


class IdeaStatusChangeInline(HistoryInline):
    """The history is written by the status changes: read-only here."""

    model = IdeaStatusChange
    fields = ("from_status", "to_status", "reason", "changed_by", "changed_at")


class IdeaAttachmentInline(admin.TabularInline):
    """Files are added through the idea's form (type and content checked), not here."""

    model = IdeaAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Idea)
class IdeaAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Changez plutôt le statut de l’idée (non retenue, mise en attente).")

    list_display = ("pk", "title", "status", "source", "caf", "author", "reviewer", "created_at")
    list_filter = ("status", "source", "themes", "caf__region")
    search_fields = ("title", "problem", "author__email", "author__last_name")
    list_select_related = ("caf", "author", "reviewer")
    autocomplete_fields = (
        "caf",
        "author",
        "co_authors",
        "reviewer",
        "merged_into",
        "project",
    )
    # Raw ids: the challenge and session admins are another section's.
    raw_id_fields = ("challenge", "session")
    filter_horizontal = ("themes",)
    # The status moves through the idea's status page (reason, notifications, project).
    readonly_fields = ("status", "status_changed_at", "reviewed_at", *AUDIT)
    date_hierarchy = "created_at"
    inlines = (IdeaStatusChangeInline, IdeaAttachmentInline)


@admin.register(IdeaStatusChange)
class IdeaStatusChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("idea", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("idea__title", "reason")
    list_select_related = ("idea", "changed_by")
    readonly_fields = ("idea", "from_status", "to_status", "reason", "changed_by", "changed_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdeaSupport)
class IdeaSupportAdmin(admin.ModelAdmin):
    list_display = ("idea", "user", "created_at")
    search_fields = ("idea__title", "user__email", "user__last_name")
    list_select_related = ("idea", "user")
    autocomplete_fields = ("idea", "user")
    date_hierarchy = "created_at"


class IdeaCommentReportInline(ReportInlineBase):
    model = IdeaCommentReport


@admin.register(IdeaComment)
class IdeaCommentAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Masquez plutôt le commentaire (modération).")

    kept_always = True

    list_display = ("__str__", "idea", "author", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("idea__title", "text", "author__email")
    list_select_related = ("idea", "author")
    autocomplete_fields = ("idea", "parent", "author", "moderated_by")
    readonly_fields = ("moderated_at", *AUDIT)
    inlines = (IdeaCommentReportInline,)


@admin.register(IdeaCommentReport)
class IdeaCommentReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reporter", "reason", "created_at")
    list_filter = ("comment__status",)
    search_fields = ("reason", "comment__text", "reporter__email")
    list_select_related = ("comment", "reporter")
    readonly_fields = ("comment", "reporter", "reason", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdeaAttachment)
class IdeaAttachmentAdmin(admin.ModelAdmin):
    """Read-only: an upload is checked by the idea's form; here one sees or deletes it."""

    list_display = ("original_name", "idea", "content_type", "size", "uploaded_by", "created_at")
    search_fields = ("original_name", "idea__title")
    list_select_related = ("idea", "uploaded_by")
    # Not the `file` field itself: the admin would link it to its URL, and a private file has
    # none. The link goes to the download view, which checks visibility.
    exclude = ("file",)
    readonly_fields = (
        "idea",
        "download",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        *AUDIT,
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("fichier"))
    def download(self, obj: IdeaAttachment) -> str:
        url = reverse("ideas:idea-attachment", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


@admin.register(IdeaScore)
class IdeaScoreAdmin(admin.ModelAdmin):
    list_display = ("idea", "criterion", "reviewer", "score")
    list_filter = ("criterion",)
    search_fields = ("idea__title", "reviewer__email")
    list_select_related = ("idea", "criterion", "reviewer")
    autocomplete_fields = ("idea", "reviewer")
    readonly_fields = AUDIT


# --- challenges and sessions ---------------------------------------------------------------


class ChallengeCriterionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set before validation: the model's constraints check the scorecard.
        self.instance.scorecard = Scorecard.CHALLENGE


class ChallengeCriterionInline(admin.TabularInline):
    """The jury's criteria of this challenge (the "challenge" scorecard)."""

    model = GateCriterion
    form = ChallengeCriterionForm
    fk_name = "challenge"
    extra = 0
    fields = ("label", "description", "weight", "position", "is_active")
    verbose_name = _("critère du jury")
    verbose_name_plural = _("critères du jury")


@admin.register(Challenge)
class ChallengeAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "audience", "sponsor", "submissions_close_on")
    list_filter = ("status", "kind", "audience")
    search_fields = ("title", "brief")
    list_select_related = ("sponsor",)
    autocomplete_fields = ("sponsor", "jury", "created_by")
    readonly_fields = AUDIT
    date_hierarchy = "submissions_open_on"
    inlines = (ChallengeCriterionInline,)


@admin.register(ChallengeEntry)
class ChallengeEntryAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("title", "challenge", "team_name", "submitted_by", "is_winner", "idea")
    list_filter = ("is_winner", "challenge__status")
    search_fields = ("title", "summary", "team_name", "challenge__title")
    list_select_related = ("challenge", "submitted_by", "idea")
    autocomplete_fields = ("challenge", "members", "submitted_by")
    raw_id_fields = ("idea",)
    readonly_fields = AUDIT


@admin.register(EntryScore)
class EntryScoreAdmin(admin.ModelAdmin):
    list_display = ("entry", "criterion", "reviewer", "score")
    list_filter = ("score",)
    search_fields = ("entry__title", "criterion__label", "reviewer__email")
    list_select_related = ("entry", "criterion", "reviewer")
    autocomplete_fields = ("entry", "reviewer")
    raw_id_fields = ("criterion",)
    readonly_fields = AUDIT


class SessionRequestChangeInline(HistoryInline):
    """The history is written by the status moves: read-only here."""

    model = SessionRequestChange
    fields = ("from_status", "to_status", "note", "changed_by", "changed_at")


@admin.register(SessionRequest)
class SessionRequestAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "directorate", "requested_by", "status", "created_at")
    list_filter = ("status", "kind", "directorate")
    search_fields = ("title", "problem", "requested_by__email", "directorate__acronym")
    list_select_related = ("directorate", "requested_by")
    autocomplete_fields = ("directorate", "requested_by", "handled_by")
    # The status moves through the request's page (history, notification of the requester).
    readonly_fields = ("status", "status_changed_at", *AUDIT)
    date_hierarchy = "created_at"
    inlines = (SessionRequestChangeInline,)


@admin.register(SessionRequestChange)
class SessionRequestChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("request", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("request__title", "note")
    list_select_related = ("request", "changed_by")
    readonly_fields = ("request", "from_status", "to_status", "note", "changed_by", "changed_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CreativitySession)
class CreativitySessionAdmin(admin.ModelAdmin):
    list_display = ("title", "held_on", "method", "caf", "is_held", "participants_total")
    list_filter = ("method", "is_held", "caf__region")
    search_fields = ("title", "place", "debrief", "request__title")
    list_select_related = ("caf",)
    autocomplete_fields = ("request", "caf", "facilitators")
    # The debrief document is uploaded through the session's form (type and content checked)
    # and served by its download view only.
    exclude = ("debrief_file",)
    readonly_fields = AUDIT
    date_hierarchy = "held_on"
