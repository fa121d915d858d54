from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    EcologicalRating,
    Effect,
    EffectChange,
    EvaluationPlan,
    EvaluativeQuestion,
    ImpactReport,
    Indicator,
    IndicatorTarget,
    Judgement,
    ManagementResponse,
    Measurement,
    MeasurementReminder,
    PlanVersion,
    Recommendation,
    StakeholderGroup,
    Survey,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveResponse,
    Testimony,
)

AUDIT = ("created_at", "updated_at")


class StakeholderGroupInline(admin.TabularInline):
    model = StakeholderGroup
    extra = 0


class EvaluativeQuestionInline(admin.TabularInline):
    model = EvaluativeQuestion
    extra = 0
    filter_horizontal = ("stakeholder_groups",)


@admin.register(EvaluationPlan)
class EvaluationPlanAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("project", "version", "evidence_level", "updated_at")
    list_filter = ("evidence_level",)
    search_fields = ("project__code", "project__title", "summary")
    autocomplete_fields = ("project",)
    readonly_fields = ("version", "updated_by", *AUDIT)
    inlines = [StakeholderGroupInline, EvaluativeQuestionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("plan", "number", "note", "created_by", "created_at")
    search_fields = ("plan__project__code", "plan__project__title", "note")
    readonly_fields = ("plan", "number", "content", "note", "created_by", "created_at")


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "plan")
    list_filter = ("kind",)
    search_fields = ("name", "plan__project__code")
    readonly_fields = AUDIT


@admin.register(EvaluativeQuestion)
class EvaluativeQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "criterion", "plan", "position")
    list_filter = ("criterion",)
    search_fields = ("text", "plan__project__code")
    readonly_fields = AUDIT


@admin.register(ChangeStep)
class ChangeStepAdmin(admin.ModelAdmin):
    list_display = ("label", "level", "plan", "position")
    list_filter = ("level",)
    search_fields = ("label", "plan__project__code")
    readonly_fields = AUDIT


@admin.register(ChangeLink)
class ChangeLinkAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "assumption")
    search_fields = ("source__label", "target__label", "assumption")
    readonly_fields = AUDIT


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("name", "project", "unit", "category", "effect", "direction", "frequency")
    list_filter = ("category", "effect", "direction", "frequency")
    search_fields = ("name", "definition", "project__code", "project__title")
    autocomplete_fields = ("project", "owner")
    readonly_fields = AUDIT
    inlines = [IndicatorTargetInline]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "period", "value")
    search_fields = ("indicator__name", "indicator__project__code")
    readonly_fields = AUDIT


@admin.register(Measurement)
class MeasurementAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("indicator", "period", "caf", "value", "source", "entered_by")
    list_filter = ("indicator__category", "caf__region")
    search_fields = ("indicator__name", "indicator__project__code", "source")
    date_hierarchy = "period"
    readonly_fields = ("entered_by", *AUDIT)


@admin.register(MeasurementReminder)
class MeasurementReminderAdmin(admin.ModelAdmin):
    list_display = ("indicator", "period", "sent_at")
    search_fields = ("indicator__name", "indicator__project__code")
    readonly_fields = ("indicator", "period", "sent_at")


class SurveyWaveInline(admin.TabularInline):
    model = SurveyWave
    extra = 0


@admin.register(Survey)
class SurveyAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("title", "project", "stakeholder_group", "created_at")
    search_fields = ("title", "project__code", "project__title")
    readonly_fields = ("created_by", *AUDIT)
    inlines = [SurveyWaveInline]


@admin.register(SurveyWave)
class SurveyWaveAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("survey", "kind", "label", "opens_on", "closes_on")
    list_filter = ("kind",)
    search_fields = ("survey__title", "label")
    readonly_fields = AUDIT


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """Never shows the address (personal data) nor lets anyone type a token hash: only whether
    the address is still kept, to check that it is erased once used or expired."""

    list_display = ("wave", "sent_at", "used_at", "address_kept")
    list_filter = ("wave__kind", ("used_at", admin.EmptyFieldListFilter))
    list_select_related = ("wave__survey",)
    search_fields = ("wave__survey__title",)
    readonly_fields = ("token_hash", "sent_at", "used_at", "invited_by", "address_kept", *AUDIT)
    exclude = ("email",)

    @admin.display(boolean=True, description=_("adresse conservée"))
    def address_kept(self, obj: SurveyInvitation) -> bool:
        return bool(obj.email)


