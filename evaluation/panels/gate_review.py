"""The gate review's ecological part ("gate_review" page panel, registered in
EvaluationConfig.ready()): the project's ecological assessment next to the score of the
gate's ecological criterion, whether its programme requires it, and the link to fill it in.

The gate's ecological criteria are those of the target stage whose label speaks of ecology
("écolog…", such as "Pré-évaluation écologique réalisée" at the gate into experimentation):
the criteria are the lab’s, edited in the admin, with no other mark. Four queries.
"""

from typing import Any

from django.db.models import Avg
from django.http import HttpRequest

from evaluation.models import EcologicalRating
from evaluation.services.ecological import (
    N_OBJECTIVES,
    assessment_url,
    requiring_programmes,
)
from projects.models import ADVANCED_STAGES, GateCriterion, GateScore


def context(request: HttpRequest, review: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.has_perm("evaluation.view_participation"):
        return None
    project = review.project
    # 1 query: the gate's ecological criteria with their mean score.
    criteria = list(
        GateCriterion.objects.for_gate(review.to_stage, project.track)
        .filter(label__icontains="écolog")
        .order_by("position", "pk")
    )
    means = {}
    if criteria:
        means = dict(
            GateScore.objects.filter(review=review, criterion__in=criteria)
            .order_by()
            .values("criterion")
            .annotate(mean=Avg("score"))
            .values_list("criterion", "mean")
        )
    # 1 query: the project's programmes that require an assessment; 1 query: its ratings.
    programmes = requiring_programmes(project)
    ratings = {r.objective: r for r in EcologicalRating.objects.filter(project=project)}
    required = bool(programmes) and review.to_stage in ADVANCED_STAGES
    if not (criteria or ratings or programmes):
        return None
    rows = [
        {
            "objective": label,
            "rating": ratings.get(objective),
            "is_unmitigated": objective in ratings
            and ratings[objective].rating == EcologicalRating.Rating.NEGATIVE
            and not ratings[objective].mitigation,
        }
        for objective, label in EcologicalRating.Objective.choices
    ]
    return {
        "project": project,
        "review": review,
        "criteria": [
            {"label": criterion.label, "mean": means.get(criterion.pk)} for criterion in criteria
        ],
        "programmes": programmes,
        "required": required,
        "rows": rows,
        "n_rated": len(ratings),
        "n_objectives": N_OBJECTIVES,
        "is_complete": len(ratings) >= N_OBJECTIVES,
        "n_unmitigated": sum(1 for row in rows if row["is_unmitigated"]),
        "edit_url": assessment_url(project)
        if user.has_perm("evaluation.change_participation", project)
        else "",
    }
