"""Criées flows: an initiative from draft to the catalogue, its supports and comments (with
moderation), the interest the Caf declare, its promotion into the portfolio, and the criée
events with their programme and live pitch.

Every flow is atomic and tells the people concerned through `notify` (mail queued after the
commit). A "one per person / per Caf" rule is a database constraint: losing a race raises
`AlreadyDone`, which the views show as a message, never a 500.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import Role, User
from caflab.core.errors import InvalidState, NotAllowedNow
from caflab.core.workflow import Workflow, transition
from caflab.engagement import services as engagement
from caflab.network.models import Caf
from caflab.notifications.services import follow, followers_of, notify
from criees.models import (
    Comment,
    CommentReport,
    Criee,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    InterestLevel,
    Pitch,
    Support,
)
from criees.permissions import can_declare_replicate
from projects.models import Project, Stage, TeamMember
from projects.services import AlreadyDone, deployment_declare, project_create, team_member_set

if TYPE_CHECKING:
    from caflab.accounts.models import UserQuerySet

__all__ = ["AlreadyDone"]

Status = Initiative.Status
# The moves of an initiative: the team submits a draft (or a returned one), a validator
# publishes it or returns it with a comment. A published initiative stays published.
WORKFLOW = Workflow(
    moves={
        Status.DRAFT: (Status.SUBMITTED,),
        Status.RETURNED: (Status.SUBMITTED,),
        Status.SUBMITTED: (Status.PUBLISHED, Status.RETURNED),
        Status.PUBLISHED: (),
    },
    history=InitiativeStatusChange,
    already_error=AlreadyDone,
    refused_message=gettext_lazy("Cette initiative n'est pas soumise à validation."),
    refused_field=None,
)
# A comment reported by this many people is hidden until a moderator reviews it.


class InterestOutcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


# --- people to tell ------------------------------------------------------------------------


def initiative_team(initiative: Initiative) -> "UserQuerySet":
    return User.objects.active().filter(initiative_memberships__initiative=initiative)


def initiative_audience(initiative: Initiative) -> "UserQuerySet":
    """The team and the followers of an initiative."""
    team = InitiativeMember.objects.filter(initiative=initiative).values("user")
    followers = followers_of(initiative).values("pk")
    return User.objects.active().filter(Q(pk__in=team) | Q(pk__in=followers))


def validators_of(caf: Caf) -> "UserQuerySet":
    """Who validates a Caf's initiatives: its correspondents, or the lab when it has none."""
    correspondents = User.objects.correspondents_of(caf)
    return correspondents if correspondents.exists() else User.objects.lab_staff()


def moderators() -> "UserQuerySet":
    return User.objects.active().filter(role__in=[Role.MODERATOR, Role.LAB_STAFF])


# --- initiatives ---------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    by: User,
    caf: Caf,
    title: str,
    summary: str,
    problem: str,
    actions: str,
    lead: User | None = None,
    team: Iterable[User] = (),
    themes: Iterable[Any] = (),
    publics: Iterable[Any] = (),
    **fields: Any,
) -> Initiative:
    """A draft initiative, its lead (the author by default) and team; the author follows it."""
    initiative = Initiative.objects.create(
        caf=caf,
        title=title,
        summary=summary,
        problem=problem,
        actions=actions,
        created_by=by,
        **fields,
    )
    initiative.themes.set(themes)
    initiative.publics.set(publics)
    lead = lead or by
    InitiativeMember.objects.create(
        initiative=initiative, user=lead, role=InitiativeMember.Role.LEAD
    )
    initiative_team_set(initiative=initiative, users=team)
    InitiativeStatusChange.record(initiative, from_state="", to_state=initiative.status, by=by)
    follow(user=by, obj=initiative)
    return initiative


@transaction.atomic
def initiative_team_set(*, initiative: Initiative, users: Iterable[User]) -> None:
    """The members besides the lead are exactly `users` (the lead stays)."""
    wanted = {user.pk: user for user in users}
    members = InitiativeMember.objects.filter(initiative=initiative)
    lead_ids = set(
        members.filter(role=InitiativeMember.Role.LEAD).values_list("user_id", flat=True)
    )
    members.filter(role=InitiativeMember.Role.MEMBER).exclude(user_id__in=wanted).delete()
    present = set(members.values_list("user_id", flat=True))
    InitiativeMember.objects.bulk_create(
        InitiativeMember(initiative=initiative, user=user, role=InitiativeMember.Role.MEMBER)
        for pk, user in wanted.items()
        if pk not in present and pk not in lead_ids
    )


