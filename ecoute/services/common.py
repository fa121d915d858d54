"""What every écoute flow shares."""

from caflab.core import errors

# The core's "already done" under the name écoute's callers import: a refusal raised by a
# shared layer (caflab.engagement, caflab.core.workflow) is caught by them too.
AlreadyDone = errors.AlreadyDone


class AlreadyAnswered(AlreadyDone):
    """This person, account or browser has already answered this questionnaire."""


class RateLimited(errors.NotAllowedNow):
    """Too many anonymous submissions from one connection: try again later."""
