"""Portfolio flows: create a project, move it through gate reviews, report its status, track
its blockers and levers, and spread it across the network (deployments).

Every flow is atomic and tells the people concerned through `notify`, after the commit.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.workflow import Workflow, transition
from caflab.network.models import Caf
from caflab.notifications.services import follow, followers_of, notify
from projects.gate_checks import go_blockers
from projects.models import (
    PIPELINE,
    Adaptation,
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateCriterion,
    GateReview,
    GateScore,
    Project,
    ProjectOrigin,
    Stage,
    StageChange,
    StatusReport,
    TeamMember,
)
from projects.scoring import validate_scores, weighted_summary
from projects.signals import stage_changed

if TYPE_CHECKING:
    from caflab.accounts.models import UserQuerySet

Decision = GateReview.Decision
CODE_ATTEMPTS = 5


# The core's "already done" under the name the portfolio's callers import: a refusal raised
# by a shared layer (caflab.engagement, caflab.core.workflow) is caught by them too.
AlreadyDone = errors.AlreadyDone

# A Caf may move its deployment from any status to any other (the adoption curve reads them).
DEPLOYMENT_WORKFLOW = Workflow(
    moves={
        status: tuple(other for other in Deployment.Status if other != status)
        for status in Deployment.Status
    },
    history=DeploymentChange,
    already_message=gettext_lazy("Le déploiement a déjà ce statut."),
)


# --- people to tell ------------------------------------------------------------------------


def project_audience(project: Project) -> "UserQuerySet":
    """The lead, the team and the followers of a project."""
    team = TeamMember.objects.filter(project=project).values("user")
    followers = followers_of(project).values("pk")
    return User.objects.active().filter(
        models.Q(pk=project.lead_id) | models.Q(pk__in=team) | models.Q(pk__in=followers)
    )


# --- projects ------------------------------------------------------------------------------


def _next_code(year: int) -> str:
    prefix = f"INNO-{year}-"
    # The highest number, compared as a number: as strings, "INNO-2026-999" sorts after
    # "INNO-2026-1000", and the 1,001st project of a year would be given an existing code.
    number = Cast(Substr("code", len(prefix) + 1), models.IntegerField())
    last = Project.objects.filter(code__startswith=prefix).aggregate(last=Max(number))["last"]
    return f"{prefix}{(last or 0) + 1:03d}"


def project_create(
    *,
    by: User,
    title: str,
    problem: str,
    lead: User | None = None,
    stage: str = Stage.IDEA,
    themes: Iterable[Any] = (),
    programmes: Iterable[Any] = (),
    cog_ambitions: Iterable[Any] = (),
    partners: Iterable[Any] = (),
    origin: models.Model | None = None,
    **fields: Any,
) -> Project:
    """Create a project with its automatic code (INNO-<year>-<n>), its lead in the team and the
    first line of its stage history. `origin` (an idea, a session, an initiative…) is linked."""
    lead = lead or by
    # Two creations at once may compute the same code: the unique constraint refuses the second,
    # which retries with the next number.
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    code=_next_code(timezone.localdate().year),
                    title=title,
                    problem=problem,
                    lead=lead,
                    stage=stage,
                    created_by=by,
                    **fields,
                )
                break
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
    with transaction.atomic():
        project.themes.set(themes)
        project.programmes.set(programmes)
        project.cog_ambitions.set(cog_ambitions)
        project.partners.set(partners)
        TeamMember.objects.create(project=project, user=lead, role=TeamMember.Role.LEAD)
        StageChange.record(project, from_state="", to_state=stage, by=by)
        if origin is not None:
            project_origin_add(project=project, source=origin)
    return project


def project_origin_add(*, project: Project, source: models.Model, label: str = "") -> ProjectOrigin:
    """Record where `project` came from. Idempotent: one row per source."""
    origin, _created = ProjectOrigin.objects.get_or_create(
        project=project,
        content_type=ContentType.objects.get_for_model(source),
        object_id=source.pk,
        defaults={"label": (label or str(source))[:255]},
    )
    return origin


@transaction.atomic
def team_member_set(*, project: Project, user: User, role: str) -> TeamMember:
    member, _created = TeamMember.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return member


def _move_stage(
    *, project: Project, to_stage: str, by: User, review: GateReview | None = None, **fields: Any
) -> None:
    # Not `transition()`: a gate review decides the move (its row lock is the race guard), and
    # a hold may keep a shelved project shelved with a new date.
    StageChange.record(
        project, from_state=project.stage, to_state=to_stage, by=by, gate_review=review
    )
    from_stage = project.stage
    project.stage = to_stage
    project.stage_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(project, name, value)
    project.save(update_fields=["stage", "stage_changed_at", "updated_at", *fields])
    if from_stage != to_stage:
        stage_changed.send(
            sender=Project, project=project, from_stage=from_stage, to_stage=to_stage, by=by
        )


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
        raise errors.InvalidState(_("Ce projet n'a pas d'étape suivante."))
    if project.stage in PIPELINE and PIPELINE.index(target) <= PIPELINE.index(project.stage):
        raise errors.InvalidState(_("L'étape visée doit suivre l'étape actuelle."))
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
        title=_("Revue de passage demandée : %(code)s vers « %(stage)s »")
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
    return GateCriterion.objects.for_gate(review.to_stage)


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
    if not rationale.strip():
        raise errors.InvalidState({"rationale": _("La justification est obligatoire.")})
    if decision in (Decision.GO, Decision.GO_WITH_CONDITIONS):
        blocked = gate_summary(review)["blocked"]
        if blocked:
            raise errors.InvalidState(
                _("Critère bloquant insuffisant : %(labels)s.")
                % {"labels": ", ".join(c.label for c in blocked)}
            )
        if decision == Decision.GO_WITH_CONDITIONS and not conditions.strip():
            raise errors.InvalidState({"conditions": _("Précisez les conditions du go.")})
        reasons = go_blockers(project)
        if reasons and not override_justification.strip():
            raise errors.InvalidState(
                {
                    "override_justification": _(
                        "Un « go » est bloqué (%(reasons)s) : justifiez par écrit votre décision "
                        "de passer outre."
                    )
                    % {"reasons": " ; ".join(reasons)}
                }
            )
        if not reasons:
            override_justification = ""
        _move_stage(project=project, to_stage=review.to_stage, by=by, review=review)
    elif decision == Decision.HOLD:
        if revisit_on is None or revisit_on <= timezone.localdate():
            raise errors.InvalidState({"revisit_on": _("Indiquez une date de réexamen à venir.")})
        _move_stage(
            project=project, to_stage=Stage.SHELVED, by=by, review=review, revisit_on=revisit_on
        )
    elif decision == Decision.STOP:
        if not lesson_learned.strip():
            raise errors.InvalidState({"lesson_learned": _("La leçon apprise est obligatoire.")})
        _move_stage(
            project=project,
            to_stage=Stage.ABANDONED,
            by=by,
            review=review,
            lesson_learned=lesson_learned,
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
        title=_("%(code)s : décision « %(decision)s » à la revue de passage")
        % {"code": project.code, "decision": review.get_decision_display()},
        body=rationale,
        url=project.get_absolute_url(),
        actor=by,
        key=f"project.gate_decided:{review.pk}",
    )
    return review


@transaction.atomic
def project_reactivate(*, project: Project, by: User, to_stage: str) -> Project:
    """Take a project off the shelf, back into the pipeline."""
    if project.stage != Stage.SHELVED:
        raise AlreadyDone(_("Ce projet n'est pas en attente."))
    if to_stage not in PIPELINE:
        raise errors.InvalidState(_("Étape inconnue."))
    _move_stage(project=project, to_stage=to_stage, by=by, revisit_on=None)
    return project


# --- status reports, blockers and levers ---------------------------------------------------


@transaction.atomic
def status_report_add(
    *,
    project: Project,
    by: User,
    health: str,
    summary: str,
    next_steps: str = "",
    reported_on: datetime.date | None = None,
) -> StatusReport:
    """A dated status report; the project's health is that of its latest report."""
    report = StatusReport.objects.create(
        project=project,
        author=by,
        health=health,
        summary=summary,
        next_steps=next_steps,
        reported_on=reported_on or timezone.localdate(),
    )
    latest = project.status_reports.order_by("-reported_on", "-created_at").first()
    project.health = latest.health
    project.health_reported_on = latest.reported_on
    project.save(update_fields=["health", "health_reported_on", "updated_at"])
    return report


