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
part in it (author, co-authors, supporters…) to tell what became of it, and `authors` those of
them whose own work it is (they are always told, whatever their preferences: see `audience`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
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
    # The participants whose own work the source is (a contribution's author, an initiative's
    # team). None: every participant is an author (a respondent's own answer).
    authors: Callable[[Any], models.QuerySet] | None = None
    # True when the app that owns the source tells its people of the stages of the projects it
    # feeds itself (écoute does, for contributions and answers); else the idea box does.
    tells_stage_changes: bool = False
    # For sources whose people include addresses without an account (a questionnaire's
    # hear-back addresses): (source, key, subject, text) → e-mails them once per key.
    tell_by_email: Callable[[Any, str, str, str], None] | None = None

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


@dataclass(frozen=True)
class Audience:
    """Who hears what became of a source: its authors always (their own contribution), the
    other participants in their notification preference, less those who stopped following."""

    authors: models.QuerySet
    others: models.QuerySet


def audience(kind: OriginKind, source: Any) -> Audience:
    """The two groups to tell about `source` (two lazy QuerySets: no query until used)."""
    from projects.models import OriginOptOut

    participants = kind.participants(source)
    if kind.authors is None:
        return Audience(authors=participants, others=participants.none())
    authors = kind.authors(source)
    stopped = OriginOptOut.objects.filter(
        content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    ).values("user")
    return Audience(
        authors=authors,
        others=participants.exclude(pk__in=authors.values("pk")).exclude(pk__in=stopped),
    )


@dataclass(frozen=True)
class ShownOrigin:
    """One line of "Ce projet est né de…": its kind, its label and, when the reader may open the
    source, its page."""

    kind: str
    label: str
    url: str


def shown_origins(user: Any, origins: list[Any]) -> list[ShownOrigin]:
    """The project's origins (ProjectOrigin rows) as `user` may see them: the label always (the
    lab wrote it on the project), the link only to a source `user` may open, read through the
    source model's `visible_to(user)` scope (deny when it has none). One query per kind of
    source present, whatever the number of origins."""
    ids_by_type: dict[int, set[int]] = {}
    for origin in origins:
        ids_by_type.setdefault(origin.content_type_id, set()).add(origin.object_id)
    visible: dict[tuple[int, int], Any] = {}
    names: dict[int, str] = {}
    for type_id, ids in ids_by_type.items():
        content_type = ContentType.objects.get_for_id(type_id)  # cached: no query
        names[type_id] = content_type.name
        model = content_type.model_class()
        queryset = model._default_manager.all() if model is not None else None
        scope = getattr(queryset, "visible_to", None)
        if scope is None:
            continue
        for source in scope(user).filter(pk__in=ids):
            visible[(type_id, source.pk)] = source
    shown = []
    for origin in origins:
        source = visible.get((origin.content_type_id, origin.object_id))
        get_url = getattr(source, "get_absolute_url", None)
        shown.append(
            ShownOrigin(
                kind=names[origin.content_type_id],
                label=origin.label or str(source or ""),
                url=get_url() if get_url else "",
            )
        )
    return shown
