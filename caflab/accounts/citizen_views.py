"""Citizens' own pages: create an account (with a confirmed address), "my data" with its
downloads, and deleting one's account."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from caflab.accounts import personal_data
from caflab.accounts.signup import (
    AlreadyVerified,
    ResendForm,
    SignupForm,
    VerificationFailed,
    signup_rate_limit_hit,
    signup_request,
    signup_resend,
    signup_verify,
)
from caflab.core import audit
from caflab.core.clientip import client_ip
from caflab.core.models import AuditEvent

RATE_LIMITED = gettext_lazy(
    "Trop de demandes ont été envoyées depuis cette connexion internet. Merci de réessayer "
    "dans une heure."
)


class SignupView(FormView):
    form_class = SignupForm
    template_name = "accounts/signup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("core:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignupForm) -> HttpResponse:
        if signup_rate_limit_hit(client_ip(self.request)):
            form.add_error(None, RATE_LIMITED)
            return self.form_invalid(form)
        signup_request(email=form.cleaned_data["email"], password=form.cleaned_data["password1"])
        return redirect("accounts:signup-sent")


class SignupSentView(TemplateView):
    """The same message whatever the address: no one learns whether an account exists."""

    template_name = "accounts/signup_sent.html"


class SignupResendView(FormView):
    form_class = ResendForm
    template_name = "accounts/signup_resend.html"

    def form_valid(self, form: ResendForm) -> HttpResponse:
        if signup_rate_limit_hit(client_ip(self.request)):
            form.add_error(None, RATE_LIMITED)
            return self.form_invalid(form)
        signup_resend(email=form.cleaned_data["email"])
        return redirect("accounts:signup-sent")


def signup_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signup_verify(token=token)
    except AlreadyVerified as done:
        messages.info(request, str(done))
        return redirect("accounts:login")
    except VerificationFailed as failed:
        return render(
            request,
            "accounts/signup_invalid.html",
            {"reason": str(failed), "form": ResendForm()},
            status=404,
        )
    messages.success(request, _("Votre adresse est confirmée : vous pouvez vous connecter."))
    return redirect("accounts:login")


# --- my data -----------------------------------------------------------------------------------


class MyDataView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/my_data.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sections"] = personal_data.export_user(self.request.user)
        return context


@login_required
def my_data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("json", "csv"):
        raise Http404
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    if fmt == "json":
        content, content_type = personal_data.as_json(request.user), "application/json"
    else:
        content, content_type = personal_data.as_csv(request.user), "text/csv; charset=utf-8"
    audit.record(
        action=AuditEvent.Action.PERSONAL_DATA_DOWNLOAD,
        by=request.user,
        target=request.user,
        details={"format": fmt},
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-caflab-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Votre mot de passe, pour confirmer"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.may_delete_own_account:
        return render(request, "accounts/account_delete.html", {"allowed": False}, status=403)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        personal_data.account_delete(user=user)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte est supprimé et vos données personnelles effacées. Vos réponses "
                "aux consultations restent, sans lien avec vous."
            ),
        )
        return redirect("core:home")
    return render(request, "accounts/account_delete.html", {"allowed": True, "form": form})
