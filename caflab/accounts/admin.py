from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from caflab.accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from caflab.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ("email", "last_name", "first_name", "role", "caf", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "email_frequency", "caf__region", "directorate")
    search_fields = ("email", "first_name", "last_name", "caf__name", "caf__code")
    ordering = ("last_name", "first_name", "email")
    list_select_related = ("caf",)
    autocomplete_fields = ("caf", "directorate", "partner")
    readonly_fields = ("last_login", "date_joined", "email_verified_at", "updated_at")
    filter_horizontal = ("groups", "user_permissions")
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
            {"fields": ("last_login", "date_joined", "email_verified_at", "updated_at")},
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
