"""The écoute models in the Django admin. Answers are read-only here: they are what people said,
and nothing in the admin links an anonymous answer back to anyone."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from caflab.core.admin_protection import HistoryAdmin, HistoryInline, KeepsEvidenceAdmin
from caflab.engagement.admin import (
    CommentAdminBase,
    ReportAdminBase,
    ReportInlineBase,
    SupportAdminBase,
)
from ecoute.models import (
    Answer,
    AnswerChoice,
    Community,
    CommunityConsultationInvite,
    CommunityInvitation,
    Consultation,
    ConsultationStatusChange,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionReport,
    ContributionSupport,
    ExportJob,
    HearBackRequest,
    Membership,
    OfficialAnswer,
    Option,
    ParticipationToken,
    PendingSubmission,
    Question,
    Questionnaire,
    Response,
    ResultsRefresh,
    ResultsSnapshot,
    Section,
)

AUDIT = ("created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the answering flow only: viewable, never added or edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ConsultationStatusChangeInline(HistoryInline):
    """The status history is written by the status moves: read-only here."""

    model = ConsultationStatusChange
    fields = ("from_status", "to_status", "changed_at", "changed_by", "comment")


@admin.register(Consultation)
class ConsultationAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Archivez plutôt la consultation (action « Archiver »).")

    list_display = ("title", "status", "audience", "access", "caf", "opens_at", "closes_at")
    list_filter = ("status", "audience", "access", "allow_anonymous", "caf")
    search_fields = ("title", "slug", "summary")
    list_select_related = ("caf",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("caf", "perimeter_cafs", "projects", "owner", "communities")
    readonly_fields = (
        "status_changed_at",
        "personal_data_purged_at",
        "no_restitution_reason",
        "no_restitution_by",
        "no_restitution_at",
        *AUDIT,
    )
    date_hierarchy = "opens_at"
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (
            _("Public et accès"),
            {
                "fields": (
                    "audience",
                    "access",
                    "communities",
                    "allow_anonymous",
                    "caf",
                    "perimeter_cafs",
                )
            },
        ),
        (_("Calendrier"), {"fields": ("status", "status_changed_at", "opens_at", "closes_at")}),
        (
            _("Données personnelles"),
            {
                "fields": (
                    "privacy_controller",
                    "privacy_purpose",
                    "privacy_retention_months",
                    "privacy_contact",
                    "privacy_rights",
                    "personal_data_purged_at",
                )
            },
        ),
        (
            _("Contributions"),
            {"fields": ("collects_contributions", "contribution_kind", "moderation_mode")},
        ),
        (_("Rattachements"), {"fields": ("projects", "owner")}),
        (
            _("Archivée sans restitution"),
            {"fields": ("no_restitution_reason", "no_restitution_by", "no_restitution_at")},
        ),
        (_("Audit"), {"fields": AUDIT}),
    )
    inlines = (ConsultationStatusChangeInline,)
    actions = ("archive",)

    @admin.action(description=_("Archiver (garde réponses, contributions et restitution)"))
    def archive(self, request, queryset) -> None:
        """What the admin offers instead of deleting: a closed consultation leaves the lists,
        everything it gathered stays."""
        archived = 0
        skipped: dict[str, int] = {}
        for consultation in queryset.exclude(status=Consultation.Status.ARCHIVED):
            try:
                consultation.archive(by=request.user)
            except ValidationError as refused:
                # Refused in the verb's words: not closed, or no published restitution (the
                # lab archives without one from the consultation's page, with its reason).
                reason = refused.messages[0]
                reason = reason[:1].lower() + reason[1:]
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            archived += 1
        self.message_user(
            request,
            gettext("%(n)s consultation(s) archivée(s).") % {"n": archived},
            messages.SUCCESS if archived else messages.WARNING,
        )
        for reason, n in skipped.items():
            self.message_user(
                request,
                gettext("%(n)s consultation(s) laissée(s) telle(s) quelle(s) : %(reason)s")
                % {"n": n, "reason": reason},
                messages.WARNING,
            )


@admin.register(ConsultationStatusChange)
class ConsultationStatusChangeAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("consultation", "from_status", "to_status", "changed_at", "changed_by")
    list_filter = ("to_status",)
    search_fields = ("consultation__title", "comment")
    list_select_related = ("consultation", "changed_by")
    readonly_fields = (
        "consultation",
        "from_status",
        "to_status",
        "comment",
        "changed_at",
        "changed_by",
    )


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("title", "position", "is_hidden")


@admin.register(Questionnaire)
class QuestionnaireAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Archivez plutôt la consultation.")

    list_display = ("title", "consultation", "created_at")
    search_fields = ("title", "consultation__title")
    list_filter = ("consultation__status",)
    list_select_related = ("consultation",)
    autocomplete_fields = ("consultation",)
    readonly_fields = AUDIT
    inlines = (SectionInline,)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("title", "questionnaire", "position", "is_hidden")
    list_filter = ("is_hidden",)
    search_fields = ("title", "questionnaire__title")
    list_select_related = ("questionnaire",)
    autocomplete_fields = ("questionnaire",)
    readonly_fields = AUDIT


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ("label", "position", "is_hidden")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = (
        "label",
        "kind",
        "questionnaire",
        "section",
        "position",
        "is_required",
        "is_hidden",
    )
    list_filter = ("kind", "is_required", "is_hidden")
    search_fields = ("label", "questionnaire__title")
    list_select_related = ("questionnaire", "section")
    autocomplete_fields = ("questionnaire", "section", "condition_question", "condition_option")
    readonly_fields = AUDIT
    inlines = (OptionInline,)


@admin.register(Option)
class OptionAdmin(admin.ModelAdmin):
    list_display = ("label", "question", "position", "is_hidden")
    list_filter = ("is_hidden", "question__kind")
    search_fields = ("label", "question__label")
    list_select_related = ("question",)
    autocomplete_fields = ("question",)
    readonly_fields = AUDIT


@admin.register(Response)
class ResponseAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = (
        "questionnaire",
        "submitted_on",
        "audience",
        "caf",
        "is_anonymous",
        "is_assisted",
    )
    list_filter = ("audience", "is_anonymous", "is_assisted", "submitted_on")
    search_fields = ("questionnaire__title",)
    list_select_related = ("questionnaire", "caf")
    readonly_fields = (
        "id",
        "questionnaire",
        "respondent",
        "is_anonymous",
        "is_assisted",
        "audience",
        "caf",
        "submitted_on",
    )


@admin.register(Answer)
class AnswerAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = (
        "question",
        "value_text",
        "value_number",
        "value_date",
        "value_bool",
        "other_text",
    )
    list_filter = ("question__kind", "audience")
    search_fields = ("question__label", "value_text", "other_text")
    list_select_related = ("question",)
    readonly_fields = (
        "response",
        "questionnaire",
        "audience",
        "caf",
        "question",
        "value_text",
        "value_number",
        "value_date",
        "value_bool",
        "other_text",
    )


@admin.register(ResultsSnapshot)
class ResultsSnapshotAdmin(ReadOnlyAdmin):
    """Derived data, rebuilt by the refresh task: read here, never edited."""

    list_display = ("questionnaire", "segment_key", "response_count", "computed_at")
    list_filter = ("computed_at",)
    search_fields = ("questionnaire__title", "segment_key")
    list_select_related = ("questionnaire",)
    readonly_fields = ("questionnaire", "segment_key", "response_count", "computed_at", "payload")


@admin.register(ResultsRefresh)
class ResultsRefreshAdmin(ReadOnlyAdmin):
    list_display = (
        "questionnaire",
        "is_pending",
        "requested_at",
        "started_at",
        "finished_at",
        "duration_ms",
    )
    list_filter = ("is_pending",)
    search_fields = ("questionnaire__title",)
    list_select_related = ("questionnaire",)
    readonly_fields = (
        "questionnaire",
        "is_pending",
        "requested_at",
        "started_at",
        "finished_at",
        "duration_ms",
    )


@admin.register(AnswerChoice)
class AnswerChoiceAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = ("option", "rank", "answer")
    list_filter = ("option__question__kind",)
    search_fields = ("option__label", "option__question__label")
    list_select_related = ("option", "answer")
    readonly_fields = ("answer", "option", "rank")


@admin.register(ParticipationToken)
class ParticipationTokenAdmin(ReadOnlyAdmin):
    list_display = ("questionnaire", "created_on")
    list_filter = ("created_on",)
    search_fields = ("questionnaire__title",)
    list_select_related = ("questionnaire",)
    readonly_fields = ("questionnaire", "token_hash", "created_on")


@admin.register(PendingSubmission)
class PendingSubmissionAdmin(ReadOnlyAdmin):
    """What waits for its anonymous batch: how many, for which questionnaire, since which day.
    The content (answers, an address) is not shown: it is written with its batch."""

    list_display = ("questionnaire", "kind", "queued_on")
    list_filter = ("kind", "queued_on")
    search_fields = ("questionnaire__title",)
    list_select_related = ("questionnaire",)
    readonly_fields = ("questionnaire", "kind", "queued_on")
    fields = readonly_fields


@admin.register(HearBackRequest)
class HearBackRequestAdmin(admin.ModelAdmin):
    list_display = ("email", "questionnaire", "created_on")
    list_filter = ("created_on",)
    search_fields = ("email", "questionnaire__title")
    list_select_related = ("questionnaire",)
    autocomplete_fields = ("questionnaire",)
    readonly_fields = ("created_on",)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "questionnaire",
        "format",
        "status",
        "progress",
        "attempts",
        "requested_by",
        "created_at",
    )
    list_filter = ("status", "format")
    search_fields = ("questionnaire__title", "requested_by__email")
    list_select_related = ("questionnaire", "requested_by")
    readonly_fields = (
        "questionnaire",
        "requested_by",
        "format",
        "status",
        "progress",
        "row_count",
        "file",
        "error",
        "attempts",
        "lease_expires_at",
        "started_at",
        "finished_at",
        *AUDIT,
    )


# --- phase 2: restitution and recruitment --------------------------------------------------------
from ecoute.models import (  # noqa: E402  (phase 2 models, kept apart from phase 1's block)
    Decision,
    DecisionUpdate,
    DecisionUpdateEmail,
    EligibilityQuestion,
    HearBackNews,
    HearBackNewsEmail,
    Recruitment,
    Registration,
    Restitution,
    RestitutionEmail,
    RestitutionMailing,
    RestitutionReminder,
)


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    fields = ("position", "said", "done", "project", "status", "progress")
    readonly_fields = ("status", "progress")
    autocomplete_fields = ("project",)


class DecisionUpdateInline(HistoryInline):
    """The follow-up is written by `decision_update` (the manage page): read-only here."""

    model = DecisionUpdate
    fields = ("from_status", "status", "progress", "text", "by", "at", "announced_at")


@admin.register(Restitution)
class RestitutionAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Une restitution publiée reste publiée.")

    def is_kept(self, obj) -> bool:
        return obj.status == obj.Status.PUBLISHED

    list_display = ("consultation", "status", "published_at", "emails_done_at")
    list_filter = ("status",)
    search_fields = ("consultation__title", "synthesis")
    list_select_related = ("consultation",)
    autocomplete_fields = ("consultation",)
    readonly_fields = ("published_at", "published_by", "emails_done_at", *AUDIT)
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "restitution", "status", "progress", "project", "position")
    list_filter = ("status", "restitution__status")
    search_fields = ("said", "done", "restitution__consultation__title")
    list_select_related = ("restitution__consultation", "project")
    autocomplete_fields = ("project",)
    # Status and progress move through their follow-up (an update row each), not here.
    readonly_fields = ("status", "status_changed_at", "progress", *AUDIT)
    inlines = [DecisionUpdateInline]


@admin.register(DecisionUpdate)
class DecisionUpdateAdmin(HistoryAdmin, admin.ModelAdmin):
    list_display = ("decision", "from_status", "status", "progress", "by", "at", "announced_at")
    list_filter = ("status", "at")
    search_fields = ("text", "decision__said", "decision__restitution__consultation__title")
    list_select_related = ("decision", "by")
    readonly_fields = (
        "decision",
        "from_status",
        "status",
        "progress",
        "text",
        "by",
        "at",
        "announced_at",
    )


@admin.register(DecisionUpdateEmail)
class DecisionUpdateEmailAdmin(ReadOnlyAdmin):
    list_display = ("update", "hear_back", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("update__decision__restitution__consultation__title",)
    list_select_related = ("update__decision", "hear_back")
    readonly_fields = ("update", "hear_back", "sent_at")


@admin.register(HearBackNews)
class HearBackNewsAdmin(ReadOnlyAdmin):
    """What became of a questionnaire's answers, e-mailed to its hear-back addresses by the
    worker (ecoute.services.hear_back); "sent" once every address present was told."""

    list_display = ("subject", "questionnaire", "created_at", "sent_at")
    list_filter = ("sent_at", "created_at")
    search_fields = ("subject", "key", "questionnaire__title")
    list_select_related = ("questionnaire",)
    readonly_fields = ("questionnaire", "key", "subject", "text", "path", "created_at", "sent_at")


@admin.register(HearBackNewsEmail)
class HearBackNewsEmailAdmin(ReadOnlyAdmin):
    list_display = ("news", "hear_back", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("news__subject", "news__questionnaire__title")
    list_select_related = ("news", "hear_back")
    readonly_fields = ("news", "hear_back", "sent_at")


@admin.register(RestitutionEmail)
class RestitutionEmailAdmin(ReadOnlyAdmin):
    list_display = ("restitution", "hear_back", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("restitution__consultation__title",)
    list_select_related = ("restitution__consultation", "hear_back")
    readonly_fields = ("restitution", "hear_back", "sent_at")


@admin.register(RestitutionMailing)
class RestitutionMailingAdmin(ReadOnlyAdmin):
    """Runs of the restitution e-mails (leased jobs); "Relancer" is on the consultation's page."""

    list_display = (
        "restitution",
        "status",
        "total",
        "sent_count",
        "attempts",
        "lease_expires_at",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "created_at")
    search_fields = ("restitution__consultation__title",)
    list_select_related = ("restitution__consultation",)
    readonly_fields = (
        "restitution",
        "requested_by",
        "total",
        "sent_count",
        "status",
        "progress",
        "error",
        "attempts",
        "lease_expires_at",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    )