def _locked(initiative: Initiative) -> Initiative:
    return Initiative.objects.select_for_update().get(pk=initiative.pk)


def _move(
    initiative: Initiative,
    *,
    to_status: str,
    by: User,
    comment: str = "",
    already_done: dict[str, str],
) -> Initiative:
    """Make the move (locked, checked again, history written) and return the locked row. A
    first publication dates the initiative in the catalogue; a return keeps its comment."""
    now = timezone.now()

    def prepare(locked: Initiative) -> list[str]:
        fields = []
        if to_status == Status.PUBLISHED and locked.published_at is None:
            locked.published_at = now
            fields.append("published_at")
        if to_status == Status.RETURNED:
            locked.return_comment = comment
            fields.append("return_comment")
        return fields

    return transition(
        initiative,
        to=to_status,
        by=by,
        workflow=WORKFLOW,
        reason=comment,
        already_done=already_done,
        prepare=prepare,
        now=now,
    )


@transaction.atomic
def initiative_submit(*, initiative: Initiative, by: User) -> Initiative:
    """The team asks for validation; the Caf's correspondents (or the lab) are told."""
    initiative = _move(
        initiative,
        to_status=Status.SUBMITTED,
        by=by,
        already_done={
            Status.PUBLISHED: _("Cette initiative est déjà publiée."),
            Status.SUBMITTED: _("Cette initiative est déjà soumise à validation."),
        },
    )
    notify(
        recipients=validators_of(initiative.caf),
        kind="criees.initiative_submitted",
        title=_("Initiative à valider : %(title)s") % {"title": initiative.title},
        body=initiative.summary,
        url=initiative.get_absolute_url(),
        actor=by,
    )
    return initiative


def _decided() -> dict[str, str]:
    """A submitted initiative another validator already published or returned."""
    message = _("Cette initiative a déjà été validée ou renvoyée.")
    return {Status.PUBLISHED: message, Status.RETURNED: message}


