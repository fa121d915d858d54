"""Searching consultations and contributions (caflab.search.query.matching: the stored French
vector on PostgreSQL, accents folded, typo-tolerant titles; `icontains` on SQLite)."""

from django.db.models import QuerySet

from caflab.search.query import AUTO, clean, matching
from ecoute.models import Consultation, Contribution


def search_consultations(
    queryset: QuerySet[Consultation], text: str, *, typos: str = AUTO
) -> QuerySet[Consultation]:
    """Consultations matching `text` in their title, summary or presentation, best first."""
    if not clean(text):
        return queryset
    return matching(queryset, text, fields=("title", "summary", "body"), typos=typos).order_by(
        "-rank", "-opens_at", "pk"
    )


def search_contributions(
    queryset: QuerySet[Contribution], text: str, *, typos: str = AUTO
) -> QuerySet[Contribution]:
    """Contributions matching `text` in their title or text, best first."""
    if not clean(text):
        return queryset
    return matching(queryset, text, fields=("title", "text"), typos=typos).order_by(
        "-rank", "-created_at", "pk"
    )
