"""Event flows: create and edit (organisers), publish / cancel / mark held through `WORKFLOW`,
register and cancel a registration (seats handed out under a row lock, a waiting list, the
first waiting person promoted), the reminder the day before, attendance and materials.

Seats are handed out while holding a row lock on the event (`select_for_update`): concurrent
registrations queue on it, so the confirmed count never exceeds the seats. The partial unique
constraint on live registrations makes a second registration of the same person "already
done", never a 500. People are told through `notify` (in-app, and an e-mail queued after the
commit, always sent: it is about their own registration); more than a few recipients are told
by the notifications' fan-out task, with ids only.
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, InvalidState, NotAllowedNow
from caflab.core.workflow import Workflow, transition
from caflab.network.models import Caf, Theme
from caflab.notifications.services import notify
from events.models import DebateProposal, Event, EventStatusChange, Material, Registration

logger = logging.getLogger(__name__)

Status = Event.Status
RegStatus = Registration.Status


class NotEligible(NotAllowedNow):
    """The person is not among those who may register to this event."""


class RegistrationClosed(NotAllowedNow):
    """Registrations are not open (not yet, not any more, or the event is not published)."""


# A draft is published (or dropped by cancelling it); a published event is held or cancelled.
WORKFLOW = Workflow(
    moves={
        Status.DRAFT: (Status.PUBLISHED, Status.CANCELLED),
        Status.PUBLISHED: (Status.HELD, Status.CANCELLED),
        Status.CANCELLED: (),
        Status.HELD: (),
    },
    history=EventStatusChange,
    final_message=gettext_lazy("C’est déjà fait : l’événement est « %(status)s »."),
    refused_message=gettext_lazy(
        "Cet événement ne peut pas passer de « %(label)s » à « %(target)s »."
    ),
    refused_field=None,
)


def when(event: Event) -> str:
    """ "mardi 3 mars 2026 à 14:00", in the site's time zone."""
    return date_format(timezone.localtime(event.starts_at), "l j F Y à H:i")


# --- organisers ----------------------------------------------------------------------------


@transaction.atomic
def event_save(
    *,
    event: Event,
    by: User,
    themes: Iterable[Theme] = (),
    cafs: Iterable[Caf] = (),
    organisers: Iterable[User] = (),
) -> Event:
    """Create or edit an event (a draft when new; its author organises it). More seats on a
    published event go to the waiting list, in order; fewer seats demote nobody."""
    creating = event.pk is None
    if creating:
        event.created_by = by
    else:
        Event.objects.select_for_update().get(pk=event.pk)  # the seats' lock
    event.full_clean()
    event.save()
    event.themes.set(themes)
    event.cafs.set(cafs)
    people = {user.pk: user for user in organisers}
    if creating:
        people.setdefault(by.pk, by)
    if people or creating:
        event.organisers.set(people.values())
    if not creating:
        _fill_free_seats(event, timezone.now())
    return event


def _move(event: Event, *, to: str, by: User, reason: str = "") -> Event:
    now = timezone.now()

    def prepare(locked: Event) -> list[str]:
        if to == Status.PUBLISHED and locked.published_at is None:
            locked.published_at = now
            return ["published_at"]
        if to == Status.CANCELLED:
            locked.cancel_reason = reason
            return ["cancel_reason"]
        if to == Status.HELD and locked.starts_at > now:
            raise InvalidState(_("Un événement qui n’a pas commencé ne peut pas être « tenu »."))
        return []

    return transition(
        event, to=to, by=by, workflow=WORKFLOW, reason=reason, prepare=prepare, now=now
    )


@transaction.atomic
def event_publish(*, event: Event, by: User) -> Event:
    """The event joins the catalogue of its audience."""
    return _move(event, to=Status.PUBLISHED, by=by)


@transaction.atomic
def event_cancel(*, event: Event, by: User, reason: str) -> Event:
    """Cancel an event with a reason; everyone registered (or waiting) is told."""
    if not reason.strip():
        raise InvalidState({"reason": _("Dites aux inscrits pourquoi l’événement est annulé.")})
    was_published = event.status == Status.PUBLISHED
    event = _move(event, to=Status.CANCELLED, by=by, reason=reason.strip())
    if was_published:
        people = User.objects.filter(
            event_registrations__event=event,
            event_registrations__status__in=[
                RegStatus.CONFIRMED,
                RegStatus.WAITING,
            ],
        )
        notify(
            recipients=people,
            kind="events.cancelled",
            title=_("Événement annulé : %(title)s") % {"title": event.title},
            body=event.cancel_reason,
            url=event.get_absolute_url(),
            actor=by,
            own_contribution=True,
            key=f"events.cancelled:{event.pk}",
        )
    return event


