"""Finding ideas: the idea box's filters, the triage queue's filters, full-text search and the
"similar ideas" shown while an idea is being typed.

PostgreSQL: French full-text search on the stored vector (stemmed, accents folded, stop words
dropped by the `caflab_fr` configuration), ranked, typo-tolerant on titles. Elsewhere (SQLite
in development and in the quick test run): plain case-insensitive matching on the words, good
enough to develop against.
"""

import re
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User
from caflab.network.models import Caf, Theme
from caflab.search.indexing import CONFIG
from caflab.search.query import AUTO, clean, matching
from ideas.models import Idea

SIMILAR_LIMIT = 5
# Words shorter than this carry little meaning ("de", "la", "un"…); below it, nothing is searched.
MIN_WORD = 4
MAX_WORDS = 30
# Frequent French words of four letters or more that would match almost every idea (SQLite
# fallback only: PostgreSQL's `french` configuration has its own, complete list).
_STOP_WORDS = """
avec dans pour sont leur leurs elle elles nous vous mais donc comme plus moins tout tous toute
toutes très être avoir fait faire cette ceux celle celles entre sans sous chez aussi même encore
alors ainsi quand faut peut peuvent doit doivent idée idées
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    words: list[str] = []
    for word in WORD.findall(text.lower()):
        if len(word) >= MIN_WORD and word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def has_search_words(*texts: str) -> bool:
    """Whether the texts hold a word meaningful enough to look for similar ideas."""
    return bool(_words(" ".join(texts)))


SEARCHED_FIELDS = ("title", "problem", "solution")


def search_ideas(queryset: QuerySet[Idea], text: str, *, typos: str = AUTO) -> QuerySet[Idea]:
    """Ideas matching every word of `text`, best first (caflab.search.query.matching: on
    PostgreSQL the stored vector, accents folded, websearch syntax "a phrase", -excluded, or,
    and typo tolerance on the title for a short query)."""
    if not clean(text):
        return queryset
    return matching(queryset, text, fields=SEARCHED_FIELDS, typos=typos).order_by(
        "-rank", "-created_at", "pk"
    )


def similar_ideas(
    queryset: QuerySet[Idea], *, title: str = "", problem: str = "", limit: int = SIMILAR_LIMIT
) -> list[Idea]:
    """The ideas closest to a title and a problem being typed, best first, at most `limit`.

    Any shared meaningful word counts (an OR of the words, not an AND: a similar idea is worded
    differently), ranked by how much they share, the title weighing more than the problem.
    Merged ideas are left out: their supporters were carried to the idea they joined.
    """
    words = _words(f"{title} {problem}")
    if not words:
        return []
    queryset = queryset.exclude(status=Idea.Status.MERGED)
    if connection.vendor == "postgresql":
        # websearch_to_tsquery reads "or" as the OR operator; every word is \w+, so the text
        # holds no other operator. The stored vector (caflab.search.indexing) and its index.
        query = SearchQuery(" or ".join(words), config=CONFIG, search_type="websearch")
        ranked = (
            queryset.annotate(rank=SearchRank(F("search_vector"), query))
            .filter(search_vector=query)
            .order_by("-rank", "-created_at", "pk")
        )
    else:
        hits = [
            Case(
                When(title__icontains=word, then=Value(3)),
                When(Q(problem__icontains=word) | Q(solution__icontains=word), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for word in words
        ]
        score = hits[0]
        for hit in hits[1:]:
            score = score + hit
        ranked = (
            queryset.annotate(rank=score).filter(rank__gt=0).order_by("-rank", "-created_at", "pk")
        )
    return list(ranked.select_related("caf", "project")[:limit])


# --- the idea box --------------------------------------------------------------------------

SORTS = {
    "recent": ("-created_at", "pk"),
    "supports": ("-n_supports", "-created_at", "pk"),
    "title": ("title", "pk"),
}
SORT_CHOICES = [
    ("recent", _("Les plus récentes")),
    ("supports", _("Les plus soutenues")),
    ("title", _("Titre (A → Z)")),
]


class IdeaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Mots du titre, du problème ou de la solution."),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème"), field_name="themes__slug", empty_label=_("Tous les thèmes")
    )
    caf = django_filters.ChoiceFilter(
        label=_("Caf"), field_name="caf__code", empty_label=_("Toutes les Caf")
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Idea.Status.choices, empty_label=_("Tous les statuts")
    )
    source = django_filters.ChoiceFilter(
        label=_("Origine"), choices=Idea.Source.choices, empty_label=_("Toutes les origines")
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Pertinence, puis les plus récentes"),
    )

    class Meta:
        model = Idea
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].extra["choices"] = list(Theme.objects.values_list("slug", "name"))
        self.filters["caf"].extra["choices"] = caf_choices()

    def filter_search(self, queryset: QuerySet[Idea], name: str, value: str) -> QuerySet[Idea]:
        return search_ideas(queryset, value)

    def filter_sort(self, queryset: QuerySet[Idea], name: str, value: str) -> QuerySet[Idea]:
        return queryset.order_by(*SORTS[value])


def caf_choices() -> list[tuple[str, str]]:
    return [
        (code, f"{code} – {name}")
        for code, name in Caf.objects.order_by("position").values_list("code", "name")
    ]


# --- the triage queue ----------------------------------------------------------------------


class TriageFilter(django_filters.FilterSet):
    """The queue's filters: examined or not yet, assigned to whom, status, Caf (for the lab)."""

    REVIEWED_CHOICES = [("non", _("Pas encore examinées")), ("oui", _("Examinées"))]
    ASSIGNED_CHOICES = [("moi", _("Confiées à moi")), ("personne", _("Sans examinateur"))]

    examinee = django_filters.ChoiceFilter(
        label=_("Examen"),
        choices=REVIEWED_CHOICES,
        method="filter_reviewed",
        empty_label=_("Examinées ou non"),
    )
    examinateur = django_filters.ChoiceFilter(
        label=_("Examinateur"),
        choices=ASSIGNED_CHOICES,
        method="filter_assigned",
        empty_label=_("Tous"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[
            (Idea.Status.SUBMITTED.value, Idea.Status.SUBMITTED.label),
            (Idea.Status.UNDER_REVIEW.value, Idea.Status.UNDER_REVIEW.label),
        ],
        empty_label=_("Soumises et en cours d’examen"),
    )
    caf = django_filters.ChoiceFilter(
        label=_("Caf"), field_name="caf__code", empty_label=_("Toutes les Caf")
    )
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = Idea
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_lab_staff:
            self.filters["caf"].extra["choices"] = caf_choices()
        else:  # a correspondent's queue is their Caf's: no Caf to choose
            del self.filters["caf"]

    def filter_reviewed(self, queryset: QuerySet[Idea], name: str, value: str):
        return queryset.filter(reviewed_at__isnull=value != "oui")

    def filter_assigned(self, queryset: QuerySet[Idea], name: str, value: str):
        if value == "moi":
            return queryset.filter(reviewer=self.user)
        return queryset.filter(reviewer__isnull=True)

    def filter_search(self, queryset: QuerySet[Idea], name: str, value: str):
        return search_ideas(queryset, value)
