"""The notification centre. A user only ever reaches their own notifications: anybody else's
answers 404 through the `for_user` scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import ListView
from django_htmx.http import HttpResponseClientRedirect

from caflab.notifications.models import Notification, NotificationQuerySet
from caflab.notifications.permissions import can_open_notification
from caflab.notifications.services import is_site_path
from caflab.notifications.unsubscribe import (
    email_notifications_stop,
    is_unsubscribed,
    unsubscribe_request_for,
)

UNREAD_FILTER = "non-lues"


def _list_url(only_unread: bool = False) -> str:
    url = reverse("notifications:list")
    return f"{url}?{urlencode({'etat': UNREAD_FILTER})}" if only_unread else url


class NotificationListView(LoginRequiredMixin, ListView):
    """Unread first, then the rest, newest first; or the unread ones only (?etat=non-lues)."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 20

    @cached_property
    def only_unread(self) -> bool:
        return self.request.GET.get("etat") == UNREAD_FILTER

    def get_queryset(self) -> NotificationQuerySet:
        notifications = Notification.objects.for_user(self.request.user)
        if self.only_unread:
            notifications = notifications.unread()
        return notifications.unread_first()

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            only_unread=self.only_unread,
            unread_filter=UNREAD_FILTER,
            all_url=_list_url(),
            unread_url=_list_url(only_unread=True),
            **kwargs,
        )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link, a same-site path only."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if not can_open_notification(request.user, notification):
        raise PermissionDenied
    notification.mark_read()
    target = notification.url
    safe = is_site_path(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not safe:
        target = _list_url()
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read. With htmx the form swaps in the list region of the
    page it is redirected to (data-hx-select); without JavaScript it is a plain redirect."""
    count = Notification.objects.for_user(request.user).mark_read()
    if not request.htmx:  # with htmx the swapped region itself shows the result
        if count:
            messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
        else:
            messages.info(request, _("Vous n’aviez aucune notification non lue."))
    return redirect(_list_url(only_unread=request.POST.get("etat") == UNREAD_FILTER))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a notification or digest e-mail, no session needed. GET asks to confirm and
    changes nothing (link checkers and previews open it); POST, the page's button or a mail
    client's one-click of RFC 8058 (no CSRF token: the signed link is the proof), turns the
    e-mails off."""
    template = "notifications/unsubscribe.html"
    asked = unsubscribe_request_for(token)
    if asked is None:
        return render(request, template, {"state": "invalid"}, status=400)
    if request.method == "POST":
        email_notifications_stop(user=asked.user, kind=asked.kind)
        return render(request, template, {"state": "stopped", "kind": asked.kind})
    state = "done" if is_unsubscribed(asked.user) else "ask"
    return render(request, template, {"state": state, "kind": asked.kind})
