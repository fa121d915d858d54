"""The evaluators' judgements per criterion, and the ecological-transition assessment."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from caflab.core.errors import InvalidState
from evaluation.models import EcologicalRating, Judgement
from projects.models import Project


@transaction.atomic
def judgement_save(
    *,
    project: Project,
    criterion: str,
    rating: int,
    rationale: str,
    by: Any,
    evidence: str = "",
    indicators: Iterable = (),
    testimonies: Iterable = (),
    surveys: Iterable = (),
) -> Judgement:
    """Record (or revise) the judgement of `project` on `criterion`, with its evidence. The
    evidence must belong to the project."""
    for items in (indicators, testimonies, surveys):
        if any(item.project_id != project.pk for item in items):
            raise InvalidState(_("Les éléments de preuve doivent concerner ce projet."))
    if not rationale.strip():
        raise InvalidState({"rationale": _("Argumentez votre appréciation.")})
    judgement, _created = Judgement.objects.update_or_create(
        project=project,
        criterion=criterion,
        defaults={
            "rating": rating,
            "rationale": rationale.strip(),
            "evidence": evidence.strip(),
            "judged_by": by,
        },
    )
    judgement.indicators.set(indicators)
    judgement.testimonies.set(testimonies)
    judgement.surveys.set(surveys)
    return judgement


@transaction.atomic
def ecological_assessment_save(
    *, project: Project, ratings: Mapping[str, tuple[Any, ...]], by: Any
) -> list[EcologicalRating]:
    """Record the seven ratings at once: {objective: (rating, justification[, mitigation])}.
    A negative rating may be saved without a mitigation; a "go" then needs a written
    justification (evaluation.services.ecological)."""
    missing = set(EcologicalRating.Objective.values) - set(ratings)
    if missing:
        raise InvalidState(_("Appréciez chacun des sept objectifs."))
    saved = []
    for objective in EcologicalRating.Objective.values:
        rating, justification, *rest = ratings[objective]
        mitigation = rest[0] if rest else ""
        if not justification.strip():
            raise InvalidState(_("Chaque appréciation demande une justification."))
        row, _created = EcologicalRating.objects.update_or_create(
            project=project,
            objective=objective,
            defaults={
                "rating": rating,
                "justification": justification.strip(),
                "mitigation": (mitigation or "").strip(),
                "assessed_by": by,
            },
        )
        saved.append(row)
    return saved
