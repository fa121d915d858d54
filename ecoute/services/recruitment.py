"""Recruitment flows: set up a recruitment and its eligibility questions, register (eligible →
a seat if one is free, else the waiting list), cancel (the first waiting person takes the
seat), the e-mails (confirmation, promotion, reminder the day before), and the purge of
visitors' contact details at the consultation's retention time.

Seats are handed out while holding a row lock on the recruitment (`select_for_update`):
concurrent registrations queue on it, so the confirmed count never exceeds the seats. The unique
constraints on live registrations make a second registration of the same person "already done".
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caflab.core import errors
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from ecoute import tasks
from ecoute.models import Consultation, EligibilityQuestion, Recruitment, Registration
from ecoute.services.common import AlreadyDone

logger = logging.getLogger(__name__)
RegStatus = Registration.Status


class NotEligible(errors.DomainError):
    """The eligibility answers do not fit this recruitment."""


class RegistrationClosed(errors.NotAllowedNow):
    """Registrations are not open (not yet, or any more)."""


@dataclass(frozen=True)
class EligibilitySpec:
    label: str
    choices: list[str]
    accepted: list[str]


# --- managers ---------------------------------------------------------------------------------


@transaction.atomic
def recruitment_save(
    *, recruitment: Recruitment, questions: list[EligibilitySpec], by: Any
) -> Recruitment:
    """Save the recruitment (new or edited) and replace its eligibility questions. Seats
    added to a recruitment go to the waiting list, in order (fewer seats demote nobody)."""
    if recruitment.pk is None:
        recruitment.created_by = by
        recruitment.full_clean()
        recruitment.save()
    else:
        Recruitment.objects.select_for_update().get(pk=recruitment.pk)  # the seats' lock
        recruitment.full_clean()
        recruitment.save()
        _fill_free_seats(recruitment, timezone.now())
    recruitment.eligibility_questions.all().delete()
    EligibilityQuestion.objects.bulk_create(
        EligibilityQuestion(
            recruitment=recruitment,
            label=spec.label,
            choices=list(spec.choices),
            accepted=list(spec.accepted),
            position=position,
        )
        for position, spec in enumerate(questions, start=1)
    )
    return recruitment


# --- participants -----------------------------------------------------------------------------


def is_eligible(recruitment: Recruitment, answers: dict[int, str]) -> bool:
    """Every question answered with one of its accepted answers. The answers are not kept."""
    return all(
        question.accepts(answers.get(question.pk, ""))
        for question in recruitment.eligibility_questions.all()
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != RegStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        recruitment_id=registration.recruitment_id, status=RegStatus.WAITING
    ).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def waiting_positions(registrations: list[Registration]) -> dict[int, int]:
    """pk → waiting-list position for the waiting ones among `registrations`, in one query."""
    recruitment_ids = {r.recruitment_id for r in registrations if r.status == RegStatus.WAITING}
    if not recruitment_ids:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    waiting = (
        Registration.objects.filter(recruitment_id__in=recruitment_ids, status=RegStatus.WAITING)
        .order_by("recruitment_id", "registered_at", "pk")
        .values_list("pk", "recruitment_id")
    )
    for pk, recruitment_id in waiting:
        counters[recruitment_id] = counters.get(recruitment_id, 0) + 1
        positions[pk] = counters[recruitment_id]
    return positions


def registration_create(
    *,
    recruitment: Recruitment,
    answers: dict[int, str],
    user: Any = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a person with an account (`user`) or a visitor (name, e-mail, phone). Raises
    RegistrationClosed, NotEligible, or AlreadyDone (already registered, a double click)."""
    now = now or timezone.now()
    if not recruitment.is_registration_open(now):
        raise RegistrationClosed
    if not is_eligible(recruitment, answers):
        raise NotEligible
    signed_in = bool(user and user.is_authenticated)
    contact = (
        {"user": user}
        if signed_in
        else {"name": name.strip(), "email": email.strip().lower(), "phone": phone.strip()}
    )
    try:
        with transaction.atomic():
            # The lock: registrations of this recruitment take their turn from here on.
            locked = Recruitment.objects.select_for_update().get(pk=recruitment.pk)
            confirmed = Registration.objects.filter(
                recruitment=locked, status=RegStatus.CONFIRMED
            ).count()
            status = RegStatus.CONFIRMED if confirmed < locked.seats else RegStatus.WAITING
            registration = Registration.objects.create(
                recruitment=locked, status=status, registered_at=now, **contact
            )
            enqueue_on_commit(tasks.send_registration_email, registration.pk, "confirmation")
    except IntegrityError as exc:
        raise AlreadyDone(_("Vous êtes déjà inscrit à ce recrutement.")) from exc
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, now: datetime.datetime | None = None
) -> Registration | None:
    """Cancel a registration; a freed seat goes to the first on the waiting list, who is
    e-mailed. Returns the promoted registration, if any. Cancelling twice → AlreadyDone."""
    now = now or timezone.now()
    locked_recruitment = Recruitment.objects.select_for_update().get(pk=registration.recruitment_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == RegStatus.CANCELLED:
        raise AlreadyDone(_("Cette inscription est déjà annulée."))
    was_confirmed = locked.status == RegStatus.CONFIRMED
    locked.status = RegStatus.CANCELLED
    locked.cancelled_at = now
    locked.save(update_fields=["status", "cancelled_at"])
    registration.status, registration.cancelled_at = locked.status, locked.cancelled_at
    if not was_confirmed:
        return None
    promoted = _fill_free_seats(locked_recruitment, now)
    return promoted[0] if promoted else None


def _fill_free_seats(locked: Recruitment, now: datetime.datetime) -> list[Registration]:
    """Give the free seats to the first on the waiting list, in order, and e-mail them. The
    caller holds the lock on the recruitment row."""
    confirmed = Registration.objects.filter(recruitment=locked, status=RegStatus.CONFIRMED).count()
    free = locked.seats - confirmed
    if free <= 0:
        return []
    promoted = list(Registration.objects.filter(recruitment=locked).waiting_order()[:free])
    for registration in promoted:
        registration.status = RegStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        enqueue_on_commit(tasks.send_registration_email, registration.pk, "promotion")
    return promoted


# --- e-mails ----------------------------------------------------------------------------------

EMAIL_COLUMNS = {
    "confirmation": "confirmation_sent_at",
    "promotion": "promotion_sent_at",
    "reminder": "reminder_sent_at",
}


def _subject(kind: str, registration: Registration) -> str:
    title = " ".join(registration.recruitment.title.split())[:150]
    if kind == "confirmation" and registration.status == RegStatus.WAITING:
        return _("[CafLab] Vous êtes sur la liste d’attente : %(title)s") % {"title": title}
    return {
        "confirmation": _("[CafLab] Votre inscription est confirmée : %(title)s"),
        "promotion": _("[CafLab] Une place s’est libérée pour vous : %(title)s"),
        "reminder": _("[CafLab] Rappel : %(title)s, c’est demain"),
    }[kind] % {"title": title}


def registration_send_email(*, registration_id: int, kind: str) -> bool:
    """Send one registration e-mail (confirmation, promotion or reminder), once: its column is
    claimed by a conditional UPDATE in the transaction that sends; a failure rolls it back."""
    column = EMAIL_COLUMNS[kind]
    registration = (
        Registration.objects.select_related("recruitment__consultation", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.status == RegStatus.CANCELLED:
        return False
    address = registration.contact_email
    if not address:
        return False
    with transaction.atomic():
        claimed = Registration.objects.filter(pk=registration.pk, **{column: None}).update(
            **{column: timezone.now()}
        )
        if not claimed:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            recruitment = registration.recruitment
            body = render_to_string(
                "ecoute/recruitment/email.txt",
                {
                    "kind": kind,
                    "registration": registration,
                    "recruitment": recruitment,
                    "position": waiting_position(registration),
                    "link": f"{settings.SITE_URL}{recruitment.get_absolute_url()}",
                    "cancel_link": f"{settings.SITE_URL}{cancel_url(registration)}",
                },
            )
            mail_build(
                subject=_subject(kind, registration),
                text=body,
                to=[address],
                reason=_("vous vous êtes inscrit(e) à « %(title)s ».")
                % {"title": " ".join(recruitment.title.split())[:150]},
                action=MailAction(
                    _("Voir le détail"), f"{settings.SITE_URL}{recruitment.get_absolute_url()}"
                ),
            ).send()
    return True


def cancel_url(registration: Registration) -> str:
    if registration.user_id:
        return reverse("ecoute:my-registrations")
    return reverse("ecoute:registration-cancel-link", kwargs={"token": registration.cancel_token})


def registrations_remind(now: datetime.datetime | None = None) -> int:
    """E-mail a reminder to each confirmed participant of a session that starts tomorrow
    (local date). Idempotent: the reminder column is claimed once per registration."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    due = Registration.objects.filter(
        status=RegStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        recruitment__starts_at__date=tomorrow,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        try:
            sent += registration_send_email(registration_id=pk, kind="reminder")
        except Exception:  # one bad address must not stop the others; its claim was rolled
            # back, so the next run tries it again (while the session is still tomorrow).
            logger.exception("Registration %s: reminder not sent", pk)
    return sent


def registrations_purge(now: datetime.datetime | None = None) -> int:
    """Blank the contact details of visitors once the consultation's retention time has passed
    since the session ended. Accounts keep their link (their own data, in their account)."""
    now = now or timezone.now()
    purged = 0
    ended = Registration.objects.filter(purged_at__isnull=True, recruitment__ends_at__lt=now)
    for registration in ended.select_related("recruitment__consultation").iterator():
        months = registration.recruitment.consultation.privacy_retention_months
        if registration.recruitment.ends_at + datetime.timedelta(days=30 * months) > now:
            continue
        Registration.objects.filter(pk=registration.pk).update(
            name="", email="", phone="", purged_at=now
        )
        purged += 1
    return purged


def consultation_recruitments(consultation: Consultation) -> list[Recruitment]:
    return list(consultation.recruitments.with_counts().order_by("starts_at", "pk"))


def validate_spec(spec: EligibilitySpec) -> None:
    if not spec.choices or not spec.accepted or not set(spec.accepted) <= set(spec.choices):
        raise errors.InvalidState(_("Les réponses acceptées doivent figurer parmi les réponses."))
