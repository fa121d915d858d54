"""Finding what people type, for every searchable model (see caflab.search.indexing).

PostgreSQL: the stored vector is matched with a `websearch` query in the `caflab_fr`
configuration (stemmed, accents folded both ways: "acces" finds "accès", "démarches" finds
"demarches"), through its GIN index, ranked. When that finds nothing, a plain short query (no
quotes, no "-", no "or") is compared with the folded titles by trigram word similarity, through
their trigram index, so a typo ("accompagnment") or a truncated word still finds something.
Both in one statement.

SQLite (`make run`): every word must appear, case-insensitively, in one of the fields.
"""

import re
from collections.abc import Sequence

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from caflab.search.indexing import CONFIG, folded

# Longer input is cut: nobody types more, and a huge query would cost the database.
MAX_LENGTH = 200
# Trigram similarity is for short queries: a few words, typed as they come.
TRIGRAM_MAX_WORDS = 3
# websearch operators: a quoted phrase, an excluded -word, an "or".
_OPERATORS = re.compile(r"[\"]|(^|\s)-\w|\sor\s", re.IGNORECASE)


def clean(text: str | None) -> str:
    # NUL cannot reach PostgreSQL (a DataError): a separator, like the spaces around it.
    return " ".join((text or "").replace("\x00", " ").split())[:MAX_LENGTH]


def is_plain(text: str) -> bool:
    """A few words without websearch operators: worth a trigram comparison."""
    return len(text.split()) <= TRIGRAM_MAX_WORDS and not _OPERATORS.search(f" {text} ")


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# How typos are tolerated (PostgreSQL): AUTO in one statement, gated on the absence of a
# full-text hit; FULLTEXT never; TYPOS only (the caller saw no full-text hit itself).
AUTO, FULLTEXT, TYPOS = "auto", "fulltext", "typos"


def matching(
    queryset: QuerySet,
    text: str,
    *,
    vectors: Sequence[str] = ("search_vector",),
    title: str | None = "title",
    fields: Sequence[str] = ("title",),
    typos: str = AUTO,
) -> QuerySet:
    """The rows of `queryset` matching `text`, annotated with `rank` (higher is better), not
    ordered. `vectors`: the stored vectors searched; `title`: the field compared by trigram
    similarity (None: none); `fields`: what SQLite looks in; `typos`: AUTO, FULLTEXT or TYPOS.

    AUTO costs one statement but PostgreSQL still scans the trigram index when the full text
    hits; a caller that can afford a second statement on a miss (the search page) asks for
    FULLTEXT, then TYPOS when that found nothing."""
    text = clean(text)
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if not is_postgresql():
        for word in text.split():
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(match)
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))

    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    fulltext = Q()
    rank = Value(0.0, output_field=FloatField())
    for vector in vectors:
        fulltext |= Q(**{vector: query})
        rank = rank + Coalesce(SearchRank(F(vector), query), 0.0, output_field=FloatField())
    if typos == FULLTEXT or not (title and is_plain(text)):
        return queryset.filter(fulltext).annotate(rank=rank)
    needle, haystack = folded(Value(text)), folded(F(title))
    if typos == TYPOS:
        similarity = TrigramWordSimilarity(needle, haystack)
        return queryset.filter(TrigramWordSimilar(haystack, needle)).annotate(rank=similarity)
    # Typo tolerance, only when the full text finds nothing in `queryset`: PostgreSQL runs the
    # uncorrelated NOT EXISTS once, and the trigram comparison (costly, row by row) is skipped
    # whenever there is a full-text hit. The same expression as the trigram index.
    no_hit = ~Exists(queryset.filter(fulltext))
    return queryset.filter(
        fulltext | (Q(no_hit) & Q(TrigramWordSimilar(haystack, needle)))
    ).annotate(
        rank=Case(
            When(fulltext, then=rank),
            default=TrigramWordSimilarity(needle, haystack),
            output_field=FloatField(),
        )
    )
