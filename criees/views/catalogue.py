"""The catalogue of local initiatives (the criées' landing page) and "my initiatives": the
ones the user works on, and those waiting for their validation."""

from typing import Any

from django.db.models import Exists, OuterRef
from django.views.generic import TemplateView
from django_filters.views import FilterView

from criees.filters import InitiativeFilter
from criees.models import Criee, Initiative, InitiativeMember, InitiativeQuerySet
from criees.views.base import NetworkMixin


class CatalogueView(NetworkMixin, FilterView):
    filterset_class = InitiativeFilter
    template_name = "criees/initiative_list.html"
    context_object_name = "initiatives"
    paginate_by = 24

    def get_queryset(self) -> InitiativeQuerySet:
        return Initiative.objects.visible_to(self.request.user).with_card_data()

    def paginate_queryset(self, queryset: InitiativeQuerySet, page_size: int) -> tuple:
        # Sorting thousands of published initiatives joined to their Caf, region and project
        # took 15 ms: the page's ids are sorted alone, in a subquery of the same statement
        # (`pk IN (… LIMIT 24)`), and only the page's rows are joined and counted.
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values("pk"), page_size
        )
        page.object_list = queryset.filter(pk__in=ids)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_filtered"] = self.filterset.is_filtered
        context["next_criee"] = Criee.objects.upcoming().first()
        return context


class MineView(NetworkMixin, TemplateView):
    """The user's initiatives at every status; for a correspondent, their Caf's initiatives
    waiting for validation (for the lab, every Caf's)."""

    template_name = "criees/initiative_mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        visible = Initiative.objects.visible_to(user)
        in_team = InitiativeMember.objects.filter(initiative=OuterRef("pk"), user=user)
        mine = visible.filter(Exists(in_team)).with_card_data().order_by("-updated_at", "pk")
        to_validate = visible.none()
        if user.is_lab_staff:
            to_validate = visible.filter(status=Initiative.Status.SUBMITTED)
        elif user.is_correspondent:
            to_validate = visible.filter(status=Initiative.Status.SUBMITTED, caf=user.caf_id)
        return super().get_context_data(
            mine=list(mine),
            to_validate=list(to_validate.select_related("caf").order_by("status_changed_at", "pk")),
            may_validate=user.is_lab_staff or user.is_correspondent,
            **kwargs,
        )
