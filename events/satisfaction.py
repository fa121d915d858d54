"""The satisfaction questionnaire of an event, built with écoute's questionnaire engine.

Once attendance is taken, an organiser sends it: the lab's default template (a questionnaire
with no consultation: overall rating 1–5, usefulness, what to improve) is copied into a new
écoute consultation reserved to the people who came (`ecoute.reserved`, registered in
`EventsConfig.ready`), open at once for `SATISFACTION_OPEN_DAYS` days. They answer through
écoute's answering pages, once each (a named answer: écoute's one-response-per-respondent
constraint); a task tells them after the commit (ids only; the notifications' fan-out takes a
large list). The event's page and the figures read the answers: the whole questionnaire's
results (écoute's `questionnaire_results`), and the mean of the overall rating, each shown only
from écoute's minimum group size (`MIN_GROUP_SIZE`) so that an answer cannot be traced back to
one of the few people who came.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, InvalidState, NotAllowedNow
from caflab.core.queueing import enqueue_on_commit
from caflab.notifications.services import notify
from ecoute.models import Answer, Consultation, Option, Question, Questionnaire, Response, Section
from ecoute.results import MIN_GROUP_SIZE, QuestionResult, questionnaire_results
from ecoute.services import consultation_create, consultation_move
from ecoute.services.copying import questionnaire_copy
from events.models import Event, Registration, Satisfaction, SatisfactionTemplate

SATISFACTION_OPEN_DAYS = 30
RegStatus = Registration.Status


# --- the lab's template ----------------------------------------------------------------------


@transaction.atomic
def satisfaction_template_default() -> SatisfactionTemplate:
    """The default template, created with its three questions the first time it is needed."""
    template = SatisfactionTemplate.objects.select_for_update().filter(is_default=True).first()
    if template is not None:
        return template
    questionnaire = Questionnaire.objects.create(
        title=_("Votre avis sur l’événement"),
        intro=_("Trois questions, une minute : vos réponses aident à améliorer nos événements."),
    )
    section = Section.objects.create(questionnaire=questionnaire, title=_("Votre avis"), position=1)
    Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SCALE,
        label=_("Dans l’ensemble, quelle note donnez-vous à cet événement ?"),
        is_required=True,
        position=1,
        scale_min=1,
        scale_max=5,
        scale_min_label=_("Pas du tout satisfait(e)"),
        scale_max_label=_("Très satisfait(e)"),
    )
    useful = Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label=_("Ce que vous avez appris vous sera-t-il utile dans votre travail ?"),
        position=2,
    )
    Option.objects.bulk_create(
        Option(question=useful, label=label, position=position)
        for position, label in enumerate(
            [_("Tout à fait"), _("Plutôt oui"), _("Plutôt non"), _("Pas du tout")], start=1
        )
    )
    Question.objects.create(
        questionnaire=questionnaire,
        section=section,
        kind=Question.Kind.LONG_TEXT,
        label=_("Que faudrait-il améliorer ?"),
        position=3,
    )
    try:
        with transaction.atomic():
            return SatisfactionTemplate.objects.create(
                name=_("Questionnaire de satisfaction (par défaut)"),
                questionnaire=questionnaire,
                is_default=True,
            )
    except IntegrityError:  # created meanwhile by another request: keep theirs
        questionnaire.delete()
        return SatisfactionTemplate.objects.get(is_default=True)


def _rating_question(question_map: dict[int, Question]) -> Question | None:
    """The copy of the template's first visible scale question (in questionnaire order)."""
    scales = [q for q in question_map.values() if q.kind == Question.Kind.SCALE and not q.is_hidden]
    return min(scales, key=lambda q: (q.section.position, q.position, q.pk), default=None)


# --- sending it --------------------------------------------------------------------------------


def attendees(event: Event) -> Any:
    """The people who came (attendance taken), accounts still active."""
    return User.objects.filter(
        is_active=True,
        event_registrations__event=event,
        event_registrations__status=RegStatus.CONFIRMED,
        event_registrations__attended=True,
    )


@transaction.atomic
def satisfaction_send(
    *, event: Event, by: User, now: datetime.datetime | None = None
) -> Satisfaction:
    """Open the event's satisfaction questionnaire (the default template, copied) to the people
    who came, and have them told after the commit. Once per event ("already done" after);
    refused before attendance is taken."""
    now = now or timezone.now()
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if Satisfaction.objects.filter(event=locked).exists():
        raise AlreadyDone(_("C’est déjà fait : le questionnaire de satisfaction est envoyé."))
    if locked.status != Event.Status.HELD:
        raise InvalidState(
            _("Le questionnaire de satisfaction s’envoie une fois l’événement tenu.")
        )
    if not Registration.objects.filter(event=locked, attended=True).exists():
        raise NotAllowedNow(
            _("Relevez d’abord la présence : le questionnaire va aux personnes venues.")
        )
    template = satisfaction_template_default()
    title = _("Votre avis : %(title)s") % {"title": locked.title}
    consultation = consultation_create(
        by=by,
        title=title[:200],
        summary=_("Le questionnaire de satisfaction des personnes venues à « %(title)s ».")
        % {"title": locked.title[:300]},
        body=template.questionnaire.intro,
        audience=Consultation.Audience.BOTH,
        # No community: only the reservation (ecoute.reserved) opens it, to those who came.
        access=Consultation.Access.COMMUNITY,
        allow_anonymous=False,
        caf=locked.caf,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=SATISFACTION_OPEN_DAYS),
        privacy_purpose=_(
            "Mesurer la satisfaction des participants pour améliorer les événements du réseau. "
            "Les résultats ne sont montrés qu’à partir de %(n)s réponses."
        )
        % {"n": MIN_GROUP_SIZE},
    )
    questionnaire = consultation.questionnaire
    questionnaire.intro = template.questionnaire.intro
    questionnaire.save(update_fields=["intro", "updated_at"])
    copies = questionnaire_copy(source=template.questionnaire, target=questionnaire)
    satisfaction = Satisfaction.objects.create(
        event=locked,
        consultation=consultation,
        rating_question=_rating_question(copies),
        sent_by=by,
    )
    consultation_move(consultation=consultation, action="publish", by=by)
    from events import tasks

    enqueue_on_commit(tasks.invite_to_satisfaction, satisfaction.pk)
    return satisfaction


