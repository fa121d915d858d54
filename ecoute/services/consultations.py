"""Consultation flows: create one (with its empty questionnaire), move it through its statuses,
and the periodic task's work: open scheduled consultations and close finished ones."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caflab.core.errors import InvalidState
from caflab.core.queueing import enqueue_on_commit
from caflab.core.workflow import transition
from caflab.notifications.services import notify
from ecoute import tasks
from ecoute.models import Consultation, Question, Questionnaire, Section
from ecoute.models.consultations import WORKFLOW
from ecoute.services.common import AlreadyDone

Status = Consultation.Status

# The status moves a manager may ask for, and the model verb doing each.
MOVES = {
    "publish": "publish",
    "unpublish": "unpublish",
    "close": "close",
    "publish_results": "publish_results",
    "archive": "archive",
}
# Where each move leads: a consultation already there was moved by a double click or by
# another manager meanwhile ("already done", not "only a draft can be published").
MOVED_TO = {
    "publish": (Status.SCHEDULED, Status.OPEN),
    "unpublish": (Status.DRAFT,),
    "close": (Status.CLOSED,),
    "publish_results": (Status.RESULTS_PUBLISHED,),
    "archive": (Status.ARCHIVED,),
}


# Paths of the app that a consultation's slug must not take.
RESERVED_SLUGS = {"gestion", "exports", "recrutements", "contributions", "communautes"}


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "consultation"
    slug, n = (f"{base}-1" if base in RESERVED_SLUGS else base), 1
    others = Consultation.objects.exclude(pk=exclude_pk) if exclude_pk else Consultation.objects
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def consultation_create(
    *,
    by: Any,
    title: str,
    perimeter_cafs: Iterable[Any] = (),
    projects: Iterable[Any] = (),
    communities: Iterable[Any] = (),
    **fields: Any,
) -> Consultation:
    """A draft consultation, owned by `by`, with its questionnaire and a first section. A
    correspondent's consultation belongs to their Caf."""
    if by.is_correspondent and not (by.is_lab_staff or by.is_moderator):
        fields["caf"] = by.caf
    consultation = Consultation.objects.create(
        title=title, slug=fields.pop("slug", "") or unique_slug(title), owner=by, **fields
    )
    consultation.perimeter_cafs.set(perimeter_cafs)
    consultation.projects.set(projects)
    consultation.communities.set(communities)
    questionnaire = Questionnaire.objects.create(consultation=consultation, title=title)
    Section.objects.create(questionnaire=questionnaire, title=_("Vos réponses"), position=1)
    return consultation


def has_questions(consultation: Consultation) -> bool:
    questionnaire = getattr(consultation, "questionnaire", None)
    return bool(
        questionnaire
        and Question.objects.filter(
            questionnaire=questionnaire, is_hidden=False, section__is_hidden=False
        ).exists()
    )


@transaction.atomic
def consultation_move(*, consultation: Consultation, action: str, by: Any) -> Consultation:
    """Apply a manager's status move (publish, unpublish, close, publish_results, archive),
    through the model's verb: the row locked and read again, the status history written.
    Raises AlreadyDone when the consultation is already where the move leads (a double click,
    another manager first), InvalidState when the move does not apply."""
    if action not in MOVES:
        raise InvalidState(_("Action inconnue."))
    already = _("C’est déjà fait : la consultation est %(status)s.")

    def check(locked: Consultation) -> None:
        # A call for ideas may have no questionnaire: it collects contributions instead.
        if action == "publish" and not (locked.collects_contributions or has_questions(locked)):
            raise InvalidState(_("Ajoutez au moins une question avant de publier."))

    locked = getattr(consultation, MOVES[action])(
        by=by, already_done=dict.fromkeys(MOVED_TO[action], already), check=check
    )
    if locked.status != Status.OPEN:
        _write_waiting_answers(locked)
    if locked.owner_id != by.pk:
        notify(
            recipients=[locked.owner],
            kind="ecoute.status",
            title=_("La consultation « %(title)s » est maintenant : %(status)s")
            % {"title": locked.title, "status": locked.get_status_display().lower()},
            url=locked.get_manage_url(),
            actor=by,
        )
    return locked


@transaction.atomic
def consultation_archive_without_restitution(
    *, consultation: Consultation, by: Any, reason: str
) -> Consultation:
    """The lab archives a closed consultation that will have no restitution, saying why: the
    reason is shown publicly on the consultation ("Pas de restitution, parce que…") and the
    reminders stop. Anyone else, or no reason: refused (InvalidState, in French)."""
    if not (reason or "").strip():
        raise InvalidState(
            {
                "reason": _(
                    "Écrivez pourquoi il n’y aura pas de restitution : "
                    "ce motif est affiché publiquement."
                )
            }
        )
    locked = consultation.archive(
        by=by,
        reason=reason,
        already_done={Status.ARCHIVED: _("C’est déjà fait : la consultation est archivée.")},
    )
    return locked


def _write_waiting_answers(consultation: Consultation) -> None:
    """A consultation that takes no more answers has its waiting anonymous answers written
    (their last batch, whatever its size), once this transaction is committed."""
    questionnaire_id = (
        Questionnaire.objects.filter(consultation=consultation).values_list("pk", flat=True).first()
    )
    if questionnaire_id is not None:
        enqueue_on_commit(tasks.write_anonymous_batch, questionnaire_id)


def _moved_on_its_date(consultation: Consultation, *, to: str, reason: str, now: Any) -> bool:
    """Move `consultation` from the status before `to` on its date, nobody's act: False when
    it was moved meanwhile (another run, a manager), which is "already done"."""
    came_from = {Status.OPEN: Status.SCHEDULED, Status.CLOSED: Status.OPEN}[to]
    try:
        transition(
            consultation,
            to=to,
            by=None,
            workflow=WORKFLOW,
            reason=reason,
            already_done=dict.fromkeys((s for s in Status if s != came_from), ""),
            now=now,
        )
    except AlreadyDone:
        return False
    return True


def consultations_open_and_close(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Open the scheduled consultations whose opening date has come, close the open ones past
    their closing date, and tell their owners. Safe to run twice and concurrently: each move is
    made through `transition()` (locked, read again, its history written), and only the run
    that made it notifies."""
    now = now or timezone.now()
    opened = closed = 0
    due_to_open = Consultation.objects.filter(status=Status.SCHEDULED, opens_at__lte=now)
    for consultation in due_to_open.select_related("owner"):
        with transaction.atomic():
            if _moved_on_its_date(
                consultation, to=Status.OPEN, reason=_("Ouverte à la date prévue."), now=now
            ):
                opened += 1
                notify(
                    recipients=[consultation.owner],
                    kind="ecoute.opened",
                    title=_("La consultation « %(title)s » est ouverte")
                    % {"title": consultation.title},
                    url=consultation.get_manage_url(),
                )
    due_to_close = Consultation.objects.filter(status=Status.OPEN, closes_at__lte=now)
    for consultation in due_to_close.select_related("owner"):
        with transaction.atomic():
            if _moved_on_its_date(
                consultation, to=Status.CLOSED, reason=_("Close à la date prévue."), now=now
            ):
                closed += 1
                _write_waiting_answers(consultation)
                notify(
                    recipients=[consultation.owner],
                    kind="ecoute.closed",
                    title=_("La consultation « %(title)s » est close : ses résultats sont prêts")
                    % {"title": consultation.title},
                    url=consultation.get_manage_url(),
                )
    return opened, closed