@transaction.atomic
def event_mark_held(*, event: Event, by: User) -> Event:
    """The event took place: attendance and materials follow; it counts in the figures."""
    return _move(event, to=Status.HELD, by=by)


# --- registrations -------------------------------------------------------------------------


def registration_refusal(event: Event, user: User, now: datetime.datetime | None = None) -> str:
    """Why `user` may not register now ("" when they may), in French: shown on the page, and
    raised by `registration_create`."""
    return event.window_refusal(now) or event.eligibility_refusal(user)


def registration_create(
    *, event: Event, user: User, now: datetime.datetime | None = None
) -> Registration:
    """Register `user`: a seat if one is free, else the waiting list. Raises
    RegistrationClosed (outside the window), NotEligible (with the reason), or AlreadyDone
    (already registered: a double click, two tabs)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The lock: registrations of this event take their turn from here on.
            locked = Event.objects.select_for_update().get(pk=event.pk)
            refusal = locked.window_refusal(now)
            if refusal:
                raise RegistrationClosed(refusal)
            refusal = locked.eligibility_refusal(user)
            if refusal:
                raise NotEligible(refusal)
            if Registration.objects.live().filter(event=locked, user=user).exists():
                raise AlreadyDone(_("Vous êtes déjà inscrit(e) à cet événement."))
            confirmed = Registration.objects.filter(event=locked, status=RegStatus.CONFIRMED)
            status = RegStatus.CONFIRMED if confirmed.count() < locked.seats else RegStatus.WAITING
            registration = Registration.objects.create(
                event=locked,
                user=user,
                caf_id=user.caf_id,
                directorate_id=user.directorate_id,
                status=status,
                registered_at=now,
            )
            _tell(registration, locked, "confirmation")
    except IntegrityError as exc:  # the same person in two requests at once: one row wins
        raise AlreadyDone(_("Vous êtes déjà inscrit(e) à cet événement.")) from exc
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, by: User, now: datetime.datetime | None = None
) -> Registration | None:
    """Cancel a registration (before the event starts); a freed seat goes to the first on the
    waiting list, who is told. Returns the promoted registration, if any."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == RegStatus.CANCELLED:
        raise AlreadyDone(_("Cette inscription est déjà annulée."))
    if event.starts_at <= now:
        raise NotAllowedNow(_("L’événement a commencé : l’inscription ne peut plus être annulée."))
    was_confirmed = locked.status == RegStatus.CONFIRMED
    locked.status = RegStatus.CANCELLED
    locked.cancelled_at = now
    locked.save(update_fields=["status", "cancelled_at"])
    registration.status, registration.cancelled_at = locked.status, locked.cancelled_at
    if not was_confirmed:
        return None
    promoted = _fill_free_seats(event, now)
    return promoted[0] if promoted else None


def _fill_free_seats(locked: Event, now: datetime.datetime) -> list[Registration]:
    """Give the free seats to the first on the waiting list, in order, and tell them. The
    caller holds the lock on the event row."""
    if locked.status != Status.PUBLISHED:
        return []
    confirmed = Registration.objects.filter(event=locked, status=RegStatus.CONFIRMED).count()
    free = locked.seats - confirmed
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=locked).waiting_order().select_related("user")[:free]
    )
    for registration in promoted:
        registration.status = RegStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _tell(registration, locked, "promotion")
    return promoted


def _tell(registration: Registration, event: Event, kind: str) -> None:
    """The person hears of their registration in-app and by e-mail (queued after commit)."""
    place = ", ".join(filter(None, [event.place, event.online_url]))
    titles = {
        "confirmation": _("Inscription confirmée : %(title)s"),
        "waiting": _("Vous êtes sur la liste d’attente : %(title)s"),
        "promotion": _("Une place s’est libérée pour vous : %(title)s"),
        "reminder": _("Rappel : %(title)s, c’est demain"),
    }
    if kind == "confirmation" and registration.status == RegStatus.WAITING:
        kind = "waiting"
    notify(
        recipients=[registration.user],
        kind=f"events.{kind}",
        title=titles[kind] % {"title": event.title},
        body=_("Le %(when)s. %(place)s") % {"when": when(event), "place": place},
        url=event.get_absolute_url(),
        own_contribution=True,
    )


