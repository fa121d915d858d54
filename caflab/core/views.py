"""The shell's pages: home, the legal pages, health (liveness, readiness, the "Exploitation"
page) and the error pages."""

import sys
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from caflab.core import health as health_checks
from caflab.core import outage
from caflab.core.navigation import entry_points
from caflab.core.panels import shown_panels
from caflab.core.scope import home_scope


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["entry_points"] = entry_points(user)
        # "Ce qui vous attend": each app's home panel (caflab.core.waiting), computed here so
        # that the page knows whether to say that nothing is waiting.
        context["waiting"] = (
            shown_panels("home", self.request, user) if user.is_authenticated else None
        )
        if user.is_authenticated:
            context["scope"] = home_scope(user)
        return context


class LegalPageMixin:
    """The site address and contacts the legal pages give; settings may name the contacts."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        contact = (
            getattr(settings, "CAFLAB_CONTACT_EMAIL", "")
            or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        )
        context["contact_email"] = contact
        context["dpo_email"] = getattr(settings, "CAFLAB_DPO_EMAIL", "") or contact
        context["site_url"] = settings.SITE_URL
        return context


class AccessibilityView(LegalPageMixin, TemplateView):
    template_name = "core/accessibility.html"


class LegalView(LegalPageMixin, TemplateView):
    template_name = "core/legal.html"


class PrivacyView(LegalPageMixin, TemplateView):
    template_name = "core/privacy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # What the "anonymous answers" section promises is what ecoute.services.batches does.
        context["anonymous_batch_size"] = max(1, settings.ECOUTE_ANONYMOUS_BATCH_SIZE)
        context["anonymous_max_wait_days"] = settings.ECOUTE_ANONYMOUS_BATCH_MAX_WAIT_DAYS
        return context


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: 503 only when the database is unreachable; a Redis
    outage answers 200 "degraded", since the pages keep working without it."""
    result = health_checks.liveness()
    return JsonResponse(result.body, status=result.http_status)


@never_cache
@require_safe
def readiness(request: HttpRequest) -> JsonResponse:
    """Readiness for deploys: database, every migration applied, the broker if configured."""
    ready, body = health_checks.readiness()
    return JsonResponse(body, status=200 if ready else 503)


# Crawlers may read the public pages (home, legal pages, consultations, public project
# sheets); everything behind an account, the back office and the machinery stays out.
ROBOTS_DISALLOWED = (
    "/admin/",
    "/comptes/",
    "/notifications/",
    "/reseau/",
    "/projets/",
    "/criees/",
    "/evaluation/",
    "/ecoute/gestion/",
    "/ecoute/exports/",
    "/exploitation/",
    "/metrics",
    "/healthz",
    "/readyz",
)
ROBOTS_ALLOWED = ("/projets/*/fiche-publique/",)
ROBOTS_TXT = "\n".join(
    [
        "User-agent: *",
        *(f"Allow: {path}" for path in ROBOTS_ALLOWED),
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED),
        "",
    ]
)


@require_safe
@cache_control(max_age=86400, public=True)
def robots(request: HttpRequest) -> HttpResponse:
    """robots.txt: no database query, no template (also the benchmark's baseline)."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: point them to our icon, or
    answer "nothing here" without a 404 line in the logs. A temporary redirect: the static
    name carries a content hash in production, which changes with the file."""
    if finders.find(settings.FAVICON_STATIC_PATH) is None:
        return HttpResponse(status=204)
    return HttpResponseRedirect(static(settings.FAVICON_STATIC_PATH))


@method_decorator(never_cache, name="dispatch")
class OperationsView(LoginRequiredMixin, TemplateView):
    """The "Exploitation" page: the platform's health for administrators (others: 403)."""

    template_name = "core/operations.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not health_checks.can_view_operations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report"] = health_checks.operations_report()
        context["failed_outbox_url"] = (
            reverse("admin:notifications_outboxmail_changelist") + "?status__exact=failed"
        )
        return context


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: an unreachable database is an outage (503,
    # retry later), not a bug.
    if outage.is_database_outage(sys.exc_info()[1]):
        return outage.maintenance_response(request)
    # No request context: the database or a context processor may be what failed.
    try:
        template = loader.get_template("500.html")
    except TemplateDoesNotExist:
        return HttpResponseServerError(
            "<!DOCTYPE html><html lang='fr'><title>Erreur serveur – CafLab</title>"
            "<h1>Erreur serveur</h1></html>"
        )
    # Only say that the team knows when an error tracker tells it (caflab.core.sentry).
    return HttpResponseServerError(template.render({"reported": bool(settings.SENTRY_DSN)}))
