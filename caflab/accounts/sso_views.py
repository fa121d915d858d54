"""Sign-in through the identity providers, logout at the provider, and pending accounts: the
person waiting for their Caf, and those who place them (the lab, the Caf's correspondents)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView, TemplateView

from caflab.accounts import pending, sso
from caflab.accounts.models import NETWORK_ROLES, Role, User
from caflab.accounts.permissions import can_assign_pending

SESSION_NEXT = "sso_next"
SESSION_PROVIDER = "sso_provider"
SESSION_ID_TOKEN = "sso_id_token"  # noqa: S105 (a session key, not a secret)
# The session's backend: the account was found by sso.py, not by a password.
BACKEND = "caflab.accounts.backends.SsoBackend"


def _configured_or_404(provider: str) -> None:
    if provider not in (sso.AGENTS, sso.CITIZENS) or not sso.is_configured(provider):
        raise Http404


@require_GET
def sso_login(request: HttpRequest, provider: str) -> HttpResponse:
    """Send the visitor to the provider's login page (state, nonce and PKCE kept in the
    session by authlib)."""
    _configured_or_404(provider)
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[SESSION_NEXT] = next_url
    else:
        request.session.pop(SESSION_NEXT, None)
    try:
        return sso.client_for(provider).authorize_redirect(request, sso.callback_url(provider))
    except (OSError, RuntimeError, ValueError) as error:
        # Discovery unreachable or incomplete: say so, the password login still works.
        return _refused(
            request,
            sso.SsoError(
                _("Le fournisseur d’identité ne répond pas : réessayez dans quelques minutes."),
                status=502,
            ),
            provider,
            error,
        )


def _refused(
    request: HttpRequest, error: sso.SsoError, provider: str, cause: Exception | None = None
) -> HttpResponse:
    if cause is not None:
        sso.logger.warning("SSO %s: %s", provider, type(cause).__name__)
    return render(
        request,
        "accounts/sso_error.html",
        {"message": error.message, "provider": sso.provider_settings(provider)},
        status=error.status,
    )


@require_GET
def sso_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider sends the person back here with a code: verify everything, then sign in."""
    _configured_or_404(provider)
    try:
        claims, token = sso.claims_from_callback(provider, request)
        user = sso.account_for_claims(provider, claims)
    except sso.SsoError as error:
        return _refused(request, error, provider)
    next_url = request.session.get(SESSION_NEXT, "")
    login(request, user, backend=BACKEND)  # rotates the session key
    request.session[SESSION_PROVIDER] = provider
    if token.get("id_token"):
        request.session[SESSION_ID_TOKEN] = token["id_token"]
    if user.role == Role.PENDING:
        return redirect("accounts:pending")
    return HttpResponseRedirect(next_url or reverse("core:home"))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here, then at the provider when the session came from one (RP-initiated logout):
    otherwise the next "Se connecter avec…" would sign the person in again without asking."""
    provider = request.session.get(SESSION_PROVIDER)
    id_token = request.session.get(SESSION_ID_TOKEN)
    logout(request)
    if provider and sso.is_configured(provider):
        client = sso.client_for(provider)
        try:
            if client.load_server_metadata().get("end_session_endpoint"):
                return client.logout_redirect(
                    request,
                    post_logout_redirect_uri=sso.logged_out_url(provider),
                    id_token_hint=id_token,
                )
        except (OSError, RuntimeError, ValueError):
            sso.logger.warning("SSO %s: logout at the provider unavailable", provider)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("core:home")


@require_GET
def sso_logged_out(request: HttpRequest, provider: str) -> HttpResponse:
    """Back from the provider's logout."""
    _configured_or_404(provider)
    try:
        sso.client_for(provider).validate_logout_response(request)
    except Exception:  # any bad state: the person is logged out here anyway
        sso.logger.info("SSO %s: logout came back without a valid state", provider)
    messages.info(request, _("Vous êtes déconnecté, ici et chez le fournisseur d’identité."))
    return redirect("core:home")


class PendingView(TemplateView):
    """What a pending person sees: their account waits to be placed in their Caf."""

    template_name = "accounts/pending.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if request.user.role != Role.PENDING:
            return redirect("core:home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity"] = self.request.user.sso_identities.filter(provider=sso.AGENTS).first()
        context["contact_email"] = settings.CAFLAB_CONTACT_EMAIL
        return context


class PendingListView(ListView):
    """The accounts waiting for a Caf, for the lab's administrators (every Caf) and the
    correspondents (they place people in their own Caf)."""

    template_name = "accounts/pending_list.html"
    context_object_name = "accounts"
    paginate_by = 25

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if not can_assign_pending(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        accounts = pending.pending_accounts()
        query = self._query()
        if query:
            accounts = accounts.filter(
                Q(email__icontains=query)
                | Q(last_name__icontains=query)
                | Q(first_name__icontains=query)
                | Q(sso_identities__organisation__icontains=query)
                | Q(sso_identities__siret=query)
            ).distinct()
        return accounts

    def _query(self) -> str:
        # NUL cannot reach PostgreSQL (a DataError); no address or name has one.
        return self.request.GET.get("q", "").replace("\x00", "").strip()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["query"] = self._query()
        context["assigner_caf"] = None if pending.assigns_any_caf(user) else user.caf
        return context


@require_http_methods(["GET", "POST"])
def pending_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Place one pending account: the form (GET), the assignment (POST)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if not can_assign_pending(request.user):
        raise PermissionDenied
    # Any account, not only pending ones: a second click after someone else assigned it is
    # told so, not answered 404.
    account = get_object_or_404(User.objects.filter(role__in=[Role.PENDING, *NETWORK_ROLES]), pk=pk)
    if request.method == "POST":
        form = pending.AssignForm(request.POST, assigner=request.user)
        if form.is_valid():
            try:
                pending.pending_assign(
                    account=account,
                    by=request.user,
                    caf=form.cleaned_data["caf"],
                    role=form.cleaned_data["role"],
                    remember_siret=form.cleaned_data.get("remember_siret", False),
                )
            except pending.AlreadyAssigned as error:
                messages.info(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(who)s est rattaché·e à la %(caf)s ; un e-mail l’en informe.")
                    % {
                        "who": account.get_full_name() or account.email,
                        "caf": form.cleaned_data["caf"],
                    },
                )
            return redirect("accounts:pending-list")
    else:
        if account.role != Role.PENDING or not account.is_active:
            messages.info(request, _("Ce compte a déjà été attribué."))
            return redirect("accounts:pending-list")
        form = pending.AssignForm(assigner=request.user)
    return render(
        request,
        "accounts/pending_assign.html",
        {
            "account": account,
            "identity": account.sso_identities.filter(provider=sso.AGENTS).first(),
            "form": form,
            "assigner_caf": None if pending.assigns_any_caf(request.user) else request.user.caf,
        },
    )
