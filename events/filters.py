"""GET filters of the events catalogue (django-filter). Readable keys (kind, theme slug, Caf
code) keep URLs stable and shareable (?type=training&theme=parentalite); each choice list costs
one query."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.forms import DateInput
from caflab.network.models import Caf, Theme
from events.models import Event

WHEN_CHOICES = [("passes", _("Passés")), ("tous", _("Passés et à venir"))]
FORMAT_CHOICES = [("en-ligne", _("En ligne")), ("sur-place", _("Sur place"))]


class EventFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        label=_("Type"), field_name="kind", choices=Event.Kind.choices, empty_label=_("Tous")
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème"), field_name="themes__slug", empty_label=_("Tous les thèmes")
    )
    caf = django_filters.ChoiceFilter(
        label=_("Caf"), method="filter_caf", empty_label=_("Toutes les Caf")
    )
    format = django_filters.ChoiceFilter(
        label=_("En ligne ou sur place"),
        method="filter_format",
        choices=FORMAT_CHOICES,
        empty_label=_("Peu importe"),
    )
    du = django_filters.DateFilter(
        label=_("À partir du"), field_name="starts_at", lookup_expr="date__gte", widget=DateInput
    )
    au = django_filters.DateFilter(
        label=_("Jusqu’au"), field_name="starts_at", lookup_expr="date__lte", widget=DateInput
    )
    quand = django_filters.ChoiceFilter(
        label=_("Période"), method="filter_when", choices=WHEN_CHOICES, empty_label=_("À venir")
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].extra["choices"] = list(Theme.objects.values_list("slug", "name"))
        self.filters["caf"].extra["choices"] = [
            (code, f"{code} – {name}")
            for code, name in Caf.objects.order_by("position").values_list("code", "name")
        ]

    @property
    def qs(self) -> QuerySet[Event]:
        if not hasattr(self, "_qs"):
            qs = super().qs
            data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
            if not data.get("quand") and not data.get("du"):
                qs = qs.filter(ends_at__gte=timezone.now())  # upcoming by default
            if data.get("quand") == "passes":
                qs = qs.order_by("-starts_at", "-pk")
            else:
                qs = qs.order_by("starts_at", "pk")
            self._qs = qs
        return self._qs

    def filter_caf(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """Organised by the Caf, or meant for it."""
        return queryset.filter(Q(caf__code=value) | Q(cafs__code=value)).distinct()

    def filter_format(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == "en-ligne":
            return queryset.exclude(online_url="")
        return queryset.exclude(place="")

    def filter_when(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == "passes":
            return queryset.filter(ends_at__lt=timezone.now())
        return queryset

    @property
    def is_filtered(self) -> bool:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return any(value for value in data.values())
