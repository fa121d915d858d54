"""Challenges and creativity sessions: two more places ideas come from.

Challenges: the lab opens one, teams submit entries, the jury scores them on the challenge's
weighted criteria (projects.scoring, shared with gate reviews), the lab publishes the results
and turns the winners into ideas, which then go through triage like any other idea (never
straight into the pipeline).

Sessions: a directorate asks the lab for a creativity session (requested → qualified →
scheduled → held → debriefed, or declined with a reason); the lab runs it and enters the ideas
it produced, each linked to it.

Every flow is atomic; the people concerned are told through `notify`, whose mails leave after
the commit.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Case, Count, F, OuterRef, Subquery, Sum, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import InvalidState, NotAllowedNow
from caflab.core.workflow import Workflow, transition
from caflab.notifications.services import follow, followers_of, notify
from projects.models import (
    Challenge,
    ChallengeEntry,
    CreativitySession,
    EntryScore,
    GateCriterion,
    Idea,
    Scorecard,
    SessionRequest,
    SessionRequestChange,
)
from projects.scoring import validate_scores, weighted_summary
from projects.services.ideas import idea_submit
from projects.services.portfolio import AlreadyDone

ChallengeStatus = Challenge.Status
RequestStatus = SessionRequest.Status

# --- challenges ----------------------------------------------------------------------------

# The moves the lab makes from the challenge page; publishing the results has its own flow.
CHALLENGE_MOVES: dict[str, str] = {
    ChallengeStatus.DRAFT: ChallengeStatus.OPEN,
    ChallengeStatus.OPEN: ChallengeStatus.JUDGING,
    ChallengeStatus.RESULTS_PUBLISHED: ChallengeStatus.CLOSED,
}


def challenge_criteria(challenge: Challenge) -> models.QuerySet[GateCriterion]:
    return GateCriterion.objects.for_challenge(challenge).order_by("position", "pk")


@transaction.atomic
def challenge_create(
    *, by: User, jury: Iterable[User] = (), criteria: Iterable[GateCriterion] = (), **fields: Any
) -> Challenge:
    """A new challenge (a draft), its jury and its criteria. Its author follows it."""
    challenge = Challenge.objects.create(created_by=by, **fields)
    challenge.jury.set(jury)
    for criterion in criteria:
        criterion.scorecard = Scorecard.CHALLENGE
        criterion.challenge = challenge
        criterion.save()
    follow(user=by, obj=challenge)
    return challenge


@transaction.atomic
def challenge_move(*, challenge: Challenge, by: User, to_status: str) -> Challenge:
    """Open a draft, close the submissions (the jury starts), or close a finished challenge."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if CHALLENGE_MOVES.get(challenge.status) != to_status:
        if challenge.status == to_status:
            raise AlreadyDone(_("Le défi a déjà ce statut."))
        raise InvalidState(_("Ce changement de statut n'est pas possible."))
    challenge.status = to_status
    challenge.save(update_fields=["status", "updated_at"])
    if to_status == ChallengeStatus.JUDGING:
        notify(
            recipients=challenge.jury.all(),
            kind="challenge.judging",
            title=_("Le jury du défi « %(title)s » peut noter les contributions")
            % {"title": challenge.title},
            url=challenge.get_absolute_url(),
            actor=by,
        )
    return challenge


def entry_member_choices(challenge: Challenge) -> models.QuerySet[User]:
    """Who may be in a team: network members, and partners when the challenge invites them."""
    from caflab.accounts.models import NETWORK_ROLES, Role

    roles = list(NETWORK_ROLES)
    if challenge.audience != Challenge.Audience.AGENTS:
        roles.append(Role.PARTNER)
    return User.objects.active().filter(role__in=roles)


