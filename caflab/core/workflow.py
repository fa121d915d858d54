"""Status workflows: which moves a model allows, declared once, and one way to make a move.

A `Workflow` says, for one model, where each state may go (`moves`) and which fields hold the
state and its date; `transition()` makes one move the house's way: it locks the row, reads the
state again, refuses a move already made ("already done", `AlreadyDone`, never a 500) or not
allowed from there (`InvalidState`, with a French message), writes the new state and the
history row (from, to, by, at, reason), and returns the locked object.

History models keep their own columns: they mix `StatusHistory` in and name their columns
(`from_field`, `reason_field`…), so every history reads the same way (`change.from_state`,
`change.to_state`, `change.by`, `change.at`, `change.reason`) and is written by
`History.record(...)`. No column and no data changes.

Domain-free: a domain app declares its workflows; nothing here knows them.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caflab.core.errors import AlreadyDone, InvalidState

M = TypeVar("M", bound=models.Model)
Message = str | Promise

ALREADY_MESSAGE = _("C’est déjà fait : le statut est déjà « %(label)s ».")
REFUSED_MESSAGE = _("Ce changement de statut n’est pas possible depuis « %(label)s ».")


class StatusHistory:
    """Mix into a history model (one row per move) to expose the same API whatever its column
    names. Set `subject_field` (the foreign key to the object that moved) and, where they
    differ from the defaults, the names of the other columns; `reason_field = None` when the
    history keeps no reason."""

    subject_field: ClassVar[str]
    from_field: ClassVar[str] = "from_status"
    to_field: ClassVar[str] = "to_status"
    by_field: ClassVar[str] = "changed_by"
    at_field: ClassVar[str] = "changed_at"
    reason_field: ClassVar[str | None] = "comment"

    # A column named like the API (`reason`) is the model's own field and wins over these.
    @property
    def from_state(self) -> str:
        return getattr(self, self.from_field)

    @property
    def to_state(self) -> str:
        return getattr(self, self.to_field)

    @property
    def by(self) -> Any:
        return getattr(self, self.by_field)

    @property
    def at(self) -> datetime:
        return getattr(self, self.at_field)

    @property
    def reason(self) -> str:
        return getattr(self, self.reason_field) if self.reason_field else ""

    @classmethod
    def record(
        cls,
        subject: models.Model,
        *,
        from_state: str,
        to_state: str,
        by: Any,
        reason: str = "",
        at: datetime | None = None,
        **extra: Any,
    ) -> Any:
        """Write one history row: `subject` moved from `from_state` ("" for its first state)
        to `to_state`, by `by`, at `at` (now by default), with `reason`. `extra`: the model's
        other columns (a gate review…)."""
        values: dict[str, Any] = {
            cls.subject_field: subject,
            cls.from_field: from_state or "",
            cls.to_field: to_state,
            cls.by_field: by,
            **extra,
        }
        if at is not None:
            values[cls.at_field] = at
        if cls.reason_field:
            values[cls.reason_field] = reason
        elif reason:
            raise TypeError(f"{cls.__name__} keeps no reason.")
        return cls._default_manager.create(**values)  # type: ignore[attr-defined]


class StatusChangeBase(StatusHistory, models.Model):
    """The columns a new history takes (who, when, why, with the API above): the concrete
    model adds its subject's foreign key (`PROTECT`: a history outlives nothing it records)
    and `from_status`/`to_status` with its states' choices."""

    comment = models.TextField(_("commentaire"), blank=True)
    changed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Workflow:
    """The moves one model allows: `moves[state]` is the tuple of states it may go to (a state
    absent or with `()` is final). `field` holds the state, `changed_at_field` (if any) the
    moment it last changed; `history` is the model recording each move (if any).

    The refusals' French messages may use `%(label)s` (the current state's label),
    `%(status)s` (the same in lower case) and `%(target)s` (the wanted state's label):
    `already_message` when the object is already where the move leads, `final_message` (when
    set) when it is in a final state (someone else decided first: "already done" too),
    `refused_message` when the move is not allowed from the current state (a field error on
    `refused_field`, or a plain one when it is None). `already_error`: the app's own
    `AlreadyDone` subclass. `repeatable`: the states an object may move to again while in
    them (a project put on hold again, with a new date): that move is not "already done"."""

    moves: Mapping[str, tuple[str, ...]]
    field: str = "status"
    changed_at_field: str | None = "status_changed_at"
    history: type[StatusHistory] | None = None
    already_message: Message = ALREADY_MESSAGE
    final_message: Message | None = None
    refused_message: Message = REFUSED_MESSAGE
    refused_field: str | None = "to_status"
    already_error: type[AlreadyDone] = AlreadyDone  # an app's own subclass, for its callers
    refused_error: type[InvalidState] = InvalidState
    repeatable: frozenset[str] = frozenset()

    def allowed(self, state: str) -> tuple[str, ...]:
        """Where an object in `state` may go."""
        return tuple(self.moves.get(state, ()))

    def can_move(self, state: str, to: str) -> bool:
        return to in self.allowed(state) or (to == state and state in self.repeatable)

    def is_final(self, state: str) -> bool:
        return not self.allowed(state)

    def state_label(self, obj: models.Model, state: str | None = None) -> str:
        state = getattr(obj, self.field) if state is None else state
        choices = dict(obj._meta.get_field(self.field).flatchoices)  # type: ignore[union-attr]
        return str(choices.get(state, state))

    def check(
        self,
        obj: models.Model,
        to: str,
        *,
        already_done: Message | Mapping[str, Message] | None = None,
        refused: Message | None = None,
    ) -> None:
        """Raise the refusal if `obj` (as read) may not move to `to`; see `transition`."""
        state = getattr(obj, self.field)
        label = self.state_label(obj)
        status = {"label": label, "status": label.lower(), "target": self.state_label(obj, to)}
        if isinstance(already_done, Mapping):
            if state in already_done:
                raise self.already_error(already_done[state] % status)
        elif (state == to and state not in self.repeatable) or (
            self.is_final(state) and self.final_message is not None
        ):
            message = already_done
            if message is None:
                message = self.already_message if state == to else self.final_message
            raise self.already_error((message or self.already_message) % status)
        if not self.can_move(state, to):
            message = (refused or self.refused_message) % status
            if self.refused_field:
                raise self.refused_error({self.refused_field: message})
            raise self.refused_error(message)