def lever_add(
    *, project: Project, by: User, kind: str, text: str, owner: User | None = None
) -> BlockerLever:
    return BlockerLever.objects.create(project=project, kind=kind, text=text, owner=owner or by)


def lever_lift(*, lever: BlockerLever, by: User) -> BlockerLever:
    """Mark a blocker lifted (or a lever pulled). Lifting twice changes nothing."""
    updated = BlockerLever.objects.filter(pk=lever.pk, status=BlockerLever.Status.OPEN).update(
        status=BlockerLever.Status.LIFTED, lifted_on=timezone.localdate()
    )
    lever.refresh_from_db()
    if not updated:
        raise AlreadyDone(_("Déjà levé."))
    return lever


# --- essaimage ---------------------------------------------------------------------------


@transaction.atomic
def deployment_declare(
    *, project: Project, caf: Caf, by: User, local_lead: User | None = None, comment: str = ""
) -> tuple[Deployment, bool]:
    """A Caf says "we want it": one deployment per project × Caf. Declaring again keeps the
    first one; `created` tells the two apart."""
    deployment, created = Deployment.objects.get_or_create(
        project=project,
        caf=caf,
        defaults={"declared_by": by, "local_lead": local_lead or by, "comment": comment},
    )
    if created:
        DeploymentChange.record(deployment, from_state="", to_state=deployment.status, by=by)
        follow(user=by, obj=project)
        notify(
            recipients=project_audience(project),
            kind="project.deployment_declared",
            title=_("%(caf)s veut déployer %(code)s") % {"caf": caf, "code": project.code},
            body=comment,
            url=project.get_absolute_url(),
            actor=by,
            key=f"project.deployment_declared:{deployment.pk}",
        )
    return deployment, created


@transaction.atomic
def deployment_move(
    *, deployment: Deployment, by: User, status: str, reason: str = ""
) -> Deployment:
    def prepare(deployment: Deployment) -> list[str]:
        if status in (Deployment.Status.DECLINED, Deployment.Status.STOPPED) and not reason.strip():
            raise errors.InvalidState({"reason": _("Indiquez le motif.")})
        if reason:
            deployment.reason = reason  # kept on the deployment: its history has no reason
        return ["reason"]

    deployment = transition(
        deployment, to=status, by=by, workflow=DEPLOYMENT_WORKFLOW, prepare=prepare
    )
    project = deployment.project
    notify(
        recipients=project_audience(project),
        kind="project.deployment_moved",
        title=_("%(code)s dans la %(caf)s : %(status)s")
        % {"code": project.code, "caf": deployment.caf, "status": deployment.get_status_display()},
        body=reason,
        url=project.get_absolute_url(),
        actor=by,
    )
    return deployment


def adaptation_add(*, deployment: Deployment, by: User, **fields: Any) -> Adaptation:
    return Adaptation.objects.create(deployment=deployment, author=by, **fields)
