"""The one kind of refusal a domain function raises.

A service that will not do what it is asked (already done, not allowed now, not in a state
that allows it) raises a `DomainError` carrying a French message for the person. Views may
catch it to answer in their own way; those that do not need not: `RefusalMiddleware`
(caflab/core/refusals.py) turns any uncaught one into that message and a redirect (a 409 for
htmx), never a 500. Each app keeps its own names (`AlreadyAnswered`, `WaveClosed`…) as
subclasses, so their callers keep working.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal with a French message and, optionally, where to send the person back."""

    default_message: str | Promise = _("Cette action n’est pas possible.")

    def __init__(
        self, message: str | Promise | None = None, *args: Any, redirect_to: str | None = None
    ) -> None:
        self.message = self.default_message if message is None else message
        # A same-site path only: the middleware checks it again before redirecting.
        self.redirect_to = redirect_to
        super().__init__(self.message, *args)

    def __str__(self) -> str:
        return str(self.message)


class AlreadyDone(DomainError):
    """The action was already taken (a race, a double click): "already done", not a 500."""

    default_message = _("C’est déjà fait.")


class NotAllowedNow(DomainError):
    """The action is allowed in general but not at this moment (closed, not open yet…)."""

    default_message = _("Cette action n’est pas possible pour le moment.")


class InvalidState(DomainError, ValidationError):
    """The object is not in a state that allows the action (a draft, an unpublished row…).

    Also a `ValidationError`, so a service can swap its `raise ValidationError(...)` for this
    without breaking the views and forms that already catch `ValidationError`; like one, it
    may carry field errors (`InvalidState({"reason": _("…")})`), which a form shows on the
    field (`message_dict`, `form.add_error(None, error)`)."""

    default_message = _("Cette action n’est pas possible dans l’état actuel.")

    def __str__(self) -> str:  # ValidationError's own __str__ is a list's repr
        # Its messages, field errors included: the text a person reads.
        return " ".join(self.messages)
