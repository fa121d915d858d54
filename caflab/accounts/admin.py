"""Accounts in the Django admin: the network's 36,000 people are found by filters (role, region
then Caf, activity, last login, invitation), changed in bulk with a reason kept in each
account's history, and invited again when their link has expired."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from caflab.accounts.invitations import invitations_queue
from caflab.accounts.models import (
    AccountChange,
    BatchInvitation,
    InvitationBatch,
    Role,
    SsoIdentity,
    User,
)
from caflab.accounts.personal_data import account_erase
from caflab.accounts.services import TRACKED_FIELDS, account_created, account_update
from caflab.core.admin_protection import HistoryInline
from caflab.network.models import Caf

# --- filters -----------------------------------------------------------------------------------


class CafFilter(admin.SimpleListFilter):
    """The Caf of the region chosen in the region filter: a short list, never all 101."""

    title = gettext_lazy("Caf (choisir d’abord une région)")
    parameter_name = "caf"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        region = request.GET.get("caf__region__id__exact")
        if not region:
            return []
        return [(str(caf.pk), caf.name) for caf in Caf.objects.filter(region_id=region)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value():
            return queryset.filter(caf_id=self.value())
        return queryset


class PendingFilter(admin.SimpleListFilter):
    title = gettext_lazy("en attente d’une Caf")
    parameter_name = "en_attente"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("oui", _("En attente")), ("non", _("Attribués"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "oui":
            return queryset.filter(role=Role.PENDING)
        if self.value() == "non":
            return queryset.exclude(role=Role.PENDING)
        return queryset


class LastLoginFilter(admin.SimpleListFilter):
    title = gettext_lazy("dernière connexion")
    parameter_name = "connexion"
    DORMANT = timedelta(days=183)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("jamais", _("Jamais")),
            ("ancienne", _("Il y a plus de 6 mois")),
            ("recente", _("Dans les 6 derniers mois")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        limit = timezone.now() - self.DORMANT
        if self.value() == "jamais":
            return queryset.filter(last_login__isnull=True)
        if self.value() == "ancienne":
            return queryset.filter(last_login__lt=limit)
        if self.value() == "recente":
            return queryset.filter(last_login__gte=limit)
        return queryset


class InvitedFilter(admin.SimpleListFilter):
    title = gettext_lazy("invitation")
    parameter_name = "invitation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("oui", _("Invités")),
            ("sans-suite", _("Invités, jamais connectés")),
            ("non", _("Jamais invités")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "oui":
            return queryset.filter(invited_at__isnull=False)
        if self.value() == "sans-suite":
            return queryset.filter(invited_at__isnull=False, last_login__isnull=True)
        if self.value() == "non":
            return queryset.filter(invited_at__isnull=True)
        return queryset


# --- the forms of the bulk actions -------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif (gardé dans l’historique de chaque compte)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class CafChangeForm(ReasonForm):
    caf = forms.ModelChoiceField(label=gettext_lazy("Nouvelle Caf"), queryset=Caf.objects.all())

    field_order = ("caf", "reason")


def _action_page(
    model_admin: "UserAdmin",
    request: HttpRequest,
    queryset: QuerySet[User],
    *,
    form: forms.Form,
    action: str,
    title: str,
) -> TemplateResponse:
    """The intermediate page of a bulk action: its form and the accounts it will change."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "action": action,
        "accounts": queryset.select_related("caf")[:200],
        "count": queryset.count(),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/accounts/user/action_form.html", context)


# --- users -------------------------------------------------------------------------------------