@admin.register(SurveyWaveResponse)
class SurveyWaveResponseAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("wave", "response")
    list_filter = ("wave__kind",)
    search_fields = ("wave__survey__title",)
    readonly_fields = ("wave", "response")


@admin.register(Testimony)
class TestimonyAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("__str__", "project", "tone", "caf", "consent_to_quote", "collected_on")
    list_filter = ("tone", "consent_to_quote")
    search_fields = ("text", "project__code", "project__title")
    readonly_fields = ("collected_by", *AUDIT)


class EffectChangeInline(HistoryInline):
    model = EffectChange
    fields = ("from_status", "to_status", "comment", "changed_by", "changed_at")


@admin.register(Effect)
class EffectAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("__str__", "project", "nature", "severity", "likelihood", "owner", "status")
    list_select_related = ("project", "owner")
    autocomplete_fields = ("project",)
    list_filter = ("status", "severity", "nature")
    search_fields = ("description", "affected", "project__code", "project__title")
    readonly_fields = ("status_changed_at", "recorded_by", *AUDIT)
    inlines = [EffectChangeInline]


@admin.register(EffectChange)
class EffectChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("effect", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    search_fields = ("effect__description", "comment")
    readonly_fields = ("effect", "from_status", "to_status", "comment", "changed_by", "changed_at")


@admin.register(Judgement)
class JudgementAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("project", "criterion", "rating", "judged_by", "updated_at")
    list_filter = ("criterion", "rating")
    search_fields = ("project__code", "project__title", "rationale")
    readonly_fields = ("judged_by", *AUDIT)


@admin.register(EcologicalRating)
class EcologicalRatingAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("project", "objective", "rating", "assessed_by")
    list_filter = ("objective", "rating")
    search_fields = ("project__code", "project__title", "justification")
    readonly_fields = ("assessed_by", *AUDIT)


@admin.register(ImpactReport)
class ImpactReportAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = (
        "title",
        "scope",
        "project",
        "status",
        "attempts",
        "is_published",
        "requested_by",
        "created_at",
    )
    list_filter = ("status", "scope", "is_published")
    list_select_related = ("project", "requested_by")
    search_fields = ("title", "project__code", "project__title")
    date_hierarchy = "created_at"
    actions = ["rebuild_failed"]
    readonly_fields = (
        "status",
        "progress",
        "error",
        "attempts",
        "lease_expires_at",
        "snapshot",
        "snapshot_digest",
        "html",
        "pdf",
        "requested_by",
        "started_at",
        "finished_at",
        *AUDIT,
    )

    @admin.action(description=_("Relancer la préparation des rapports en échec"))
    def rebuild_failed(self, request, queryset):
        """Queue again the failed reports, from their frozen snapshot (never new data)."""
        from evaluation.services.reports import reports_rebuild_failed

        count = reports_rebuild_failed(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d rapport(s) relancé(s).") % {"count": count})


class ManagementResponseInline(admin.StackedInline):
    model = ManagementResponse
    extra = 0


@admin.register(Recommendation)
class RecommendationAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("__str__", "project", "criterion", "position")
    list_filter = ("criterion",)
    search_fields = ("text", "project__code", "project__title")
    readonly_fields = ("created_by", *AUDIT)
    inlines = [ManagementResponseInline]


@admin.register(ManagementResponse)
class ManagementResponseAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("recommendation", "decision", "owner", "due_on", "done_on")
    list_filter = ("decision",)
    search_fields = ("recommendation__text", "action")
    readonly_fields = ("reminded_on", "answered_by", *AUDIT)
