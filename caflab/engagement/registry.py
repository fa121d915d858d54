"""What is engageable, declared once per target model by its app (from `AppConfig.ready()`),
the way "my data" sections are: which comment, support and report tables it has, and its
policy (who reads, who is told, who moderates, moderated before or after publication).

The services (`services.py`) and the one moderation queue (`moderation.py`, `views.py`) read
these registrations; they know no app."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from caflab.accounts.models import User


def _never(target: Any) -> bool:
    return False


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _nobody(target: Any) -> Any:
    from caflab.accounts.models import User

    return User.objects.none()


@dataclass(frozen=True)
class Engageable:
    """One kind of target (an idea, an initiative, a contribution) and its engagement policy.

    `target_field` names the foreign key from the comment and support tables to the target;
    the comment report table points at its comment through `comment`.
    """

    key: str  # stable, in URLs and the queue's filter: "initiatives"
    label: str | Promise  # the queue's filter: "Initiatives"
    target_model: type[models.Model]
    target_field: str
    # "cette initiative": the refusals say « Vous soutenez déjà cette initiative. »
    this: str | Promise
    comment_model: type[models.Model] | None = None
    comment_report_model: type[models.Model] | None = None
    support_model: type[models.Model] | None = None
    # Notification kinds: "added", "pending", "reported", "hidden" (the keys people's
    # preferences and digests already know).
    kinds: dict[str, str] = field(default_factory=dict)
    # Who is told of a new visible comment, a User QuerySet (besides the replied-to author).
    audience: Callable[[Any], Any] = _nobody
    # The audience is told as of their own contribution (always, whatever their preference).
    audience_owns: bool = False
    # Who is told that a comment waits (pre-moderation, or hidden after reports).
    moderators: Callable[[Any], Any] = _nobody
    # The comments (of this kind) that `user` may moderate, or None when none.
    moderated_by: Callable[["User"], models.QuerySet | None] = lambda user: None
    # Comments wait for a moderator before they show.
    premoderated: Callable[[Any], bool] = _never
    # Raise a refusal (InvalidState) when the target takes no comment or support now.
    check_comment: Callable[[Any], None] = _nothing
    check_support: Callable[[Any], None] = _nothing
    # After a support: tell the team, follow...
    on_support: Callable[[Any, Any, "User"], None] = _nothing
    # The commenter follows the target.
    follow_on_comment: bool = False
    # Comments no longer shown (hidden by a moderator or after reports), by their ids: the app
    # withdraws what it gave to be analysed (caflab.core.textsources.texts_withdraw).
    on_withdrawn: Callable[[list[int]], None] = _nothing
    title: Callable[[Any], str] = lambda target: getattr(target, "title", None) or str(target)
    url: Callable[[Any], str] = lambda target: target.get_absolute_url()

    @property
    def comments_kind(self) -> str:
        """The key of its comments in the moderation queue (`?type=`)."""
        return f"{self.key}-commentaires"

    def target_of(self, row: models.Model) -> Any:
        return getattr(row, self.target_field)

    def target_id_of(self, row: models.Model) -> int:
        return getattr(row, f"{self.target_field}_id")


_registry: dict[str, Engageable] = {}


def register(engageable: Engageable) -> None:
    """Declare a target kind; a key registered twice keeps its first declaration (ready()
    may run more than once in tests)."""
    _registry.setdefault(engageable.key, engageable)


def engageables() -> list[Engageable]:
    return list(_registry.values())


def get(key: str) -> Engageable:
    return _registry[key]


def for_target(target: models.Model) -> Engageable:
    for engageable in _registry.values():
        if isinstance(target, engageable.target_model):
            return engageable
    raise LookupError(f"{type(target).__name__} is not engageable")


def for_comment(comment: models.Model) -> Engageable:
    for engageable in _registry.values():
        if engageable.comment_model is not None and isinstance(comment, engageable.comment_model):
            return engageable
    raise LookupError(f"{type(comment).__name__} is not an engageable comment")
