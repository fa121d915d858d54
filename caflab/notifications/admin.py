"""Back office of notifications: audit what was notified and mailed, re-send stuck mails.

Notifications and mails are created by the services only (notify, digests), never by hand, so
they are read-only here. Searching by recipient e-mail is fine: the admin is for administrators.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caflab.notifications.models import FanOut, Follow, Notification, OutboxMail
from caflab.notifications.services import outbox_mails_requeue


class ReadListFilter(admin.SimpleListFilter):
    title = _("lecture")
    parameter_name = "lue"

    def lookups(self, request, model_admin):
        return [("oui", _("Lue")), ("non", _("Non lue"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.read()
        if self.value() == "non":
            return queryset.unread()
        return queryset


class CreatedByServicesAdmin(admin.ModelAdmin):
    """Rows written by the services: shown, searched, deleted (erasure), never added or edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(CreatedByServicesAdmin):
    list_display = (
        "title",
        "kind",
        "recipient",
        "is_own_contribution",
        "email_delivery",
        "created_at",
        "read_at",
    )
    list_filter = (ReadListFilter, "email_delivery", "is_own_contribution", "kind", "created_at")
    search_fields = ("title", "kind", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    fields = (
        "recipient",
        "actor",
        "kind",
        "title",
        "body",
        "url",
        "is_own_contribution",
        "email_delivery",
        "digested_at",
        "digest_mail",
        "fanout",
        "created_at",
        "read_at",
    )
    readonly_fields = fields


@admin.register(FanOut)
class FanOutAdmin(CreatedByServicesAdmin):
    """A notification to many people, carried out by a task: its progress. The recipients' ids
    are not shown (their notifications are, under Notifications)."""

    list_display = (
        "title",
        "kind",
        "status",
        "total",
        "processed",
        "notified",
        "mailed",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "created_at")
    search_fields = ("title", "kind", "key")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    fields = (
        "key",
        "kind",
        "title",
        "body",
        "url",
        "actor",
        "is_own_contribution",
        "status",
        "total",
        "processed",
        "notified",
        "mailed",
        "created_at",
        "updated_at",
        "finished_at",
    )
    readonly_fields = fields


@admin.register(OutboxMail)
class OutboxMailAdmin(CreatedByServicesAdmin):
    list_display = (
        "subject",
        "recipient",
        "kind",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_until",
        "sent_at",
    )
    list_filter = ("status", "kind", "created_at")
    # The Message-ID a recipient's mail store shows, to trace one mail (or a duplicate).
    search_fields = ("subject", "recipient__email", "=message_id")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ("resend",)
    fields = (
        "recipient",
        "notification",
        "kind",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "last_attempt_at",
        "claimed_until",
        "message_id",
        "sent_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # The rows are read-only, yet re-sending is a change: it needs the change permission.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("Renvoyer"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMail]) -> None:
        count = outbox_mails_requeue(mails=queryset)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail remis dans la file d’envoi.",
                    "%(count)d e-mails remis dans la file d’envoi.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("Les e-mails choisis étaient déjà envoyés."), messages.WARNING
            )


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "content_type", "object_id", "created_at")
    list_filter = ("content_type",)
    search_fields = ("user__email",)
    list_select_related = ("user", "content_type")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)
    fields = ("user", "content_type", "object_id", "created_at")
