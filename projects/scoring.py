"""Weighted 1-5 scorecards, shared by gate reviews, the triage of ideas and challenge juries."""

from decimal import Decimal
from typing import Any

from django.db.models import Avg, QuerySet

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