def transition(
    obj: M,
    *,
    to: str | Callable[[M], str],
    by: Any,
    workflow: Workflow,
    reason: str = "",
    history: type[StatusHistory] | bool = True,
    history_extra: Mapping[str, Any] | None = None,
    already_done: Message | Mapping[str, Message] | None = None,
    refused: Message | None = None,
    prepare: Callable[[M], Iterable[str] | None] | None = None,
    queryset: models.QuerySet[M] | None = None,
    now: datetime | None = None,
) -> M:
    """Move `obj` to the state `to`, on `by`'s behalf, and return the locked, moved object.
    `to` may be a function of the locked object choosing the state (publishing picks
    "scheduled" or "open" from the dates as they are once locked).

    Inside one transaction: lock the row (`queryset`, the model's manager by default, with
    `select_for_update`), read the state again, then refuse with `AlreadyDone` when the move
    is already made (the object is already in `to`, not a `repeatable` state, or in a final
    state when the workflow has a `final_message`: a double click or another person first),
    or with `InvalidState` when `workflow` does not allow it.
    `already_done`: that message instead, or a {state: message} mapping naming exactly the
    states that mean "already done"; `refused`: the message for a move not allowed.

    `prepare(locked)` then runs (checks that come after the move's, side effects, other
    fields set on the object): it returns the extra fields to save. The state, its date and
    `updated_at` are saved, and the history row written (`history`: the workflow's by
    default, another model, or False for none) with `reason` and `history_extra`.
    """
    with transaction.atomic():
        base = queryset if queryset is not None else type(obj)._default_manager.all()
        locked = base.select_for_update(of=("self",)).get(pk=obj.pk)
        if callable(to):
            to = to(locked)
        workflow.check(locked, to, already_done=already_done, refused=refused)
        extra_fields = list(prepare(locked) or ()) if prepare is not None else []
        previous = getattr(locked, workflow.field)
        now = now or timezone.now()
        setattr(locked, workflow.field, to)
        update = [workflow.field]
        if workflow.changed_at_field:
            setattr(locked, workflow.changed_at_field, now)
            update.append(workflow.changed_at_field)
        if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
            update.append("updated_at")
        locked.save(update_fields=list(dict.fromkeys([*update, *extra_fields])))
        model = workflow.history if history is True else (history or None)
        if model is not None:
            model.record(
                locked,
                from_state=previous,
                to_state=to,
                by=by,
                reason=reason,
                at=now,
                **(history_extra or {}),
            )
    return locked
