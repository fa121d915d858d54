"""What every écoute flow shares."""

from caflab.core import errors


class AlreadyDone(errors.AlreadyDone):
    """The action was already taken (a race, a double click): show "already done", not a 500."""


class AlreadyAnswered(AlreadyDone):
    """This person, account or browser has already answered this questionnaire."""


class RateLimited(errors.NotAllowedNow):
    """Too many anonymous submissions from one connection: try again later."""