@admin.register(RestitutionReminder)
class RestitutionReminderAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "step", "level", "sent_at")
    list_filter = ("level", "sent_at")
    search_fields = ("consultation__title",)
    list_select_related = ("consultation",)
    readonly_fields = ("consultation", "step", "level", "sent_at")


class EligibilityQuestionInline(admin.TabularInline):
    model = EligibilityQuestion
    extra = 0
    fields = ("position", "label", "choices", "accepted")


@admin.register(Recruitment)
class RecruitmentAdmin(admin.ModelAdmin):
    list_display = ("title", "consultation", "kind", "starts_at", "seats")
    list_filter = ("kind",)
    search_fields = ("title", "consultation__title", "place")
    list_select_related = ("consultation",)
    autocomplete_fields = ("consultation", "created_by")
    readonly_fields = AUDIT
    date_hierarchy = "starts_at"
    inlines = [EligibilityQuestionInline]


@admin.register(EligibilityQuestion)
class EligibilityQuestionAdmin(admin.ModelAdmin):
    list_display = ("label", "recruitment", "position")
    list_filter = ("recruitment__kind",)
    search_fields = ("label", "recruitment__title")
    list_select_related = ("recruitment",)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "recruitment", "status", "registered_at", "purged_at")
    list_filter = ("status", "recruitment__kind")
    search_fields = ("name", "email", "user__email", "recruitment__title")
    list_select_related = ("recruitment", "user")
    autocomplete_fields = ("user",)
    readonly_fields = (
        "registered_at",
        "cancelled_at",
        "promoted_at",
        "confirmation_sent_at",
        "promotion_sent_at",
        "reminder_sent_at",
        "purged_at",
        "cancel_token",
    )