@transaction.atomic
def entry_submit(
    *,
    challenge: Challenge,
    by: User,
    title: str,
    summary: str,
    team_name: str = "",
    members: Iterable[User] = (),
) -> ChallengeEntry:
    """A team's entry while the challenge is open. The submitter is always a member; the team
    follows the challenge, so it hears of the results."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != ChallengeStatus.OPEN:
        raise NotAllowedNow(_("Les contributions à ce défi sont closes."))
    entry = ChallengeEntry.objects.create(
        challenge=challenge, title=title, summary=summary, team_name=team_name, submitted_by=by
    )
    team = {by.pk: by, **{m.pk: m for m in members}}
    entry.members.set(team.values())
    for member in team.values():
        follow(user=member, obj=challenge)
    notify(
        recipients=[m for m in team.values() if m.pk != by.pk],
        kind="challenge.entry_member",
        title=_("%(name)s vous a inscrit dans l'équipe de « %(title)s »")
        % {"name": by, "title": entry.title},
        body=_("Défi : %(challenge)s") % {"challenge": challenge.title},
        url=challenge.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return entry


@transaction.atomic
def entry_score(
    *, entry: ChallengeEntry, juror: User, scores: dict[int, tuple[int, str]]
) -> list[EntryScore]:
    """Record a juror's scores of an entry, {criterion id: (score 1-5, comment)}. One row per
    juror × criterion × entry (a unique constraint): scoring again updates."""
    challenge = entry.challenge
    if challenge.status != ChallengeStatus.JUDGING:
        raise AlreadyDone(_("Le jury ne délibère pas en ce moment."))
    validate_scores(set(challenge_criteria(challenge).values_list("pk", flat=True)), scores)
    saved = []
    for criterion_id, (score, comment) in scores.items():
        try:
            with transaction.atomic():
                row, _created = EntryScore.objects.update_or_create(
                    entry=entry,
                    criterion_id=criterion_id,
                    reviewer=juror,
                    defaults={"score": int(score), "comment": comment},
                )
        except IntegrityError:  # the same juror, twice at once: the second one updates
            row = EntryScore.objects.get(entry=entry, criterion_id=criterion_id, reviewer=juror)
            row.score, row.comment = int(score), comment
            row.save(update_fields=["score", "comment", "updated_at"])
        saved.append(row)
    return saved


def entry_summary(entry: ChallengeEntry) -> dict[str, Any]:
    """Per criterion mean, weighted mean on 5 (see projects.scoring)."""
    return weighted_summary(
        challenge_criteria(entry.challenge), EntryScore.objects.filter(entry=entry)
    )


def ranked_entries(challenge: Challenge) -> models.QuerySet[ChallengeEntry]:
    """The challenge's entries, best weighted mean first, computed by the database in one
    query: per criterion the mean of the jurors' scores, weighted by the criterion's weight,
    over the criteria that were scored (the same figure as `weighted_summary`). Unscored entries
    come last."""
    criteria = GateCriterion.objects.for_challenge(challenge)
    criterion_mean = Subquery(
        EntryScore.objects.filter(entry=OuterRef(OuterRef("pk")), criterion=OuterRef("pk"))
        .values("criterion")
        .annotate(mean=Avg(Cast("score", models.FloatField())))
        .values("mean")[:1],
        output_field=models.FloatField(),
    )
    per_entry = (
        criteria.annotate(mean=criterion_mean)
        .values("challenge")
        .annotate(
            weighted=Sum(F("mean") * Cast("weight", models.FloatField())),
            weights=Sum(
                Case(
                    When(mean__isnull=False, then=Cast("weight", models.FloatField())),
                    default=0.0,
                    output_field=models.FloatField(),
                )
            ),
        )
        .order_by()
    )
    weighted = Subquery(per_entry.values("weighted")[:1], output_field=models.FloatField())
    weights = Subquery(per_entry.values("weights")[:1], output_field=models.FloatField())
    return (
        challenge.entries.select_related("submitted_by", "idea")
        .annotate(
            score_total=weighted,
            weight_total=weights,
            n_jurors=Count("scores__reviewer", distinct=True),
        )
        .annotate(
            weighted_mean=Case(
                When(weight_total__gt=0, then=F("score_total") / F("weight_total")),
                default=None,
                output_field=models.FloatField(),
            )
        )
        .order_by(F("weighted_mean").desc(nulls_last=True), "created_at", "pk")
    )


def rounded_mean(value: float | None) -> Decimal | None:
    """A weighted mean as the scorecards show it: one decimal."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def criterion_means(challenge: Challenge) -> dict[tuple[int, int], float]:
    """{(entry id, criterion id): mean score}, for the whole challenge in one query."""
    rows = (
        EntryScore.objects.filter(entry__challenge=challenge)
        .values("entry", "criterion")
        .annotate(mean=Avg(Cast("score", models.FloatField())))
        .values_list("entry", "criterion", "mean")
    )
    return {(entry, criterion): mean for entry, criterion, mean in rows}


def challenge_teams(challenge: Challenge) -> models.QuerySet[User]:
    """The members of every team of the challenge."""
    members = ChallengeEntry.members.through.objects.filter(
        challengeentry__challenge=challenge
    ).values("user")
    return User.objects.active().filter(pk__in=members)


