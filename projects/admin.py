from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from caflab.engagement.admin import ReportInlineBase
from projects.models import (
    Adaptation,
    BlockerLever,
    Deployment,
    DeploymentChange,
    Experiment,
    GateCriterion,
    GateReview,
    GateScore,
    Project,
    ProjectEvent,
    ProjectOrigin,
    Prototype,
    StageChange,
    StatusReport,
    TeamMember,
)

AUDIT = ("created_at", "updated_at")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ("user",)


class BlockerLeverInline(admin.TabularInline):
    model = BlockerLever
    extra = 0
    fields = ("kind", "text", "owner", "status", "opened_on", "lifted_on")
    autocomplete_fields = ("owner",)


class StageChangeInline(HistoryInline):
    """The stage history is written by gate decisions: read-only here."""

    model = StageChange
    fields = ("from_stage", "to_stage", "changed_at", "changed_by", "gate_review")


class OriginInline(admin.TabularInline):
    model = ProjectOrigin
    extra = 0
    fields = ("label", "content_type", "object_id", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Project)
class ProjectAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _(
        "Un projet garde son historique, ses revues, rapports et mesures : "
        "changez plutôt son étape (en attente, abandonné)."
    )

    list_display = ("code", "title", "stage", "health", "track", "lead", "pilot_caf", "is_draft")
    list_filter = ("stage", "health", "track", "is_draft", "is_public", "programmes", "themes")
    search_fields = ("code", "title", "problem", "lead__email", "lead__last_name")
    list_select_related = ("lead", "pilot_caf")
    autocomplete_fields = ("lead", "sponsor", "pilot_caf", "partners", "created_by")
    filter_horizontal = ("themes", "programmes", "cog_ambitions")
    readonly_fields = ("code", "stage", "stage_changed_at", "health", "health_reported_on", *AUDIT)
    date_hierarchy = "created_at"
    inlines = (TeamMemberInline, BlockerLeverInline, OriginInline, StageChangeInline)
    fieldsets = (
        (None, {"fields": ("code", "title", "problem", "solution", "target_publics")}),
        (
            _("Rattachements"),
            {"fields": ("themes", "programmes", "cog_ambitions", "track", "partners")},
        ),
        (_("Pilotage"), {"fields": ("lead", "sponsor", "pilot_caf", "is_draft", "is_public")}),
        (
            _("Étape et santé (modifiées par les revues et les points d'étape)"),
            {
                "fields": (
                    "stage",
                    "stage_changed_at",
                    "revisit_on",
                    "lesson_learned",
                    "health",
                    "health_reported_on",
                )
            },
        ),
        (
            _("Budget et dates"),
            {"fields": ("budget_planned", "budget_spent", "started_on", "target_end_on")},
        ),
        (_("Audit"), {"fields": ("created_by", *AUDIT)}),
    )


@admin.register(GateCriterion)
class GateCriterionAdmin(admin.ModelAdmin):
    list_display = ("label", "target_stage", "weight", "is_blocking", "position", "is_active")
    list_filter = ("target_stage", "is_blocking", "is_active")
    list_editable = ("weight", "is_blocking", "position", "is_active")
    search_fields = ("label", "description")
    readonly_fields = AUDIT


