"""Network pages: the directory of the 101 Caf and each Caf's dashboard."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from caflab.accounts.models import Role, User
from caflab.network import directory
from caflab.network.filters import CafFilter
from caflab.network.models import Caf
from caflab.network.permissions import cafs_with_dashboard_for, can_view_caf_dashboard


class CafListView(LoginRequiredMixin, PermissionRequiredMixin, FilterView):
    """The directory: every network member sees the 101 Caf; citizens and partners get 403."""

    permission_required = "network.view_directory"
    filterset_class = CafFilter
    queryset = Caf.objects.select_related("region").order_by("position")
    template_name = "network/caf_list.html"
    context_object_name = "cafs"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cafs = list(context["cafs"])
        # In-memory check (no query): the lab opens every dashboard, a correspondent their own.
        for caf in cafs:
            caf.can_open_dashboard = can_view_caf_dashboard(self.request.user, caf)
        context.update(
            cafs=cafs,
            object_list=cafs,
            directory_scope=directory.dashboard_scope(self.request.user),
            directory_version=directory.version(),
            # A valid region code or nothing: arbitrary query strings make no cache entries.
            region_filter=(
                context["filter"].form.cleaned_data.get("region", "")
                if context["filter"].is_valid()
                else "invalid"
            ),
        )
        return context


class CafDashboardView(LoginRequiredMixin, DetailView):
    """A Caf's dashboard. Outside the Caf it does not exist (404); inside it, only the
    correspondents may open it (403 for the other members); the lab sees every Caf."""

    template_name = "network/caf_dashboard.html"
    context_object_name = "caf"

    def get_object(self, queryset: Any = None) -> Caf:
        user = self.request.user
        caf = get_object_or_404(
            cafs_with_dashboard_for(user).select_related("region"), code=self.kwargs["code"]
        )
        if not user.has_perm("network.view_caf_dashboard", caf):
            raise PermissionDenied
        return caf

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        caf = self.object
        members_by_role = _active_members_by_role(caf)
        context.update(
            correspondents=list(
                User.objects.correspondents_of(caf).order_by("last_name", "first_name", "email")
            ),
            members_by_role=members_by_role,
            members_total=sum(n for _, n in members_by_role),
        )
        return context


def _active_members_by_role(caf: Caf) -> list[tuple[str, int]]:
    """(role label, count) of the Caf's active members, counted by the database in one query,
    in the order of the Role choices."""
    counts = dict(
        User.objects.active()
        .of_caf(caf)
        .order_by()
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return [(role.label, counts[role]) for role in Role if counts.get(role)]
