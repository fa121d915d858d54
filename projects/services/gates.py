"""Gate reviews and stage moves: the lead asks to move a project to a later stage, reviewers
score the gate's criteria, the lab decides (go, recycle, hold, stop) and the stage moves; a
shelved project is taken back into the pipeline. Each stage move goes through
`caflab.core.workflow.transition()` (`STAGE_WORKFLOW`) and writes the stage history.

Every flow is atomic and tells the people concerned through `notify`, after the commit.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.workflow import Workflow, transition
from caflab.notifications.services import notify
from projects.gate_checks import go_blockers
from projects.models import (
    PIPELINE,
    GateCriterion,
    GateReview,
    GateScore,
    Project,
    Stage,
    StageChange,
)
from projects.scoring import validate_scores, weighted_summary
from projects.services.projects import AlreadyDone, project_audience
from projects.signals import stage_changed

Decision = GateReview.Decision


def _stage_moves(stage: str) -> tuple[str, ...]:
    """A pipeline stage goes on to a later one (a go may skip some), on hold or stopped; a
    shelved project comes back to any pipeline stage or is stopped; generalised and abandoned
    are final."""
    if stage == Stage.SHELVED:
        return (*PIPELINE, Stage.ABANDONED)
    if stage not in PIPELINE or stage == PIPELINE[-1]:
        return ()
    return (*PIPELINE[PIPELINE.index(stage) + 1 :], Stage.SHELVED, Stage.ABANDONED)


# The stage moves: a gate review's decision, or a project taken off the shelf. A hold may put
# a shelved project on hold again, with a new date (`repeatable`).
STAGE_WORKFLOW = Workflow(
    moves={stage: _stage_moves(stage) for stage in Stage},
    field="stage",
    changed_at_field="stage_changed_at",
    history=StageChange,
    already_message=gettext_lazy("C’est déjà fait : le projet est déjà à l’étape « %(label)s »."),
    refused_message=gettext_lazy(
        "Un projet à l’étape « %(label)s » ne peut pas passer à « %(target)s »."
    ),
    refused_field=None,
    repeatable=frozenset({Stage.SHELVED}),
)


def _move_stage(
    *,
    project: Project,
    to_stage: str,
    by: User,
    review: GateReview | None = None,
    already_done: Any = None,
    **fields: Any,
) -> Project:
    """Move `project` to `to_stage` through `transition()` (locked, read again, its stage
    history written with the review that decided it), set `fields` with it, and tell the
    apps listening to `stage_changed`. Returns the locked, moved project."""
    moved_from: list[str] = []

    def prepare(locked: Project) -> list[str]:
        moved_from.append(locked.stage)
        for name, value in fields.items():
            setattr(locked, name, value)
        return list(fields)

    project = transition(
        project,
        to=to_stage,
        by=by,
        workflow=STAGE_WORKFLOW,
        history_extra={"gate_review": review},
        already_done=already_done,
        prepare=prepare,
    )
    if moved_from[0] != to_stage:
        stage_changed.send(
            sender=Project, project=project, from_stage=moved_from[0], to_stage=to_stage, by=by
        )
    return project


# --- gate reviews --------------------------------------------------------------------------


@transaction.atomic
def gate_request(
    *,
    project: Project,
    by: User,
    motivation: str,
    to_stage: str | None = None,
    reviewers: Iterable[User] = (),
    due_on: datetime.date | None = None,
) -> GateReview:
    """The lead asks to move `project` to its next stage (or a named later one)."""
    target = to_stage or project.next_stage
    if target is None or target not in PIPELINE:
        raise errors.InvalidState(_("Ce projet n’a pas d’étape suivante."))
    if project.stage in PIPELINE and PIPELINE.index(target) <= PIPELINE.index(project.stage):
        raise errors.InvalidState(_("L’étape visée doit suivre l’étape actuelle."))
    if project.gate_reviews.pending().exists():
        raise AlreadyDone(_("Une revue de passage est déjà demandée pour ce projet."))
    try:
        with transaction.atomic():
            review = GateReview.objects.create(
                project=project,
                from_stage=project.stage,
                to_stage=target,
                requested_by=by,
                motivation=motivation,
                due_on=due_on or timezone.localdate() + datetime.timedelta(days=14),
            )
    except IntegrityError as exc:  # another request won the race
        raise AlreadyDone(_("Une revue de passage est déjà demandée pour ce projet.")) from exc
    review.reviewers.set(reviewers)
    recipients = User.objects.lab_staff() | User.objects.filter(pk__in=[r.pk for r in reviewers])
    notify(
        recipients=recipients.distinct(),
        kind="project.gate_requested",
        title=_("Revue de passage demandée : %(code)s vers « %(stage)s »")
        % {"code": project.code, "stage": review.get_to_stage_display()},
        body=motivation,
        url=review_url(review),
        actor=by,
    )
    return review


def review_url(review: GateReview) -> str:
    from django.urls import reverse

    return reverse("projects:gate-review", kwargs={"code": review.project.code, "pk": review.pk})


def gate_criteria_for(review: GateReview) -> models.QuerySet[GateCriterion]:
    """The criteria of the review's gate for its project's track (and those of every track)."""
    return GateCriterion.objects.for_gate(review.to_stage, review.project.track)


@transaction.atomic
def gate_score(
    *, review: GateReview, reviewer: User, scores: dict[int, tuple[int, str]]
) -> list[GateScore]:
    """Record `reviewer`'s scores, {criterion id: (score 1-5, comment)}. Scoring again updates."""
    if not review.is_open:
        raise AlreadyDone(_("Cette revue est déjà décidée."))
    validate_scores(set(gate_criteria_for(review).values_list("pk", flat=True)), scores)
    saved = []
    for criterion_id, (score, comment) in scores.items():
        row, _created = GateScore.objects.update_or_create(
            review=review,
            criterion_id=criterion_id,
            reviewer=reviewer,
            defaults={"score": int(score), "comment": comment},
        )
        saved.append(row)
    return saved