class GateScoreInline(admin.TabularInline):
    model = GateScore
    extra = 0
    autocomplete_fields = ("reviewer",)
    readonly_fields = AUDIT

    # A decided review's scores: shown, never added, changed or removed (issue 20).
    def _decided(self, obj) -> bool:
        return obj is not None and obj.status == GateReview.Status.DECIDED

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._decided(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._decided(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._decided(obj) and super().has_delete_permission(request, obj)


@admin.register(GateReview)
class GateReviewAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Une revue décidée est un acte : elle reste telle quelle.")

    def is_kept(self, obj) -> bool:
        return obj.status == obj.Status.DECIDED

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self.is_kept(obj):
            return False  # a decided review is read-only
        return super().has_change_permission(request, obj)

    list_display = ("project", "from_stage", "to_stage", "status", "decision", "due_on")
    list_filter = ("status", "decision", "to_stage")
    search_fields = (
        "project__code",
        "project__title",
        "motivation",
        "rationale",
        "override_justification",
    )
    list_select_related = ("project",)
    autocomplete_fields = ("project", "requested_by", "decided_by", "reviewers")
    readonly_fields = ("decided_at", *AUDIT)
    inlines = (GateScoreInline,)


@admin.register(GateScore)
class GateScoreAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Les notes d'une revue décidée restent telles quelles.")

    def is_kept(self, obj) -> bool:
        return obj.review.status == obj.review.Status.DECIDED

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self.is_kept(obj):
            return False
        return super().has_change_permission(request, obj)

    list_display = ("review", "criterion", "reviewer", "score")
    list_filter = ("score", "criterion__target_stage")
    search_fields = ("review__project__code", "criterion__label", "reviewer__email")
    list_select_related = ("review__project", "criterion", "reviewer")
    autocomplete_fields = ("review", "reviewer")
    readonly_fields = AUDIT


@admin.register(StageChange)
class StageChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("project", "from_stage", "to_stage", "changed_at", "changed_by")
    list_filter = ("to_stage", "from_stage")
    search_fields = ("project__code", "project__title")
    list_select_related = ("project", "changed_by")
    date_hierarchy = "changed_at"
    readonly_fields = (
        "project",
        "from_stage",
        "to_stage",
        "changed_at",
        "changed_by",
        "gate_review",
    )


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ("project", "user", "role")
    list_filter = ("role",)
    search_fields = ("project__code", "user__email", "user__last_name")
    list_select_related = ("project", "user")
    autocomplete_fields = ("project", "user")
    readonly_fields = AUDIT


@admin.register(ProjectOrigin)
class ProjectOriginAdmin(admin.ModelAdmin):
    list_display = ("project", "label", "content_type", "object_id", "created_at")
    list_filter = ("content_type",)
    search_fields = ("project__code", "label")
    list_select_related = ("project", "content_type")
    autocomplete_fields = ("project",)
    readonly_fields = AUDIT


@admin.register(StatusReport)
class StatusReportAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Une météo publiée reste dans l'historique du projet.")

    kept_always = True

    list_display = ("project", "reported_on", "health", "author")
    list_filter = ("health",)
    search_fields = ("project__code", "summary")
    list_select_related = ("project", "author")
    autocomplete_fields = ("project", "author")
    date_hierarchy = "reported_on"
    readonly_fields = AUDIT


@admin.register(BlockerLever)
class BlockerLeverAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "short_text", "owner", "status", "opened_on", "lifted_on")
    list_filter = ("kind", "status")
    search_fields = ("project__code", "text")
    list_select_related = ("project", "owner")
    autocomplete_fields = ("project", "owner")
    readonly_fields = AUDIT

    @admin.display(description=_("description"))
    def short_text(self, obj: BlockerLever) -> str:
        return obj.text[:80]


@admin.register(ProjectEvent)
class ProjectEventAdmin(admin.ModelAdmin):
    list_display = ("project", "occurred_on", "kind", "title")
    list_filter = ("kind",)
    search_fields = ("project__code", "title")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)
    readonly_fields = AUDIT


@admin.register(Prototype)
class PrototypeAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "version", "tested_on", "users_tested")
    list_filter = ("kind",)
    search_fields = ("project__code", "findings")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)
    readonly_fields = AUDIT


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("project", "title", "status", "starts_on", "ends_on", "population_reached")
    list_filter = ("status",)
    search_fields = ("project__code", "title", "protocol")
    list_select_related = ("project",)
    autocomplete_fields = ("project", "cafs")
    readonly_fields = AUDIT


class AdaptationInline(admin.TabularInline):
    model = Adaptation
    extra = 0
    autocomplete_fields = ("author",)


class DeploymentChangeInline(HistoryInline):
    model = DeploymentChange
    fields = ("from_status", "to_status", "changed_at", "changed_by")


@admin.register(Deployment)
class DeploymentAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("project", "caf", "status", "status_changed_at", "local_lead")
    list_filter = ("status", "caf__region")
    search_fields = ("project__code", "project__title", "caf__name", "caf__code")
    list_select_related = ("project", "caf", "local_lead")
    autocomplete_fields = ("project", "caf", "local_lead", "declared_by")
    readonly_fields = ("status", "status_changed_at", *AUDIT)
    inlines = (AdaptationInline, DeploymentChangeInline)


@admin.register(DeploymentChange)
class DeploymentChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("deployment", "from_status", "to_status", "changed_at", "changed_by")
    list_filter = ("to_status",)
    search_fields = ("deployment__project__code", "deployment__caf__name")
    list_select_related = ("deployment__project", "deployment__caf", "changed_by")
    readonly_fields = ("deployment", "from_status", "to_status", "changed_at", "changed_by")


@admin.register(Adaptation)
class AdaptationAdmin(admin.ModelAdmin):
    list_display = ("deployment", "made_on", "kind", "is_faithful")
    list_filter = ("kind", "is_faithful")
    search_fields = ("deployment__project__code", "what", "why")
    list_select_related = ("deployment__project", "deployment__caf")
    autocomplete_fields = ("deployment", "author")
    readonly_fields = AUDIT


# --- ideas ---------------------------------------------------------------------------------

from projects.models import (  # noqa: E402  (appended section: each source keeps its block)
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
)


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
    kept_advice = _("Changez plutôt le statut de l'idée (non retenue, mise en attente).")

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
        url = reverse("projects:idea-attachment", kwargs={"pk": obj.pk})
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

from django import forms  # noqa: E402  (appended section: each source keeps its block)

from projects.models import (  # noqa: E402
    Challenge,
    ChallengeEntry,
    CreativitySession,
    EntryScore,
    Scorecard,
    SessionRequest,
    SessionRequestChange,
)


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