# --- contributions (phase 2) ----------------------------------------------------------------


class OfficialAnswerInline(admin.TabularInline):
    model = OfficialAnswer
    extra = 0
    fields = ("status", "text", "reason", "project", "answered_by", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("project", "answered_by")


@admin.register(Contribution)
class ContributionAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_advice = _("Masquez plutôt la contribution (modération).")

    kept_always = True

    list_display = ("title", "consultation", "status", "answer_status", "theme", "created_at")
    list_filter = ("status", "answer_status", "theme", "consultation__contribution_kind")
    search_fields = ("title", "text", "consultation__title")
    list_select_related = ("consultation", "theme")
    autocomplete_fields = ("consultation", "author", "caf", "project", "moderated_by")
    readonly_fields = ("published_at", "moderated_at", *AUDIT)
    date_hierarchy = "created_at"
    inlines = (OfficialAnswerInline,)


@admin.register(OfficialAnswer)
class OfficialAnswerAdmin(KeepsEvidenceAdmin, admin.ModelAdmin):
    kept_always = True

    list_display = ("contribution", "status", "project", "answered_by", "created_at")
    list_filter = ("status",)
    search_fields = ("contribution__title", "text", "reason")
    list_select_related = ("contribution", "project", "answered_by")
    autocomplete_fields = ("contribution", "project", "answered_by")
    readonly_fields = ("created_at",)


@admin.register(ContributionSupport)
class ContributionSupportAdmin(SupportAdminBase):
    target = "contribution"
    list_filter = ("created_at",)


@admin.register(ContributionReport)
class ContributionReportAdmin(admin.ModelAdmin):
    list_display = ("contribution", "reporter", "reason", "created_at")
    list_filter = ("created_at",)
    search_fields = ("contribution__title", "reason", "reporter__email")
    list_select_related = ("contribution", "reporter")
    autocomplete_fields = ("contribution", "reporter")
    readonly_fields = ("created_at",)


class ContributionCommentReportInline(ReportInlineBase):
    model = ContributionCommentReport


@admin.register(ContributionComment)
class ContributionCommentAdmin(CommentAdminBase):
    target = "contribution"
    inlines = (ContributionCommentReportInline,)


@admin.register(ContributionCommentReport)
class ContributionCommentReportAdmin(ReportAdminBase):
    pass


# --- communities -------------------------------------------------------------------------------


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "caf", "is_open", "consent_version", "created_at")
    list_filter = ("is_open", "caf")
    search_fields = ("name", "description")
    list_select_related = ("caf",)
    autocomplete_fields = ("caf",)
    readonly_fields = AUDIT


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "via", "joined_at", "left_at", "consent_version")
    list_filter = ("via", "community", "left_at")
    search_fields = ("user__email", "user__last_name", "community__name")
    list_select_related = ("user", "community")
    autocomplete_fields = ("user", "community")
    readonly_fields = ("consent_given_at", "consent_version", "joined_at")


@admin.register(CommunityInvitation)
class CommunityInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "community", "created_at", "sent_at", "accepted_at")
    list_filter = ("community", "accepted_at")
    search_fields = ("email", "community__name")
    list_select_related = ("community",)
    autocomplete_fields = ("community",)
    readonly_fields = ("invited_by", "created_at", "sent_at", "accepted_at", "membership")


@admin.register(CommunityConsultationInvite)
class CommunityConsultationInviteAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "user", "invited_at")
    list_filter = ("invited_at",)
    search_fields = ("consultation__title", "user__email")
    list_select_related = ("consultation", "user")
    readonly_fields = ("consultation", "user", "invited_at")
