"""Criée events: their statuses (planned to followed up), the programme of pitches
(propose, schedule, decline, move), the live "now pitching" and the decision after."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import Role, User
from caflab.core.errors import InvalidState, NotAllowedNow
from caflab.notifications.services import notify
from criees.models import (
    Criee,
    Initiative,
    InitiativeMember,
    InterestDeclaration,
    Pitch,
)
from criees.services.initiatives import initiative_team
from projects.services import AlreadyDone

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
            title=_("Criée « %(title)s » : proposez les initiatives de votre Caf")
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
            title=_("Criée « %(title)s » : les suites sont publiées") % {"title": criee.title},
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
            raise NotAllowedNow(_("Cette criée n’est pas ouverte aux propositions."))
        if initiative.caf_id != by.caf_id:
            raise InvalidState(_("Vous proposez les initiatives de votre Caf."))
    try:
        with transaction.atomic():
            pitch = Pitch.objects.create(criee=criee, initiative=initiative, proposed_by=by)
            notify(
                recipients=User.objects.lab_staff(),
                kind="criees.pitch_proposed",
                title=_("Proposition pour la criée « %(criee)s » : %(title)s")
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
    pitch = (
        Pitch.objects.select_for_update(of=("self",)).select_related("initiative").get(pk=pitch.pk)
    )
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
            title=_("« %(title)s » est au programme de la criée « %(criee)s »")
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
        raise AlreadyDone(_("Cette proposition n’est déjà pas retenue."))
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
        raise InvalidState(_("Ce passage n’est pas au programme."))
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
        raise InvalidState(_("Ce passage n’est pas au programme de cette criée."))
    if criee.current_pitch_id == (pitch.pk if pitch else None):
        raise AlreadyDone(_("Ce passage est déjà à l’écran."))
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
