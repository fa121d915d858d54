"""The incubator in the Django admin. The lab edits a call's jury scorecard here (its criteria,
weighted); calls, applications and cohorts are run from the site's pages. Applications and
scores are read, searched and never deleted (what a selection relied on)."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import KeepsEvidenceAdmin
from incubator.models import (
    Application,
    ApplicationScore,
    Call,
    CallCriterion,
    Cohort,
    Milestone,
)

AUDIT = ("created_at", "updated_at")


class CriterionInline(admin.TabularInline):
    model = CallCriterion
    extra = 1
    fields = ("position", "label", "description", "weight", "is_blocking")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # scores refer to it


@admin.register(Call)
class CallAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Clôturez plutôt l’appel.")
    list_display = ("title", "status", "audience", "opens_on", "closes_on", "owner")
    list_filter = ("status", "audience", "opens_on")
    search_fields = ("title", "brief", "slug")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner", "jury")
    readonly_fields = ("consultation", *AUDIT)
    inlines = (CriterionInline,)

    def is_kept(self, obj: Call) -> bool:
        return obj.applications.exists()


@admin.register(CallCriterion)
class CallCriterionAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("label", "call", "weight", "is_blocking", "position")
    list_filter = ("is_blocking", "call__status")
    search_fields = ("label", "description", "call__title")
    list_select_related = ("call",)
    readonly_fields = AUDIT

    def is_kept(self, obj: CallCriterion) -> bool:
        return obj.scores.exists()


@admin.register(Application)
class ApplicationAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("title", "call", "applicant", "partner", "status", "decision", "submitted_at")
    list_filter = ("status", "decision", "call")
    search_fields = ("title", "summary", "applicant__email", "partner__name", "call__title")
    list_select_related = ("call", "applicant", "partner")
    fields = (
        "call",
        "applicant",
        "partner",
        "title",
        "summary",
        "answers",
        "status",
        "submitted_at",
        "decision",
        "decision_reason",
        "decided_by",
        "decided_at",
        "decision_notified_at",
        "project",
        "cohort",
        *AUDIT,
    )
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(ApplicationScore)
class ApplicationScoreAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True
    list_display = ("application", "criterion", "reviewer", "score", "updated_at")
    list_filter = ("score", "application__call")
    search_fields = ("application__title", "criterion__label", "reviewer__email")
    list_select_related = ("application", "criterion", "reviewer")
    fields = ("application", "criterion", "reviewer", "score", "comment", *AUDIT)
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("on", "kind", "title", "event")
    autocomplete_fields = ("event",)


@admin.register(Cohort)
class CohortAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    list_display = ("title", "call", "created_at")
    list_filter = ("call__status",)
    search_fields = ("title", "description", "call__title")
    list_select_related = ("call",)
    autocomplete_fields = ("created_by",)
    readonly_fields = AUDIT
    inlines = (MilestoneInline,)

    def is_kept(self, obj: Cohort) -> bool:
        return obj.applications.exists()


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("title", "cohort", "kind", "on", "event")
    list_filter = ("kind", "on")
    search_fields = ("title", "cohort__title")
    list_select_related = ("cohort", "event")
    autocomplete_fields = ("event", "created_by")
    readonly_fields = AUDIT