def gate_summary(review: GateReview) -> dict[str, Any]:
    """Per criterion mean score, the weighted total on 5, and the blocking criteria below the
    threshold (see projects.scoring)."""
    return weighted_summary(gate_criteria_for(review), GateScore.objects.filter(review=review))


@transaction.atomic
def gate_decide(
    *,
    review: GateReview,
    by: User,
    decision: str,
    rationale: str,
    conditions: str = "",
    revisit_on: datetime.date | None = None,
    lesson_learned: str = "",
    override_justification: str = "",
) -> GateReview:
    """Record the decision and apply it: go → next stage; recycle → stays; hold → on the shelf
    until `revisit_on`; stop → abandoned with `lesson_learned`. Team and followers are told.

    A go is refused while another app's registered check (`projects.gate_checks`) gives reasons
    against it, e.g. an open severe negative effect, unless `override_justification` says why
    the decider goes ahead anyway; the justification is kept on the review."""
    review = GateReview.objects.select_for_update().select_related("project").get(pk=review.pk)
    if not review.is_open:
        raise AlreadyDone(_("Cette revue est déjà décidée."))
    project = Project.objects.select_for_update().get(pk=review.project_id)
    # The review's row lock is the race guard: a move the project cannot make (it is already
    # where the review leads) is refused, never "already done" (the review is still open).
    decided: dict[str, Any] = {"by": by, "review": review, "already_done": {}}
    if not rationale.strip():
        raise errors.InvalidState({"rationale": _("La justification est obligatoire.")})
    if decision in (Decision.GO, Decision.GO_WITH_CONDITIONS):
        blocked = gate_summary(review)["blocked"]
        if blocked:
            raise errors.InvalidState(
                _("Critère bloquant insuffisant : %(labels)s.")
                % {"labels": ", ".join(c.label for c in blocked)}
            )
        if decision == Decision.GO_WITH_CONDITIONS and not conditions.strip():
            raise errors.InvalidState({"conditions": _("Précisez les conditions du go.")})
        reasons = go_blockers(project)
        if reasons and not override_justification.strip():
            raise errors.InvalidState(
                {
                    "override_justification": _(
                        "Un « go » est bloqué (%(reasons)s) : justifiez par écrit votre décision "
                        "de passer outre."
                    )
                    % {"reasons": " ; ".join(reasons)}
                }
            )
        if not reasons:
            override_justification = ""
        project = _move_stage(project=project, to_stage=review.to_stage, **decided)
    elif decision == Decision.HOLD:
        if revisit_on is None or revisit_on <= timezone.localdate():
            raise errors.InvalidState({"revisit_on": _("Indiquez une date de réexamen à venir.")})
        # A shelved project put on hold again stays shelved, with its new date.
        project = _move_stage(
            project=project, to_stage=Stage.SHELVED, revisit_on=revisit_on, **decided
        )
    elif decision == Decision.STOP:
        if not lesson_learned.strip():
            raise errors.InvalidState({"lesson_learned": _("La leçon apprise est obligatoire.")})
        project = _move_stage(
            project=project, to_stage=Stage.ABANDONED, lesson_learned=lesson_learned, **decided
        )
    elif decision != Decision.RECYCLE:
        raise errors.InvalidState({"decision": _("Décision inconnue.")})

    review.status = GateReview.Status.DECIDED
    review.decision = decision
    review.rationale = rationale
    review.conditions = conditions
    if decision in (Decision.GO, Decision.GO_WITH_CONDITIONS):
        review.override_justification = override_justification.strip()
    review.decided_by = by
    review.decided_at = timezone.now()
    review.save()
    notify(
        recipients=project_audience(project),
        kind="project.gate_decided",
        title=_("%(code)s : décision « %(decision)s » à la revue de passage")
        % {"code": project.code, "decision": review.get_decision_display()},
        body=rationale,
        url=project.get_absolute_url(),
        actor=by,
        key=f"project.gate_decided:{review.pk}",
    )
    return review


@transaction.atomic
def project_reactivate(*, project: Project, by: User, to_stage: str) -> Project:
    """Take a project off the shelf, back into the pipeline. The project's row is locked: one
    already taken off the shelf (meanwhile, or twice at once) is "already done"."""
    if to_stage not in PIPELINE:
        raise errors.InvalidState(_("Étape inconnue."))
    not_shelved = _("Ce projet n’est pas en attente.")
    return _move_stage(
        project=project,
        to_stage=to_stage,
        by=by,
        revisit_on=None,
        already_done={stage: not_shelved for stage in Stage if stage != Stage.SHELVED},
    )
