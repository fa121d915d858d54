"""Sources of texts to analyse (the analysis of texts, `analysis`): an app registers a `Source`
from its `AppConfig.ready()` (evaluation: a project's testimonies, an evaluation survey's open
answers; the criées: the comments on a criée's initiatives; the events: the syntheses of a
programme's events), and an analysis can then be made of one of its subjects. The analysis
asks this registry and imports none of them.

The registry lives in the core, not in the analysis app, because some of the apps that register
sit below the analysis in the import layers (the criées) or beside it (the events): they may not
import it (pyproject.toml, `domain-layers`). `analysis.sources` re-exports these names.

A consultation's analysis needs no registration (écoute is below the analysis): its texts are
read in `analysis.services.texts`. A registered source's analysis keeps the source's key
(`Analysis.source`) and its subject's id (`Analysis.subject_id`)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.dispatch import Signal

CONSULTATION = "consultation"

# Sent by a source's app when some of its texts stop being shown (a comment or a contribution
# hidden or refused by the moderation, or hidden after reports): `kind` (a `SourceText.kind`)
# and `source_ids`. The analysis drops its copies of them at once, with their codes; a text
# shown again comes back with the next gathering of the analysis' texts.
texts_withdrawn = Signal()


def texts_withdraw(kind: str, source_ids: Iterable[int]) -> None:
    """Tell the analysis that these texts are no longer shown (`texts_withdrawn`)."""
    ids = list(source_ids)
    if ids:
        texts_withdrawn.send(sender=None, kind=kind, source_ids=ids)


@dataclass(frozen=True)
class SourceText:
    """One text of a source, with the segment it came from: no link to a person.
    `kind`: a value of `analysis.models.SourceKind` ("answer", "testimony", "comment",
    "synthesis"…). `is_quotable`: its author may be quoted (an anonymous answer, a consenting
    testimony); the registering app decides and says why."""

    kind: str
    source_id: int
    text: str
    is_quotable: bool
    question_id: int | None = None
    audience: str = ""
    caf_id: int | None = None
    wave: str = ""


@dataclass(frozen=True)
class Source:
    """`model`: the subject's model; `texts(subject)`: its texts; `count(subject)`: how many
    rows they come from (cheap: it decides between copying now and a task);
    `may_analyse(user, subject)`: who may start and run the analysis; `analysable_by(user)`:
    the ids of the subjects `user` may analyse (a values query, used as a subquery);
    `title(subject)`: the analysis' title; `page(subject)`: the breadcrumbs above the analysis
    (label and url of the parent page, url of the subject's page). The coding list's question
    filter offers the questions the texts answer."""

    key: str
    label: str
    model: type[Model]
    texts: Callable[[Any], Iterable[SourceText]]
    count: Callable[[Any], int]
    may_analyse: Callable[[Any, Any], bool]
    analysable_by: Callable[[Any], QuerySet]
    title: Callable[[Any], str]
    page: Callable[[Any], tuple[str, str, str]]


_sources: dict[str, Source] = {}


def register_source(source: Source) -> None:
    if source.key == CONSULTATION:
        raise ValueError("'consultation' is the analysis app's own source")
    _sources[source.key] = source


def get_source(key: str) -> Source | None:
    return _sources.get(key)


def registered() -> list[Source]:
    return list(_sources.values())
