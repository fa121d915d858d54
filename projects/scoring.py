"""Weighted 1-5 scorecards, shared by gate reviews, the triage of ideas and challenge juries."""

from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce

# A blocking criterion whose mean score is below this refuses a "go".
BLOCKING_THRESHOLD = 3


def weighted_summary(criteria: QuerySet, scores: QuerySet) -> dict[str, Any]:
    """Per criterion mean (computed by the database), the weighted mean on 5 and the blocking
    criteria below the threshold. `scores` is any score QuerySet with `criterion` and `score`."""
    means = dict(
        scores.values("criterion").annotate(mean=Avg("score")).values_list("criterion", "mean")
    )
    rows, blocked = [], []
    weighted, weights = Decimal(0), 0
    for criterion in criteria:
        mean = means.get(criterion.pk)
        rows.append({"criterion": criterion, "mean": mean})
        if mean is not None:
            weighted += Decimal(str(mean)) * criterion.weight
            weights += criterion.weight
            if criterion.is_blocking and mean < BLOCKING_THRESHOLD:
                blocked.append(criterion)
    total = (weighted / weights).quantize(Decimal("0.1")) if weights else None
    return {"rows": rows, "weighted_mean": total, "blocked": blocked}


def validate_scores(criteria_ids: set[int], scores: dict[int, tuple[int, str]]) -> None:
    """Refuse unknown criteria and scores outside 1-5 (French messages, for the forms: an
    `InvalidState` is a ValidationError)."""
    from django.utils.translation import gettext as _

    from caflab.core.errors import InvalidState

    for criterion_id, (score, _comment) in scores.items():
        if criterion_id not in criteria_ids:
            raise InvalidState(_("Critère inconnu pour cette grille."))
        if not 1 <= int(score) <= 5:
            raise InvalidState(_("Chaque note va de 1 à 5."))


class _RatioOfWindowSums(Func):
    """`SUM(a) OVER () / SUM(b) OVER ()` over the rows of a grouped query, where `a` and `b` may
    be aggregates of each group (Django's `Window` refuses an aggregate inside `Sum`)."""

    template = "(SUM(%(expressions)s) OVER ())"
    arg_joiner = ") OVER () / SUM("
    contains_aggregate = False
    contains_over_clause = True
    window_compatible = True

    def get_group_by_cols(self) -> list:
        return []


def ranked_by_weighted_mean(
    items: QuerySet,
    *,
    criteria: QuerySet,
    scores: QuerySet,
    item_field: str,
    then: tuple[str, ...] = ("pk",),
) -> QuerySet:
    """`items` (the entries of a challenge, the applications of a call…), best weighted mean
    first, in one query: per criterion the mean of the jurors' scores, weighted by the
    criterion's weight, over the criteria scored (the figure of `weighted_summary`); unscored
    items last, then by `then`. Annotates `weighted_mean` (None when unscored) and `n_jurors`.

    `scores`: the score rows (`criterion`, `score`, `reviewer`, and `item_field` pointing to the
    item); `criteria`: the items' criteria (the challenge's, the call's).

    One correlated subquery per item reads its score rows once (the index on `item_field`),
    grouped by criterion, and divides the window sums of `mean × weight` and `weight` over
    those groups: only scored criteria have a group. (A subquery per criterion per item, and a
    join of the score rows for the number of jurors, took 1.3 s for 600 applications.)"""
    as_float = FloatField()
    weight = Cast("criterion__weight", as_float)
    own_scores = scores.order_by().filter(**{item_field: OuterRef("pk")})
    weighted_mean = (
        own_scores.filter(criterion__in=criteria.order_by().values("pk"))
        .values("criterion", "criterion__weight")
        .annotate(mean=Avg(Cast("score", as_float)))
        .annotate(weighted=_RatioOfWindowSums(F("mean") * weight, weight, output_field=as_float))
        .values("weighted")[:1]
    )
    n_jurors = (
        own_scores.values(item_field).annotate(n=Count("reviewer", distinct=True)).values("n")[:1]
    )
    return items.annotate(
        weighted_mean=Subquery(weighted_mean, output_field=as_float),
        n_jurors=Coalesce(Subquery(n_jurors, output_field=IntegerField()), 0),
    ).order_by(F("weighted_mean").desc(nulls_last=True), *then)


def rounded_mean(value: float | None) -> Decimal | None:
    """A weighted mean as the scorecards show it: one decimal."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))
