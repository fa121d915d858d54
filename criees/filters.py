"""GET filters of the catalogue (django-filter), with full-text search.

Choices use readable keys (theme slug, Caf code, region code, public slug) so that URLs stay
stable and shareable (?theme=parentalite&region=84); each choice list costs one query.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from caflab.network.models import Caf, Region, Theme
from caflab.search.query import AUTO, clean, matching
from criees.models import Initiative, Public

SEARCHED_FIELDS = ("title", "summary", "problem", "actions", "results")

# ?statut= values beyond the initiative statuses: the default is the published catalogue.
ALL_STATUSES = "toutes"
STATUS_CHOICES = [
    *[(value, label) for value, label in Initiative.Status.choices if value != "published"],
    (ALL_STATUSES, _("Tous les statuts")),
]
# Unpublished initiatives (no publication date) last, on PostgreSQL as on SQLite.
RECENT = F("published_at").desc(nulls_last=True)
SORTS: dict[str, tuple[Any, ...]] = {
    "recent": (RECENT, "-created_at"),
    "soutiens": ("-n_supports", RECENT),
    "interet": ("-n_replicate", "-n_interests", RECENT),
    "titre": ("title",),
}
SORT_CHOICES = [
    ("soutiens", _("Les plus soutenues")),
    ("interet", _("Les plus demandées par les Caf")),
    ("titre", _("Titre (A → Z)")),
]


def search_initiatives(
    queryset: QuerySet[Initiative], text: str, *, typos: str = AUTO
) -> QuerySet[Initiative]:
    """Initiatives matching `text`, best first (caflab.search.query.matching). PostgreSQL: the
    stored French vector (stemmed, accents folded, websearch syntax: "quoted phrase",
    -excluded, or), plus typo tolerance on the title for a short query. Elsewhere (SQLite in
    development): every word must appear, case-insensitively, in one of the searched fields."""
    if not clean(text):
        return queryset
    return matching(queryset, text, fields=SEARCHED_FIELDS, typos=typos).order_by(
        "-rank", RECENT, "pk"
    )


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_(
            "Mots du titre, du résumé, du problème, de ce qui a été fait ou des résultats."
        ),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème"), field_name="themes__slug", empty_label=_("Tous les thèmes")
    )
    public = django_filters.ChoiceFilter(
        label=_("Public"), field_name="publics__slug", empty_label=_("Tous les publics")
    )
    caf = django_filters.ChoiceFilter(
        label=_("Caf"), field_name="caf__code", empty_label=_("Toutes les Caf")
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"), field_name="caf__region__code", empty_label=_("Toutes les régions")
    )
    reprise = django_filters.ChoiceFilter(
        label=_("Déjà reprise ailleurs"),
        method="filter_taken_up",
        choices=[
            ("oui", _("Oui : déployée dans une autre Caf")),
            ("non", _("Non, pas encore")),
        ],
        empty_label=_("Peu importe"),
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        method="filter_status",
        choices=STATUS_CHOICES,
        empty_label=_("Publiées (catalogue)"),
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Pertinence, puis publication la plus récente"),
    )

    class Meta:
        model = Initiative
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].extra["choices"] = list(Theme.objects.values_list("slug", "name"))
        self.filters["public"].extra["choices"] = list(Public.objects.values_list("slug", "name"))
        self.filters["caf"].extra["choices"] = [
            (code, f"{code} – {name}")
            for code, name in Caf.objects.order_by("position").values_list("code", "name")
        ]
        self.filters["region"].extra["choices"] = list(Region.objects.values_list("code", "name"))

    @property
    def qs(self) -> QuerySet[Initiative]:
        if not hasattr(self, "_qs"):
            qs = super().qs
            data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
            if not data.get("statut"):  # the catalogue: published initiatives only
                qs = qs.published()
            if not data.get("tri") and not data.get("q"):
                qs = qs.order_by(*SORTS["recent"], "pk")
            self._qs = qs
        return self._qs

    def filter_search(self, queryset: QuerySet[Initiative], name: str, value: str):
        return search_initiatives(queryset, value)

    def filter_taken_up(self, queryset: QuerySet[Initiative], name: str, value: str):
        taken_up = Initiative.objects.taken_up_elsewhere().values("pk")
        if value == "oui":
            return queryset.filter(pk__in=taken_up)
        return queryset.exclude(pk__in=taken_up)

    def filter_status(self, queryset: QuerySet[Initiative], name: str, value: str):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_sort(self, queryset: QuerySet[Initiative], name: str, value: str):
        return queryset.order_by(*SORTS[value], "pk")

    @property
    def is_filtered(self) -> bool:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return any(value for key, value in data.items() if key != "tri")
