from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from caflab.accounts import forms
from caflab.accounts.models import User
from caflab.accounts.security import password_reset_request
from caflab.core.clientip import client_ip


class LoginView(auth_views.LoginView):
    # Django's login() rotates the session key, so a fixated session id is worthless.
    form_class = forms.LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from caflab.accounts import sso

        context = super().get_context_data(**kwargs)
        context["providers"] = sso.configured_providers()
        context["sso_only"] = sso.sso_only_for_network()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """The same redirect whatever the address (known, unknown, or asked too often); the e-mail
    leaves off the request, through a task (caflab.accounts.security.password_reset_request)."""

    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form: forms.PasswordResetForm) -> HttpResponse:
        password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")
    success_message = _("Votre mot de passe a été changé.")


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    """The signed-in user's own profile: always themselves, so no other user is reachable."""

    form_class = forms.ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = _("Votre profil a été enregistré.")

    def get_object(self, queryset=None) -> User:
        return User.objects.select_related("caf", "directorate", "partner").get(
            pk=self.request.user.pk
        )
