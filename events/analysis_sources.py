"""What the events give the analysis of texts: the syntheses of a programme's events (debates,
workshops, trainings…) and the proposals that came out of them, one analysis per programme.
The events sit beside the analysis in the import layers: they import nothing of it, and
`EventsConfig.ready()` registers this source in the core's registry
(`caflab.core.textsources`), which the analysis asks.

Why the programme: an event has one synthesis (a single text: nothing to code across), and
events have no series of their own; the programme (the ecological transition, the incubator…)
is what gathers debates and workshops on one subject over the year, so its analysis reads
several syntheses and their proposals side by side. Drafts are left out (never shown); each
text carries the organising Caf when there is one (none for a national event).

Quotable: yes. A synthesis and its proposals are written by the event's organisers, in their
role, for the event's audience to read: they quote nobody and no participant's words or
consent are at stake. Their personal data are masked like any text's.

Who may analyse: the lab (`events.analyse_syntheses`), the only one who sees every event of a
programme; anyone else gets 404."""

from collections.abc import Iterator
from typing import Any

import rules
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.textsources import Source, SourceText
from caflab.network.models import Programme
from events.models import DebateProposal, Event

SYNTHESES = "programme_syntheses"
# analysis.models.SourceKind values (the events may not import the analysis).
SYNTHESIS_KIND = "synthesis"
PROPOSAL_KIND = "proposal"
BATCH = 2000


def _events(programme: Programme) -> QuerySet[Event]:
    return Event.objects.listed().filter(programme=programme).order_by()


def _syntheses(programme: Programme) -> QuerySet[Event]:
    return _events(programme).exclude(synthesis="")


def _proposals(programme: Programme) -> QuerySet[DebateProposal]:
    return DebateProposal.objects.filter(event__in=_events(programme).values("pk"))


def _texts(programme: Programme) -> Iterator[SourceText]:
    syntheses = _syntheses(programme).order_by("pk").values("pk", "synthesis", "caf_id")
    for row in syntheses.iterator(chunk_size=BATCH):
        yield SourceText(
            SYNTHESIS_KIND, row["pk"], row["synthesis"], is_quotable=True, caf_id=row["caf_id"]
        )
    proposals = _proposals(programme).order_by("pk").values("pk", "text", "event__caf_id")
    for row in proposals.iterator(chunk_size=BATCH):
        yield SourceText(
            PROPOSAL_KIND, row["pk"], row["text"], is_quotable=True, caf_id=row["event__caf_id"]
        )


def _count(programme: Programme) -> int:
    return _syntheses(programme).count() + _proposals(programme).count()


def _may_analyse(user: Any, programme: Programme) -> bool:
    return bool(rules.has_perm("events.analyse_syntheses", user, programme))


def _analysable_programmes(user: Any) -> QuerySet:
    # The rule itself, not `user.has_perm`: for everyone it refuses, Django's model backend
    # would then load the account's permissions (two queries on every analysis page).
    if not (user.is_authenticated and rules.has_perm("events.analyse_syntheses", user)):
        return Programme.objects.none().values("pk")
    return Programme.objects.order_by().values("pk")


PROGRAMME_SYNTHESES = Source(
    key=SYNTHESES,
    label=gettext_lazy("Synthèses des événements d’un programme"),
    model=Programme,
    texts=_texts,
    count=_count,
    may_analyse=_may_analyse,
    analysable_by=_analysable_programmes,
    title=lambda programme: _("Synthèses – %(name)s") % {"name": programme.name},
    page=lambda programme: (
        str(_("Programmes")),
        reverse("projects:programme-list"),
        reverse("projects:programme-detail", kwargs={"slug": programme.slug}),
    ),
)
