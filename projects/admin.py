from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from projects.models import (
    Adaptation,
    BlockerLever,
    Deployment,
    DeploymentChange,
    Experiment,
    GateCriterion,
    GateReview,
    GateScore,
    OriginOptOut,
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
    fields = (
        "kind",
        "text",
        "owner",
        "status",
        "opened_on",
        "lifted_on",
        "escalated_on",
        "escalated_by",
        "pulled_on",
        "pulled_by",
    )
    readonly_fields = ("escalated_on", "escalated_by", "pulled_on", "pulled_by")
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
        "Un projet garde son historique, ses revues, rapports et mesures : "
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
            _("Étape et santé (modifiées par les revues et les points d’étape)"),
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
    list_display = (
        "label",
        "target_stage",
        "track",
        "weight",
        "is_blocking",
        "position",
        "is_active",
    )
    list_filter = ("target_stage", "track", "is_blocking", "is_active")
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
    kept_advice = _("Une revue décidée est un acte : elle reste telle quelle.")

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
    kept_advice = _("Les notes d’une revue décidée restent telles quelles.")

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


@admin.register(OriginOptOut)
class OriginOptOutAdmin(admin.ModelAdmin):
    """Who stopped hearing what a source they took part in becomes (written by the person from
    the source's page): read-only here."""

    list_display = ("user", "content_type", "object_id", "created_at")
    list_filter = ("content_type",)
    search_fields = ("user__email", "user__last_name")
    readonly_fields = ("user", "content_type", "object_id", "created_at")
    list_select_related = ("user", "content_type")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
    kept_advice = _("Une météo publiée reste dans l’historique du projet.")

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
