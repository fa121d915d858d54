"""Project flows: create a project (its code, its lead in the team, its first stage line), link
where it came from, manage its team, report its status and track its blockers and levers.
Gate reviews and stage moves are in gates.py, deployments in deployments.py.

Every flow is atomic and tells the people concerned through `notify`, after the commit.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import Role, User
from caflab.core import errors
from caflab.notifications.services import followers_of, notify
from projects.models import (
    BlockerLever,
    Project,
    ProjectOrigin,
    Prototype,
    Stage,
    StageChange,
    StatusReport,
    TeamMember,
)
from projects.permissions import partner_refusal

if TYPE_CHECKING:
    from caflab.accounts.models import UserQuerySet

CODE_ATTEMPTS = 5


# The core's "already done" under the name the portfolio's callers import: a refusal raised
# by a shared layer (caflab.engagement, caflab.core.workflow) is caught by them too.
AlreadyDone = errors.AlreadyDone


class PartnerRefused(errors.DomainError):
    """A partner acting on a project they do not work on (not theirs, or not incubated)."""

    default_message = _("Les partenaires contribuent seulement aux projets incubés avec eux.")


def ensure_partner_may_contribute(*, project: Project, by: User) -> None:
    """A partner follows up only the incubated projects of their organisation; others pass
    (the views' rules decide for them)."""
    reason = partner_refusal(by, project)
    if reason is not None:
        raise PartnerRefused(reason)


# --- people to tell ------------------------------------------------------------------------


def project_audience(project: Project) -> "UserQuerySet":
    """The lead, the team and the followers of a project."""
    team = TeamMember.objects.filter(project=project).values("user")
    followers = followers_of(project).values("pk")
    return User.objects.active().filter(
        models.Q(pk=project.lead_id) | models.Q(pk__in=team) | models.Q(pk__in=followers)
    )


def lever_arbiters(project: Project) -> "UserQuerySet":
    """Who arbitrates an escalated blocker or lever: the lab, where the innovation director
    sits, and the members of the directorate sponsoring the project."""
    who = models.Q(role=Role.LAB_STAFF)
    if project.sponsor_id is not None:
        who |= models.Q(role=Role.DIRECTORATE, directorate_id=project.sponsor_id)
    return User.objects.active().filter(who)


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


@transaction.atomic
def team_member_remove(*, project: Project, member_id: int) -> TeamMember:
    """Take someone out of `project`'s team. The lead stays: they change through the project
    (`project_update`). Already gone (a double click, two editors) is "already done"."""
    member = project.team_members.select_related("user").filter(pk=member_id).first()
    if member is None:
        raise AlreadyDone(_("Cette personne ne fait déjà plus partie de l’équipe."))
    if member.user_id == project.lead_id or member.role == TeamMember.Role.LEAD:
        raise errors.InvalidState(
            _("Le porteur ne peut pas être retiré : changez d’abord de porteur.")
        )
    member.delete()
    return member


@transaction.atomic
def project_update(
    *,
    project: Project,
    previous_lead_id: int | None,
    themes: Iterable[Any],
    programmes: Iterable[Any],
    cog_ambitions: Iterable[Any],
    partners: Iterable[Any],
) -> Project:
    """Save `project` as its form changed it (validated, not saved yet) and its lists. Its
    stage is not here: it moves only through gate reviews. A new lead joins the team as lead;
    the previous one (`previous_lead_id`) stays in it as co-lead."""
    project.save()
    project.themes.set(themes)
    project.programmes.set(programmes)
    project.cog_ambitions.set(cog_ambitions)
    project.partners.set(partners)
    if project.lead_id != previous_lead_id:
        TeamMember.objects.filter(
            project=project, user_id=previous_lead_id, role=TeamMember.Role.LEAD
        ).update(role=TeamMember.Role.CO_LEAD)
        team_member_set(project=project, user=project.lead, role=TeamMember.Role.LEAD)
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
    """A dated status report; the project's health is that of its latest report. A partner
    reports on the incubated projects of their organisation only (`PartnerRefused`)."""
    ensure_partner_may_contribute(project=project, by=by)
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
    """A blocker or lever, carried by `owner` (else its author). A partner raises one on the
    incubated projects of their organisation only (`PartnerRefused`)."""
    ensure_partner_may_contribute(project=project, by=by)
    return BlockerLever.objects.create(project=project, kind=kind, text=text, owner=owner or by)


def prototype_add(*, project: Project, by: User, **fields: Any) -> Prototype:
    """A prototype of `project` (`fields`: kind, version, tests, findings). A partner adds one
    to the incubated projects of their organisation only (`PartnerRefused`)."""
    ensure_partner_may_contribute(project=project, by=by)
    return Prototype.objects.create(project=project, **fields)


def lever_lift(*, lever: BlockerLever, by: User) -> BlockerLever:
    """Mark a blocker lifted (or a lever pulled). Lifting twice changes nothing."""
    updated = BlockerLever.objects.filter(pk=lever.pk, status=BlockerLever.Status.OPEN).update(
        status=BlockerLever.Status.LIFTED, lifted_on=timezone.localdate()
    )
    lever.refresh_from_db()
    if not updated:
        raise AlreadyDone(_("Déjà levé."))
    return lever


def _locked_open_lever(lever: BlockerLever) -> BlockerLever:
    """The lever, locked, read again: what another request did meanwhile counts."""
    locked = BlockerLever.objects.select_for_update().get(pk=lever.pk)
    if locked.status != BlockerLever.Status.OPEN:
        raise AlreadyDone(_("Ce frein ou levier est déjà levé."))
    return locked


@transaction.atomic
def lever_escalate(*, lever: BlockerLever, by: User) -> BlockerLever:
    """Put an open blocker or lever "à arbitrer par la direction" (the cockpit lists these
    first). Under the row's lock: of two clicks, the second is "already done". A partner
    escalates on the incubated projects of their organisation only (`PartnerRefused`)."""
    ensure_partner_may_contribute(project=lever.project, by=by)
    locked = _locked_open_lever(lever)
    if locked.escalated_on is not None:
        raise AlreadyDone(_("Ce frein ou levier est déjà soumis à l’arbitrage de la direction."))
    locked.escalated_on = timezone.localdate()
    locked.escalated_by = by
    locked.save(update_fields=["escalated_on", "escalated_by", "updated_at"])
    project = locked.project
    notify(
        recipients=lever_arbiters(project),
        kind="project.lever_escalated",
        title=_("%(code)s : « %(kind)s » soumis à l’arbitrage de la direction")
        % {"code": project.code, "kind": locked.get_kind_display()},
        body=locked.text,
        url=f"{reverse('projects:levers')}?escalated=oui",
        actor=by,
        key=f"project.lever_escalated:{locked.pk}",
    )
    return locked


@transaction.atomic
def lever_pull(*, lever: BlockerLever, by: User) -> BlockerLever:
    """The direction pulls a lever (or arbitrates a blocker): it is closed, with who did it
    and when. Under the row's lock: of two directors, the second is "already done"."""
    locked = _locked_open_lever(lever)
    today = timezone.localdate()
    locked.status = BlockerLever.Status.LIFTED
    locked.lifted_on = today
    locked.pulled_on = today
    locked.pulled_by = by
    locked.save(update_fields=["status", "lifted_on", "pulled_on", "pulled_by", "updated_at"])
    project = locked.project
    # Those who raised it and asked for the arbitration hear that the direction acted.
    raised_by = [pk for pk in (locked.owner_id, locked.escalated_by_id) if pk is not None]
    notify(
        recipients=User.objects.active().filter(pk__in=raised_by),
        kind="project.lever_pulled",
        title=_("%(code)s : la direction a arbitré « %(kind)s »")
        % {"code": project.code, "kind": locked.get_kind_display()},
        body=locked.text,
        url=project.get_absolute_url(),
        actor=by,
        own_contribution=True,
        key=f"project.lever_pulled:{locked.pk}",
    )
    return locked