@transaction.atomic
def initiative_publish(*, initiative: Initiative, by: User) -> Initiative:
    """Validation: the initiative joins the catalogue; its team and followers are told."""
    initiative = _move(initiative, to_status=Status.PUBLISHED, by=by, already_done=_decided())
    notify(
        recipients=initiative_audience(initiative),
        kind="criees.initiative_published",
        title=_("Votre initiative « %(title)s » est publiée dans le catalogue")
        % {"title": initiative.title},
        url=initiative.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return initiative


@transaction.atomic
def initiative_return(*, initiative: Initiative, by: User, comment: str) -> Initiative:
    """Sent back to the team with what to change; the team edits and submits again."""
    if not comment.strip():
        raise InvalidState({"comment": _("Dites à l'équipe ce qu'il faut reprendre.")})
    initiative = _move(
        initiative,
        to_status=Status.RETURNED,
        by=by,
        comment=comment.strip(),
        already_done=_decided(),
    )
    notify(
        recipients=initiative_team(initiative),
        kind="criees.initiative_returned",
        title=_("Votre initiative « %(title)s » vous est renvoyée") % {"title": initiative.title},
        body=comment,
        url=initiative.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return initiative


# --- supports and comments (caflab.engagement; the policy is in criees/engagement.py) --------


def support_add(*, initiative: Initiative, by: User) -> Support:
    """Support an initiative, once per person (a second click is "already done")."""
    return engagement.support_add(target=initiative, by=by)


def support_remove(*, initiative: Initiative, by: User) -> bool:
    engagement.support_remove(target=initiative, by=by)
    return True


def comment_add(
    *, initiative: Initiative, by: User, text: str, parent: Comment | None = None
) -> Comment:
    return engagement.comment_add(target=initiative, by=by, text=text, parent=parent)


def comment_report(*, comment: Comment, by: User, reason: str = "") -> CommentReport:
    return engagement.comment_report(comment=comment, by=by, reason=reason)


def comment_moderate(*, comment: Comment, by: User, action: str, note: str = "") -> Comment:
    """Hide a comment, or restore it (its past reports then no longer count)."""
    return engagement.comment_moderate(comment=comment, by=by, action=action, message=note)


# --- interest ------------------------------------------------------------------------------


def _check_interest(initiative: Initiative, caf: Caf, by: User, level: str) -> None:
    if level not in InterestLevel.values:
        raise InvalidState({"level": _("Niveau d'intérêt inconnu.")})
    if not initiative.is_published:
        raise InvalidState(_("Cette initiative n'est pas publiée."))
    if caf.pk == initiative.caf_id:
        raise InvalidState(_("Une Caf ne déclare pas d'intérêt pour sa propre initiative."))
    if level == InterestLevel.REPLICATE and not can_declare_replicate(by, caf):
        raise InvalidState(
            {
                "level": _(
                    "Seul le correspondant innovation de la Caf peut déclarer « veut la "
                    "reprendre »."
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
                    "Votre Caf veut reprendre cette initiative : seul son correspondant "
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
            title=_("%(caf)s : « %(level)s » pour votre initiative « %(title)s »")
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
        title=_("« %(title)s » rejoint le portefeuille en essaimage : %(code)s")
        % {"title": initiative.title, "code": project.code},
        body=_("Les Caf qui veulent la reprendre y sont inscrites comme déploiements."),
        url=initiative.get_absolute_url(),
        actor=by,
    )
    return project


# --- criées and their programme ------------------------------------------------------------


def _locked_criee(criee: Criee) -> Criee:
    return Criee.objects.select_for_update().get(pk=criee.pk)


@transaction.atomic
def criee_advance(*, criee: Criee, by: User, to_status: str) -> Criee:
    """Move a criée to its next status (planned → open for proposals → programme closed → held
    → follow-up done). Opening tells the correspondents; the follow-up tells the teams of the
    pitched initiatives and the Caf that declared interest."""
    criee = _locked_criee(criee)
    if criee.status == to_status:
        raise AlreadyDone(_("La criée a déjà ce statut."))
    if to_status != criee.next_status:
        raise InvalidState(_("La criée ne peut pas passer directement à ce statut."))
    criee.status = to_status
    criee.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if to_status == Criee.Status.HELD:
        criee.current_pitch = None
        fields.append("current_pitch")
    criee.save(update_fields=fields)
    url = criee.get_absolute_url()
    if to_status == Criee.Status.OPEN:
        notify(
            recipients=User.objects.active().filter(role=Role.CORRESPONDENT),
            kind="criees.criee_open",
            title=_("Criée « %(title)s » : proposez les initiatives de votre Caf")
            % {"title": criee.title},
            url=url,
            actor=by,
        )
    elif to_status == Criee.Status.FOLLOWED_UP:
        initiatives = Pitch.objects.scheduled().filter(criee=criee).values("initiative")
        interests = InterestDeclaration.objects.filter(initiative__in=initiatives)
        people = (
            Q(pk__in=InitiativeMember.objects.filter(initiative__in=initiatives).values("user"))
            | Q(pk__in=interests.values("declared_by"))
            | Q(pk__in=interests.values("contact_person"))
        )
        notify(
            recipients=User.objects.active().filter(people),
            kind="criees.criee_followed_up",
            title=_("Criée « %(title)s » : les suites sont publiées") % {"title": criee.title},
            body=criee.follow_up_summary,
            url=reverse("criees:followup", kwargs={"pk": criee.pk}),
            actor=by,
        )
    return criee


def pitch_propose(*, criee: Criee, initiative: Initiative, by: User) -> Pitch:
    """A correspondent proposes one of their Caf's published initiatives while the criée is
    open for proposals (the lab may add one until the programme is held). Once per criée."""
    if not initiative.is_published:
        raise InvalidState(_("Seule une initiative publiée peut être proposée."))
    if by.is_lab_staff:
        if not criee.programme_is_editable:
            raise NotAllowedNow(_("Le programme de cette criée ne se modifie plus."))
    else:
        if not criee.accepts_proposals:
            raise NotAllowedNow(_("Cette criée n'est pas ouverte aux propositions."))
        if initiative.caf_id != by.caf_id:
            raise InvalidState(_("Vous proposez les initiatives de votre Caf."))
    try:
        with transaction.atomic():
            pitch = Pitch.objects.create(criee=criee, initiative=initiative, proposed_by=by)
            notify(
                recipients=User.objects.lab_staff(),
                kind="criees.pitch_proposed",
                title=_("Proposition pour la criée « %(criee)s » : %(title)s")
                % {"criee": criee.title, "title": initiative.title},
                url=criee.get_absolute_url(),
                actor=by,
            )
    except IntegrityError as exc:
        raise AlreadyDone(_("Cette initiative est déjà proposée à cette criée.")) from exc
    return pitch


def _check_programme_editable(criee: Criee) -> None:
    if not criee.programme_is_editable:
        raise NotAllowedNow(_("Le programme de cette criée ne se modifie plus."))


@transaction.atomic
def pitch_schedule(
    *,
    pitch: Pitch,
    by: User,
    slot_minutes: int | None = None,
    presenters: Iterable[User] | None = None,
) -> Pitch:
    """Put a proposal on the programme (last in order), or change its slot and presenters.
    The team and the presenters are told the first time."""
    criee = _locked_criee(pitch.criee)
    _check_programme_editable(criee)
    pitch = Pitch.objects.select_for_update().select_related("initiative").get(pk=pitch.pk)
    newly = not pitch.is_scheduled
    if newly:
        last = Pitch.objects.scheduled().filter(criee=criee).aggregate(last=Max("position"))
        pitch.position = (last["last"] or 0) + 1
        pitch.status = Pitch.Status.SCHEDULED
    if slot_minutes is not None:
        pitch.slot_minutes = slot_minutes
    pitch.save(update_fields=["status", "position", "slot_minutes", "updated_at"])
    if presenters is not None:
        pitch.presenters.set(presenters)
    if newly:
        people = Q(pk__in=initiative_team(pitch.initiative).values("pk")) | Q(
            pk__in=pitch.presenters.values("pk")
        )
        notify(
            recipients=User.objects.active().filter(people),
            kind="criees.pitch_scheduled",
            title=_("« %(title)s » est au programme de la criée « %(criee)s »")
            % {"title": pitch.initiative.title, "criee": criee.title},
            url=criee.get_absolute_url(),
            actor=by,
            own_contribution=True,
        )
    return pitch


def _renumber(criee: Criee, ordered: list[Pitch]) -> None:
    for index, pitch in enumerate(ordered, start=1):
        if pitch.position != index:
            pitch.position = index
            pitch.save(update_fields=["position", "updated_at"])


@transaction.atomic
def pitch_decline(*, pitch: Pitch, by: User) -> Pitch:
    """Not kept (or taken off the programme); the order closes the gap."""
    criee = _locked_criee(pitch.criee)
    _check_programme_editable(criee)
    pitch = Pitch.objects.select_for_update().get(pk=pitch.pk)
    if pitch.status == Pitch.Status.DECLINED:
        raise AlreadyDone(_("Cette proposition n'est déjà pas retenue."))
    pitch.status = Pitch.Status.DECLINED
    pitch.position = None
    pitch.save(update_fields=["status", "position", "updated_at"])
    if criee.current_pitch_id == pitch.pk:
        criee.current_pitch = None
        criee.save(update_fields=["current_pitch", "updated_at"])
    _renumber(criee, list(Pitch.objects.scheduled().filter(criee=criee)))
    return pitch


@transaction.atomic
def pitch_move(*, pitch: Pitch, by: User, direction: str) -> Pitch:
    """Move a pitch one slot up or down the programme."""
    criee = _locked_criee(pitch.criee)
    _check_programme_editable(criee)
    ordered = list(Pitch.objects.scheduled().filter(criee=criee))
    index = next((i for i, p in enumerate(ordered) if p.pk == pitch.pk), None)
    if index is None:
        raise InvalidState(_("Ce passage n'est pas au programme."))
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(ordered):
        raise AlreadyDone(_("Ce passage est déjà à cette place."))
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(criee, ordered)
    return ordered[target]


@transaction.atomic
def criee_set_current(*, criee: Criee, by: User, pitch: Pitch | None) -> Criee:
    """On the live page, the lab shows which initiative is being pitched (or none)."""
    criee = _locked_criee(criee)
    if criee.status in (Criee.Status.HELD, Criee.Status.FOLLOWED_UP):
        raise NotAllowedNow(_("Cette criée est terminée."))
    if pitch is not None and (pitch.criee_id != criee.pk or not pitch.is_scheduled):
        raise InvalidState(_("Ce passage n'est pas au programme de cette criée."))
    if criee.current_pitch_id == (pitch.pk if pitch else None):
        raise AlreadyDone(_("Ce passage est déjà à l'écran."))
    criee.current_pitch = pitch
    criee.save(update_fields=["current_pitch", "updated_at"])
    return criee


@transaction.atomic
def pitch_decide(*, pitch: Pitch, by: User, decision: str, note: str = "") -> Pitch:
    """What the lab decided after the criée for this initiative."""
    if decision not in Pitch.Decision.values:
        raise InvalidState({"decision": _("Décision inconnue.")})
    pitch.decision = decision
    pitch.decision_note = note.strip()
    pitch.decided_by = by
    pitch.decided_at = timezone.now()
    pitch.save(
        update_fields=["decision", "decision_note", "decided_by", "decided_at", "updated_at"]
    )
    return pitch