class AccountChangeInline(HistoryInline):
    """The account's history, read-only, newest first."""

    model = AccountChange
    fk_name = "user"
    fields = ("at", "kind", "source", "changes", "reason", "by")
    ordering = ("-at", "-pk")
    verbose_name_plural = gettext_lazy("historique du compte")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountChange]:
        return super().get_queryset(request).select_related("by")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = (
        "email",
        "last_name",
        "first_name",
        "role",
        "caf",
        "directorate",
        "is_active",
        "last_login",
        "invited_at",
    )
    list_filter = (
        "role",
        "caf__region",
        CafFilter,
        "is_active",
        PendingFilter,
        LastLoginFilter,
        InvitedFilter,
        "is_staff",
        "directorate",
        "email_frequency",
    )
    search_fields = ("email", "first_name", "last_name", "caf__name", "caf__code")
    ordering = ("last_name", "first_name", "email")
    list_select_related = ("caf", "directorate")
    autocomplete_fields = ("caf", "directorate", "partner")
    readonly_fields = (
        "last_login",
        "date_joined",
        "email_verified_at",
        "invited_at",
        "updated_at",
    )
    filter_horizontal = ("groups", "user_permissions")
    inlines = (AccountChangeInline,)
    actions = ("deactivate", "change_caf", "resend_invitation")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (_("Rôle et organisation"), {"fields": ("role", "caf", "directorate", "partner")}),
        (_("Préférences"), {"fields": ("email_frequency",)}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("Audit"),
            {
                "fields": (
                    "last_login",
                    "date_joined",
                    "email_verified_at",
                    "invited_at",
                    "updated_at",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Every change of role, Caf, organisation or activity goes through the history; an
        account created without a password is invited to choose one."""
        if not change:
            super().save_model(request, obj, form, change)
            account_created(user=obj, by=request.user, source=AccountChange.Source.ADMIN)
            invitations_queue([obj])
            return
        tracked = [name for name in form.changed_data if name in TRACKED_FIELDS]
        if tracked:
            stored = User.objects.get(pk=obj.pk)
            account_update(
                user=stored,
                by=request.user,
                source=AccountChange.Source.ADMIN,
                **{name: getattr(obj, name) for name in tracked},
            )
        super().save_model(request, obj, form, change)

    # Deleting an account erases it as its owner would (issue 20): personal data gone, the row
    # deleted or kept as an anonymous tombstone, contributions kept as "Compte supprimé".

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        users = list(objs)
        self.message_user(
            request,
            _(
                "Les données personnelles de ces comptes sont effacées ; leurs contributions, "
                "réponses et décisions restent, signées « Compte supprimé »."
            ),
            messages.WARNING,
        )
        count = {str(User._meta.verbose_name_plural): len(users)}
        return [str(user) for user in users], count, set(), []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        account_erase(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=request.user.pk):
            account_erase(user=user)

    @admin.action(description=gettext_lazy("Désactiver (avec un motif)"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> TemplateResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return _action_page(
                self,
                request,
                queryset,
                form=form,
                action="deactivate",
                title=_("Désactiver des comptes"),
            )
        done = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            account_update(
                user=user,
                by=request.user,
                source=AccountChange.Source.ADMIN,
                reason=form.cleaned_data["reason"],
                is_active=False,
            )
            done += 1
        self.message_user(
            request,
            _("%(n)s compte(s) désactivé(s) ; leurs contributions restent.") % {"n": done},
            messages.SUCCESS,
        )
        return None

    @admin.action(
        description=gettext_lazy("Changer de Caf (avec un motif)"), permissions=["change"]
    )
    def change_caf(self, request: HttpRequest, queryset: QuerySet[User]) -> TemplateResponse | None:
        form = CafChangeForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return _action_page(
                self,
                request,
                queryset,
                form=form,
                action="change_caf",
                title=_("Changer des comptes de Caf"),
            )
        caf, reason = form.cleaned_data["caf"], form.cleaned_data["reason"]
        done = skipped = 0
        for user in queryset.select_related("caf", "directorate", "partner"):
            if user.role in (Role.CITIZEN, Role.PARTNER):
                skipped += 1  # a citizen or a partner does not work for a Caf
                continue
            if user.role == Role.PENDING:  # placing a pending account makes it an agent
                changes = account_update(
                    user=user,
                    by=request.user,
                    source=AccountChange.Source.ADMIN,
                    reason=reason,
                    kind=AccountChange.Kind.ASSIGNED,
                    role=Role.AGENT,
                    caf=caf,
                )
            else:
                changes = account_update(
                    user=user,
                    by=request.user,
                    source=AccountChange.Source.ADMIN,
                    reason=reason,
                    caf=caf,
                )
            done += bool(changes)
        text = _("%(n)s compte(s) rattaché(s) à %(caf)s.") % {"n": done, "caf": caf}
        if skipped:
            text += " " + _("%(n)s citoyen(s) ou partenaire(s) laissé(s) tels quels.") % {
                "n": skipped
            }
        self.message_user(request, text, messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Renvoyer l’invitation"), permissions=["change"])
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        sent = invitations_queue(users)
        text = _("%(n)s invitation(s) envoyée(s).") % {"n": sent}
        if len(users) > sent:
            text += " " + _(
                "%(n)s compte(s) ignoré(s) : désactivés ou ayant déjà un mot de passe."
            ) % {"n": len(users) - sent}
        self.message_user(request, text, messages.SUCCESS if sent else messages.WARNING)


# --- the history and the federated identities: audit, read-only --------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "kind", "source", "reason", "by")
    list_filter = ("kind", "source")
    search_fields = ("user__email",)
    list_select_related = ("user", "by")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")


@admin.register(SsoIdentity)
class SsoIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "provider", "subject", "siret", "organisation", "last_login_at")
    list_filter = ("provider",)
    search_fields = ("user__email", "subject", "siret")
    list_select_related = ("user",)
    ordering = ("provider", "subject")


# --- invitation batches of the imports: jobs, read-only (the import page offers "Relancer") ---


@admin.register(InvitationBatch)
class InvitationBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "label",
        "requested_by",
        "status",
        "total",
        "sent_count",
        "skipped_count",
        "attempts",
        "lease_expires_at",
        "finished_at",
    )
    list_filter = ("status", "created_at")
    search_fields = ("label", "requested_by__email")
    list_select_related = ("requested_by",)
    readonly_fields = (
        "requested_by",
        "label",
        "retry_of",
        "total",
        "sent_count",
        "skipped_count",
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
    date_hierarchy = "created_at"


@admin.register(BatchInvitation)
class BatchInvitationAdmin(ReadOnlyAdmin):
    list_display = ("batch", "user", "outcome", "handled_at")
    list_filter = ("outcome",)
    search_fields = ("user__email",)
    list_select_related = ("batch", "user")
    readonly_fields = ("batch", "user", "outcome", "handled_at")
    raw_id_fields = ("batch", "user")
    show_full_result_count = False  # a batch has up to tens of thousands of rows
