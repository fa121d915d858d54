"""Where innovations come from, as the portfolio sees it: the kinds of source an idea or a
project can be born of (a citizen's contribution, a criée initiative, an idea…), registered
by the apps that own them from their AppConfig.ready(), so that the portfolio and the idea box
follow a source's lineage without importing its app.

    register_origin_kind(
        OriginKind(
            model="ecoute.Contribution",
            idea_source="consultation",
            describe=lambda c: OriginText(title=c.title, text=c.text, caf_id=c.caf_id),
            participants=contribution_participants,  # (obj) -> QuerySet of users to tell
            visible_to=lambda user, c: …,  # may `user` open the source's page?
            may_convert=lambda user, c: …,  # may `user` turn it into an idea?
        )
    )

A kind's functions take the source row itself; `participants` returns the people who took
part in it (author, co-authors, supporters…) to tell what became of it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class OriginText:
    """What a source says, to start an idea from it."""

    title: str
    text: str
    caf_id: int | None = None


@dataclass(frozen=True)
class OriginKind:
    model: str  # "app_label.ModelName"
    idea_source: str  # the value of ideas.Idea.Source an idea born of it gets
    describe: Callable[[Any], OriginText]
    participants: Callable[[Any], models.QuerySet]
    visible_to: Callable[[Any, Any], bool]
    may_convert: Callable[[Any, Any], bool]

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_kinds: dict[str, OriginKind] = {}


def register_origin_kind(kind: OriginKind) -> OriginKind:
    """Declare a kind of source. Registering a model again replaces it (idempotent)."""
    _kinds[kind.model.lower()] = kind
    return kind


def kind_for(obj: Any) -> OriginKind | None:
    """The registered kind of `obj` (a model instance), or None."""
    if obj is None:
        return None
    return _kinds.get(obj._meta.label_lower)


def kinds() -> list[OriginKind]:
    return list(_kinds.values())


def kind_named(label: str) -> OriginKind | None:
    """The registered kind of the model labelled `label` ("ecoute.contribution"), or None."""
    return _kinds.get(label.lower())