def satisfaction_invite(*, satisfaction_id: int) -> int:
    """Tell the people who came that the questionnaire waits for them (in-app and e-mail,
    always: it is about their own participation). Idempotent: the row's `invited_at` is claimed
    once, in the transaction that queues the notifications. Returns how many were told."""
    with transaction.atomic():
        satisfaction = (
            # The row alone: the joined event and consultation are written by others (the
            # answers' counters), in their own order.
            Satisfaction.objects.select_for_update(of=("self",))
            .select_related("event", "consultation")
            .filter(pk=satisfaction_id, invited_at__isnull=True)
            .first()
        )
        if satisfaction is None:
            return 0
        event, consultation = satisfaction.event, satisfaction.consultation
        people = list(attendees(event))
        satisfaction.invited_at = timezone.now()
        satisfaction.n_invited = len(people)
        satisfaction.save(update_fields=["invited_at", "n_invited", "updated_at"])
        from django.urls import reverse

        notify(
            recipients=people,
            kind="events.satisfaction",
            title=_("Votre avis sur « %(title)s »") % {"title": event.title},
            body=_(
                "Merci d’être venu(e). Trois questions, une minute, jusqu’au %(date)s : vos "
                "réponses aident à améliorer nos événements."
            )
            % {"date": timezone.localtime(consultation.closes_at).strftime("%d/%m/%Y")},
            url=reverse("ecoute:answer", kwargs={"slug": consultation.slug}),
            own_contribution=True,
            key=f"events.satisfaction:{satisfaction.pk}",
        )
    return len(people)


def satisfactions_invite_pending(now: datetime.datetime | None = None) -> int:
    """Send the invitations still unsent an hour after their questionnaire was opened (the
    broker was down when it was): the daily task's safety net. Returns how many were told."""
    limit = (now or timezone.now()) - datetime.timedelta(hours=1)
    pending = Satisfaction.objects.filter(invited_at__isnull=True, created_at__lte=limit)
    ids = list(pending.values_list("pk", flat=True))
    return sum(satisfaction_invite(satisfaction_id=pk) for pk in ids)


# --- reading the answers ------------------------------------------------------------------------


@dataclass
class Summary:
    """What the event's page shows its organisers and the lab."""

    satisfaction: Satisfaction
    responses: int
    results: list[QuestionResult]
    min_group: int = MIN_GROUP_SIZE

    @property
    def is_masked(self) -> bool:
        return self.responses < self.min_group


def summary_of(satisfaction: Satisfaction) -> Summary:
    """The questionnaire's results (écoute's, computed now: five queries) and the response
    count; no result at all below the minimum group size."""
    questionnaire = satisfaction.consultation.questionnaire
    responses = Response.objects.filter(questionnaire=questionnaire).count()
    results = questionnaire_results(questionnaire) if responses >= MIN_GROUP_SIZE else []
    return Summary(satisfaction=satisfaction, responses=responses, results=results)


@dataclass
class Rating:
    """An overall rating: how many answered, and the mean (None below the minimum group size)."""

    answers: int
    total: Decimal | None = None

    @property
    def is_masked(self) -> bool:
        return self.answers < MIN_GROUP_SIZE

    @property
    def mean(self) -> float | None:
        if self.is_masked or self.total is None or not self.answers:
            return None
        return round(float(self.total) / self.answers, 1)


def ratings_of(events: Iterable[Event]) -> dict[int, Rating]:
    """event id → its overall rating (one grouped query over the rating answers)."""
    ids = [event.pk for event in events]
    if not ids:
        return {}
    rows = (
        Answer.objects.filter(
            question__in=Satisfaction.objects.filter(event__in=ids).values("rating_question"),
            value_number__isnull=False,
        )
        .order_by()
        .values("question__questionnaire__consultation__event_satisfaction__event")
        .annotate(n=Count("pk"), total=Sum("value_number"))
    )
    ratings = {}
    for row in rows:
        event_id = row["question__questionnaire__consultation__event_satisfaction__event"]
        ratings[event_id] = Rating(answers=row["n"], total=Decimal(row["total"]))
    return ratings


def ratings_by_kind(events: Iterable[Event], ratings: dict[int, Rating]) -> list[dict]:
    """Per kind of event: events with answers, answers, and the mean of all answers (pooled,
    not a mean of means), in the kinds' order. No query."""
    labels = dict(Event.Kind.choices)
    pooled: dict[str, Rating] = {}
    counted: dict[str, int] = {}
    for event in events:
        rating = ratings.get(event.pk)
        if rating is None:
            continue
        kind = pooled.setdefault(event.kind, Rating(answers=0, total=Decimal(0)))
        kind.answers += rating.answers
        kind.total += rating.total or 0
        counted[event.kind] = counted.get(event.kind, 0) + 1
    return [
        {"kind": value, "label": labels[value], "events": counted[value], "rating": pooled[value]}
        for value in Event.Kind.values
        if value in pooled
    ]
