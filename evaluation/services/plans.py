"""Flows of the evaluation plan: creating it, and freezing its content into a version."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.models import (
    ChangeLink,
    EvaluationPlan,
    PlanVersion,
)
from projects.services import AlreadyDone


def plan_get_or_create(*, project, by) -> tuple[EvaluationPlan, bool]:
    """The project's plan, created empty at version 1 the first time (one per project: the
    one-to-one column makes a double click harmless)."""
    return EvaluationPlan.objects.get_or_create(project=project, defaults={"updated_by": by})


def plan_content(plan: EvaluationPlan) -> dict[str, Any]:
    """Everything a version freezes, as plain JSON: the plan's text, its stakeholder groups and
    questions, the theory of change, and the indicators' definitions with their targets."""
    groups = list(plan.stakeholder_groups.order_by("kind", "name"))
    questions = list(plan.questions.prefetch_related("stakeholder_groups").order_by("position"))
    steps = list(plan.change_steps.order_by("level", "position", "pk"))
    links = list(
        ChangeLink.objects.filter(source__plan=plan)
        .select_related("source", "target")
        .order_by("source__position", "target__position", "pk")
    )
    indicators = list(
        plan.project.indicators.select_related("owner", "question")
        .prefetch_related("targets")
        .order_by("position", "pk")
    )
    return {
        "project": {"code": plan.project.code, "title": plan.project.title},
        "summary": plan.summary,
        "methods": plan.methods,
        "calendar": plan.calendar,
        "evidence_level": plan.evidence_level,
        "evidence_level_label": str(plan.get_evidence_level_display()),
        "stakeholder_groups": [
            {
                "name": g.name,
                "kind": g.kind,
                "kind_label": str(g.get_kind_display()),
                "description": g.description,
            }
            for g in groups
        ],
        "questions": [
            {
                "text": q.text,
                "criterion": q.criterion,
                "criterion_label": str(q.get_criterion_display()),
                "methods": q.methods,
                "stakeholder_groups": sorted(g.name for g in q.stakeholder_groups.all()),
            }
            for q in questions
        ],
        "change_steps": [
            {
                "id": s.pk,
                "level": s.level,
                "level_label": str(s.get_level_display()),
                "label": s.label,
                "description": s.description,
            }
            for s in steps
        ],
        "change_links": [
            {
                "source": link.source_id,
                "target": link.target_id,
                "source_label": link.source.label,
                "target_label": link.target.label,
                "assumption": link.assumption,
            }
            for link in links
        ],
        "indicators": [
            {
                "name": i.name,
                "definition": i.definition,
                "unit": i.unit,
                "direction": i.direction,
                "direction_label": str(i.get_direction_display()),
                "category": i.category,
                "category_label": str(i.get_category_display()),
                "effect": i.effect,
                "effect_label": str(i.get_effect_display()),
                "baseline_value": None if i.baseline_value is None else str(i.baseline_value),
                "baseline_date": i.baseline_date.isoformat() if i.baseline_date else None,
                "baseline_source": i.baseline_source,
                "collection_method": i.collection_method,
                "frequency": i.frequency,
                "frequency_label": str(i.get_frequency_display()),
                "owner": str(i.owner) if i.owner else "",
                "question": i.question.text if i.question else "",
                "targets": [
                    {"period": t.period.isoformat(), "value": str(t.value)} for t in i.targets.all()
                ],
            }
            for i in indicators
        ],
    }


@transaction.atomic
def plan_version_save(*, plan: EvaluationPlan, by, note: str, expected_version: int) -> PlanVersion:
    """Freeze the plan's current content as version `plan.version`, then move the plan on to the
    next version. `expected_version` is the version the user saw: a second click (or a colleague
    saving meanwhile) finds it already frozen and gets AlreadyDone, never a duplicate."""
    locked = (
        EvaluationPlan.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=plan.pk)
    )
    if locked.version != expected_version:
        raise AlreadyDone(_("Cette version du plan a déjà été enregistrée."))
    version = PlanVersion.objects.create(
        plan=locked,
        number=locked.version,
        content=plan_content(locked),
        note=note,
        created_by=by,
    )
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    plan.version = locked.version
    return version
