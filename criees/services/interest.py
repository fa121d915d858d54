"""The interest the Caf declare for a published initiative, and its promotion into the
portfolio (a project at the essaimage stage, with the Caf that want it as deployments)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import InvalidState
from caflab.network.models import Caf
from caflab.notifications.services import follow, followers_of, notify
from criees.models import (
    Criee,
    Initiative,
    InitiativeMember,
    InterestDeclaration,
    InterestLevel,
    Pitch,
    Support,
)
from criees.permissions import can_declare_replicate
from criees.services.initiatives import _locked, initiative_team
from projects.models import Project, Stage, TeamMember
from projects.services import AlreadyDone, deployment_declare, project_create, team_member_set


class InterestOutcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


# --- interest ------------------------------------------------------------------------------


def _check_interest(initiative: Initiative, caf: Caf, by: User, level: str) -> None:
    if level not in InterestLevel.values:
        raise InvalidState({"level": _("Niveau d’intérêt inconnu.")})
    if not initiative.is_published:
        raise InvalidState(_("Cette initiative n’est pas publiée."))
    if caf.pk == initiative.caf_id:
        raise InvalidState(_("Une Caf ne déclare pas d’intérêt pour sa propre initiative."))
    if level == InterestLevel.REPLICATE and not can_declare_replicate(by, caf):
        raise InvalidState(
            {
                "level": _(
                    "Seul le correspondant innovation de la Caf peut déclarer « veut la "
                    "reprendre »."
                )
            }
        )


@transaction.atomic
def interest_declare(
    *,
    initiative: Initiative,
    caf: Caf,
    by: User,
    level: str,
    contact_person: User | None = None,
    comment: str = "",
    criee: Criee | None = None,
) -> tuple[InterestDeclaration, str]:
    """Record how much `caf` wants `initiative`: one row per Caf, declaring again updates it
    (the outcome says whether it was created, updated or unchanged). A "wants to replicate"
    is set or withdrawn only by the Caf's correspondent (or the lab). The initiative's team is
    told when a Caf declares, or changes its level."""
    _check_interest(initiative, caf, by, level)
    contact_person = contact_person or by
    comment = comment.strip()
    rows = InterestDeclaration.objects.select_for_update().filter(initiative=initiative, caf=caf)
    interest = rows.first()
    created = False
    if interest is None:
        try:
            with transaction.atomic():
                interest = InterestDeclaration.objects.create(
                    initiative=initiative,
                    caf=caf,
                    level=level,
                    contact_person=contact_person,
                    comment=comment,
                    declared_by=by,
                    criee=criee,
                )
            created = True
        except IntegrityError:  # another declaration for this Caf won the race: update it
            interest = rows.get()
    previous_level = None if created else interest.level
    if created:
        outcome = InterestOutcome.CREATED
    else:
        if previous_level == InterestLevel.REPLICATE and not can_declare_replicate(by, caf):
            raise InvalidState(
                _(
                    "Votre Caf veut reprendre cette initiative : seul son correspondant "
                    "innovation peut modifier cette déclaration."
                )
            )
        wanted = {"level": level, "contact_person_id": contact_person.pk, "comment": comment}
        if all(getattr(interest, name) == value for name, value in wanted.items()):
            return interest, InterestOutcome.UNCHANGED
        interest.level = level
        interest.contact_person = contact_person
        interest.comment = comment
        interest.declared_by = by
        interest.criee = criee or interest.criee
        interest.save(
            update_fields=[
                "level",
                "contact_person",
                "comment",
                "declared_by",
                "criee",
                "updated_at",
            ]
        )
        outcome = InterestOutcome.UPDATED
    follow(user=by, obj=initiative)
    if level != previous_level:
        notify(
            recipients=initiative_team(initiative),
            kind="criees.interest_declared",
            title=_("%(caf)s : « %(level)s » pour votre initiative « %(title)s »")
            % {"caf": caf.name, "level": interest.get_level_display(), "title": initiative.title},
            body=comment,
            url=initiative.get_absolute_url(),
            actor=by,
            own_contribution=True,
        )
    return interest, outcome


# --- promotion into the portfolio ----------------------------------------------------------


@transaction.atomic
def initiative_promote(
    *, initiative: Initiative, by: User, title: str = "", lead: User | None = None
) -> Project:
    """The lab turns a published initiative into a portfolio project at the essaimage stage:
    the initiative is its origin, its team becomes the project team (its lead leads the
    project), its Caf is the pilot, and each Caf that wants to replicate it becomes a
    deployment ("interested"). Supporters, interested Caf and followers are told."""
    initiative = _locked(initiative)
    if initiative.project_id:
        raise AlreadyDone(_("Cette initiative est déjà un projet du portefeuille."))
    if not initiative.is_published:
        raise InvalidState(_("Seule une initiative publiée peut rejoindre le portefeuille."))
    members = list(
        InitiativeMember.objects.filter(initiative=initiative, user__is_active=True)
        .select_related("user")
        .order_by("role", "pk")  # "lead" sorts before "member"
    )
    leads = [m.user for m in members if m.role == InitiativeMember.Role.LEAD]
    lead = lead or (leads[0] if leads else None) or initiative.created_by or by
    project = project_create(
        by=by,
        lead=lead,
        title=(title or initiative.title)[:200],
        problem=initiative.problem,
        solution=f"{initiative.summary}\n\n{initiative.actions}".strip(),
        stage=Stage.ESSAIMAGE,
        themes=initiative.themes.all(),
        origin=initiative,
        pilot_caf=initiative.caf,
        target_publics=", ".join(p.name for p in initiative.publics.all())[:255],
        is_draft=False,
    )
    for member in members:
        if member.user_id != lead.pk:
            team_member_set(project=project, user=member.user, role=TeamMember.Role.MEMBER)
    # Conditional update: where row locks do not exist (SQLite), the second of two racing
    # promotions finds the initiative taken and rolls its project back.
    promoted_at = timezone.now()
    linked = Initiative.objects.filter(pk=initiative.pk, project__isnull=True).update(
        project=project, promoted_at=promoted_at, promoted_by=by, updated_at=promoted_at
    )
    if not linked:
        raise AlreadyDone(_("Cette initiative est déjà un projet du portefeuille."))
    initiative.project, initiative.promoted_at, initiative.promoted_by = project, promoted_at, by
    replicate = (
        InterestDeclaration.objects.replicate()
        .filter(initiative=initiative)
        .select_related("caf", "declared_by", "contact_person")
        .order_by("caf__position")
    )
    for interest in replicate:
        deployment_declare(
            project=project,
            caf=interest.caf,
            by=interest.declared_by or by,
            local_lead=interest.contact_person,
            comment=interest.comment,
        )
    Pitch.objects.filter(initiative=initiative, decision="").update(
        decision=Pitch.Decision.PROMOTE, decided_by=by, decided_at=timezone.now()
    )
    interests = InterestDeclaration.objects.filter(initiative=initiative)
    people = (
        Q(pk__in=Support.objects.filter(initiative=initiative).values("user"))
        | Q(pk__in=interests.values("declared_by"))
        | Q(pk__in=interests.values("contact_person"))
        | Q(pk__in=followers_of(initiative).values("pk"))
        | Q(pk__in=InitiativeMember.objects.filter(initiative=initiative).values("user"))
    )
    notify(
        recipients=User.objects.active().filter(people),
        kind="criees.initiative_promoted",
        title=_("« %(title)s » rejoint le portefeuille en essaimage : %(code)s")
        % {"title": initiative.title, "code": project.code},
        body=_("Les Caf qui veulent la reprendre y sont inscrites comme déploiements."),
        url=initiative.get_absolute_url(),
        actor=by,
    )
    return project
