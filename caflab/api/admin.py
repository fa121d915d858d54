"""Back office of the API's tokens: who holds which, since when, used when; revoke. Tokens are
created by their holder on the profile page only (the secret is shown to them once): never
added or edited here, and the secret's digest is read-only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caflab.api.models import AccessToken
from caflab.api.services import token_revoke
from caflab.core.errors import AlreadyDone


class StateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("actif", _("Actif")), ("expire", _("Expiré")), ("revoque", _("Révoqué"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "actif":
            return queryset.active(now)
        if self.value() == "expire":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoque":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "display_prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (StateFilter, "scope", "created_at", "expires_at")
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    actions = ["revoke"]
    fields = (
        "user",
        "name",
        "prefix",
        "secret_hash",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Révoquer les jetons choisis"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        if not request.user.has_perm("api.change_accesstoken"):
            raise PermissionDenied
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                token_revoke(token=token, by=request.user)
                done += 1
            except AlreadyDone:
                continue
        self.message_user(
            request,
            ngettext("%(n)d jeton révoqué.", "%(n)d jetons révoqués.", done) % {"n": done},
            messages.SUCCESS,
        )