def registrations_remind(now: datetime.datetime | None = None) -> int:
    """Remind each confirmed person of a published event that starts tomorrow (local date).
    Idempotent: each registration's reminder column is claimed once, in the transaction that
    queues its notification (one `notify` per event: the fan-out task takes large ones)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    due = Event.objects.filter(status=Status.PUBLISHED, starts_at__date=tomorrow)
    sent = 0
    for event in due:
        with transaction.atomic():
            pending = Registration.objects.select_for_update(skip_locked=True).filter(
                event=event, status=RegStatus.CONFIRMED, reminder_sent_at__isnull=True
            )
            ids = list(pending.values_list("pk", flat=True))
            if not ids:
                continue
            Registration.objects.filter(pk__in=ids).update(reminder_sent_at=now)
            place = ", ".join(filter(None, [event.place, event.online_url]))
            notify(
                recipients=User.objects.filter(event_registrations__pk__in=ids),
                kind="events.reminder",
                title=_("Rappel : %(title)s, c’est demain") % {"title": event.title},
                body=_("Le %(when)s. %(place)s") % {"when": when(event), "place": place},
                url=event.get_absolute_url(),
                own_contribution=True,
                key=f"events.reminder:{event.pk}:{tomorrow.isoformat()}",
            )
            sent += len(ids)
    return sent


# --- after the event -----------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, event: Event, present_ids: Iterable[int], by: User) -> int:
    """Who came: every confirmed registration is marked present or absent. Taken once the
    event has started; the event is marked held if it was still published. Returns how many
    came."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status not in (Status.PUBLISHED, Status.HELD):
        raise InvalidState(_("La présence ne se relève que pour un événement publié ou tenu."))
    if locked.starts_at > timezone.now():
        raise NotAllowedNow(_("La présence se relève une fois l’événement commencé."))
    present = set(present_ids)
    confirmed = Registration.objects.filter(event=locked, status=RegStatus.CONFIRMED)
    confirmed.filter(pk__in=present).update(attended=True)
    confirmed.exclude(pk__in=present).update(attended=False)
    if locked.status == Status.PUBLISHED:
        _move(locked, to=Status.HELD, by=by)
    return confirmed.filter(attended=True).count()


@transaction.atomic
def material_add(
    *, event: Event, by: User, file: Any, name: str, content_type: str, description: str = ""
) -> Material:
    """Attach a checked upload (the form checked its kind, size and content)."""
    return Material.objects.create(
        event=event,
        file=file,
        name=name,
        description=description,
        content_type=content_type,
        size=file.size,
        uploaded_by=by,
    )


def material_delete(*, material: Material) -> None:
    """Delete the row, then the stored file once the deletion is committed."""
    storage, stored_name = material.file.storage, material.file.name
    material.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))


# --- after the event: synthesis and proposals ----------------------------------------------


def _check_after(event: Event) -> None:
    if event.status not in (Status.PUBLISHED, Status.HELD):
        raise InvalidState(_("Une synthèse ne s’écrit que pour un événement publié ou tenu."))
    if event.starts_at > timezone.now():
        raise NotAllowedNow(_("La synthèse s’écrit une fois l’événement commencé."))


@transaction.atomic
def synthesis_save(*, event: Event, by: User, synthesis: str) -> Event:
    """What was said at the event, written by its organisers once it has started."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    _check_after(locked)
    locked.synthesis = synthesis.strip()
    locked.save(update_fields=["synthesis", "updated_at"])
    return locked


@transaction.atomic
def proposal_add(*, event: Event, by: User, text: str) -> DebateProposal:
    """A proposal that came out of the event; the same text twice is "already done"."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    _check_after(locked)
    text = text.strip()
    if DebateProposal.objects.filter(event=locked, text=text).exists():
        raise AlreadyDone(_("Cette proposition est déjà enregistrée."))
    return DebateProposal.objects.create(event=locked, text=text, created_by=by)