@transaction.atomic
def results_publish(
    *, challenge: Challenge, by: User, summary: str, winners: Iterable[ChallengeEntry]
) -> Challenge:
    """Close the jury: the winners are marked, the results published, every team member and
    follower told. The winners are not projects yet: the lab turns them into ideas next."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != ChallengeStatus.JUDGING:
        raise AlreadyDone(_("Les résultats de ce défi sont déjà publiés."))
    if not summary.strip():
        raise InvalidState({"results_summary": _("Présentez les résultats en quelques mots.")})
    winner_ids = [w.pk for w in winners]
    if not winner_ids:
        raise InvalidState({"winners": _("Choisissez au moins une contribution lauréate.")})
    entries = challenge.entries.all()
    if entries.filter(pk__in=winner_ids).count() != len(set(winner_ids)):
        raise InvalidState({"winners": _("Une contribution lauréate n'est pas de ce défi.")})
    entries.update(is_winner=False)
    entries.filter(pk__in=winner_ids).update(is_winner=True)
    challenge.status = ChallengeStatus.RESULTS_PUBLISHED
    challenge.results_summary = summary
    challenge.save(update_fields=["status", "results_summary", "updated_at"])
    title = _("Les résultats du défi « %(title)s » sont publiés") % {"title": challenge.title}
    teams = challenge_teams(challenge)
    # The teams hear of their own entries at once; the other followers as they chose.
    for recipients, own in ((teams, True), (followers_of(challenge).exclude(pk__in=teams), False)):
        notify(
            recipients=recipients,
            kind="challenge.results_published",
            title=title,
            body=summary,
            url=challenge.get_absolute_url(),
            actor=by,
            own_contribution=own,
        )
    return challenge


@transaction.atomic
def entry_to_idea(*, entry: ChallengeEntry, by: User) -> Idea:
    """Turn an entry (a winner, usually) into an idea of the idea box, with the challenge as its
    origin and the team as its authors. It is triaged like any idea: not a project yet."""
    entry = (
        ChallengeEntry.objects.select_for_update(of=("self",))
        .select_related("challenge", "submitted_by")
        .get(pk=entry.pk)
    )
    if entry.idea_id is not None:
        raise AlreadyDone(_("Cette contribution est déjà devenue une idée."))
    challenge = entry.challenge
    if challenge.status not in (ChallengeStatus.RESULTS_PUBLISHED, ChallengeStatus.CLOSED):
        raise NotAllowedNow(_("Les résultats du défi ne sont pas encore publiés."))
    members = list(entry.members.exclude(pk=entry.submitted_by_id))
    idea = idea_submit(
        by=entry.submitted_by,
        title=entry.title,
        problem=entry.summary,
        co_authors=members,
        source=Idea.Source.CHALLENGE,
        challenge=challenge,
    )
    entry.idea = idea
    entry.save(update_fields=["idea", "updated_at"])
    notify(
        recipients=[entry.submitted_by, *members],
        kind="challenge.entry_to_idea",
        title=_("Votre contribution « %(title)s » devient une idée à examiner")
        % {"title": entry.title},
        body=_("Issue du défi « %(challenge)s ».") % {"challenge": challenge.title},
        url=idea.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return idea


# --- session requests ----------------------------------------------------------------------

REQUEST_FLOW = [
    RequestStatus.REQUESTED,
    RequestStatus.QUALIFIED,
    RequestStatus.SCHEDULED,
    RequestStatus.HELD,
    RequestStatus.DEBRIEFED,
]
# A request may be declined until its session is held.
DECLINABLE = (RequestStatus.REQUESTED, RequestStatus.QUALIFIED, RequestStatus.SCHEDULED)


def _request_moves(status: str) -> tuple[str, ...]:
    """Any later step (the lab may skip one), or declined while the session is not held."""
    if status not in REQUEST_FLOW:
        return ()
    later = REQUEST_FLOW[REQUEST_FLOW.index(status) + 1 :]
    return (*later, RequestStatus.DECLINED) if status in DECLINABLE else tuple(later)


REQUEST_WORKFLOW = Workflow(
    moves={status: _request_moves(status) for status in RequestStatus},
    history=SessionRequestChange,
    already_message=gettext_lazy("La demande a déjà ce statut."),
    refused_message=gettext_lazy("Une demande « %(label)s » ne peut pas passer à « %(target)s »."),
    refused_field="status",
    already_error=AlreadyDone,
)


def request_next_statuses(status: str) -> list[str]:
    """Where a request may go from `status` (see `REQUEST_WORKFLOW`)."""
    return list(REQUEST_WORKFLOW.allowed(status))


@transaction.atomic
def session_request_create(*, by: User, **fields: Any) -> SessionRequest:
    """A directorate member asks for a session. They follow the request; the lab is told."""
    if not (by.is_directorate_member and by.directorate_id):
        raise InvalidState(_("Seul un membre d'une direction de la Cnaf peut faire la demande."))
    request = SessionRequest.objects.create(
        requested_by=by, directorate_id=by.directorate_id, **fields
    )
    SessionRequestChange.record(
        request, from_state="", to_state=request.status, by=by, reason=_("Demande déposée.")
    )
    follow(user=by, obj=request)
    notify(
        recipients=User.objects.lab_staff(),
        kind="session_request.created",
        title=_("Nouvelle demande de %(kind)s : %(title)s")
        % {"kind": request.get_kind_display().lower(), "title": request.title},
        body=request.problem,
        url=request.get_absolute_url(),
        actor=by,
    )
    return request


@transaction.atomic
def session_request_move(
    *, request: SessionRequest, by: User, status: str, note: str = "", reason: str = ""
) -> SessionRequest:
    """Move a request along its flow; a decline needs its reason. The move is recorded and the
    requester (with the other followers) told."""
    declined = status == RequestStatus.DECLINED

    def prepare(request: SessionRequest) -> list[str]:
        if declined and not reason.strip():
            raise InvalidState({"reason": _("Un refus doit être motivé.")})
        if declined:
            request.decline_reason = reason
        if request.handled_by_id is None:
            request.handled_by = by
        return ["decline_reason", "handled_by"]

    request = transition(
        request,
        to=status,
        by=by,
        workflow=REQUEST_WORKFLOW,
        reason=reason if declined else note,
        prepare=prepare,
    )
    title = _("Votre demande « %(title)s » : %(status)s") % {
        "title": request.title,
        "status": request.get_status_display().lower(),
    }
    body = reason if status == RequestStatus.DECLINED else note
    url = request.get_absolute_url()
    notify(
        recipients=[request.requested_by],
        kind="session_request.moved",
        title=title,
        body=body,
        url=url,
        actor=by,
        own_contribution=True,
    )
    notify(
        recipients=followers_of(request).exclude(pk=request.requested_by_id),
        kind="session_request.moved",
        title=_("Demande « %(title)s » : %(status)s")
        % {"title": request.title, "status": request.get_status_display().lower()},
        body=body,
        url=url,
        actor=by,
    )
    return request


def _advance_request(request: SessionRequest | None, *, by: User, to: str, note: str) -> None:
    """Bring the session's request up to `to` when it is behind (never back, never a declined
    one): scheduling or holding the session is what moves it."""
    if request is None or request.status not in REQUEST_FLOW:
        return
    if REQUEST_FLOW.index(request.status) < REQUEST_FLOW.index(to):
        session_request_move(request=request, by=by, status=to, note=note)


# --- sessions ------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *, by: User, facilitators: Iterable[User] = (), **fields: Any
) -> CreativitySession:
    """Schedule a session (from a request or not); its request becomes "scheduled"."""
    session = CreativitySession.objects.create(**fields)
    session.facilitators.set(facilitators)
    _advance_request(
        session.request,
        by=by,
        to=RequestStatus.SCHEDULED,
        note=_("Séance programmée le %(date)s.") % {"date": _local_date(session.held_on)},
    )
    if session.is_held:
        _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


@transaction.atomic
def session_update(
    *, session: CreativitySession, by: User, was_held: bool, previous_request_id: int | None
) -> CreativitySession:
    """After the session form is saved: bring its request along (a newly linked request is
    scheduled; a session marked held holds its request)."""
    if session.request_id and session.request_id != previous_request_id:
        _advance_request(
            session.request,
            by=by,
            to=RequestStatus.SCHEDULED,
            note=_("Séance programmée le %(date)s.") % {"date": _local_date(session.held_on)},
        )
    if session.is_held and (not was_held or session.request_id != previous_request_id):
        _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


@transaction.atomic
def session_mark_held(*, session: CreativitySession, by: User) -> CreativitySession:
    updated = CreativitySession.objects.filter(pk=session.pk, is_held=False).update(
        is_held=True, updated_at=timezone.now()
    )
    if not updated:
        raise AlreadyDone(_("La séance est déjà marquée comme tenue."))
    session.is_held = True
    _advance_request(session.request, by=by, to=RequestStatus.HELD, note=_("Séance tenue."))
    return session


def _local_date(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


@transaction.atomic
def session_ideas_add(
    *, session: CreativitySession, by: User, rows: Iterable[dict[str, Any]]
) -> list[Idea]:
    """Enter the ideas a session produced, in bulk: each row has a title, a problem and an
    author (who follows their idea). Each idea is linked to the session."""
    ideas = []
    for row in rows:
        author = row["author"]
        ideas.append(
            idea_submit(
                by=author,
                title=row["title"],
                problem=row["problem"],
                source=Idea.Source.SESSION,
                session=session,
                caf=author.caf or session.caf,
            )
        )
    return ideas
