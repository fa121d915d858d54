"""Challenges: one more place ideas come from. The lab opens one, teams submit entries, the
jury scores them on the challenge's weighted criteria (projects.scoring, shared with gate
reviews), the lab publishes the results and turns the winners into ideas, which then go
through triage like any other idea (never straight into the pipeline).

Every flow is atomic; the people concerned are told through `notify`, whose mails leave after
the commit.
"""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Avg
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.errors import InvalidState, NotAllowedNow
from caflab.notifications.services import follow, followers_of, notify
from ideas.models import Challenge, ChallengeEntry, EntryScore, Idea
from ideas.services.ideas import idea_submit
from projects.models import GateCriterion, Scorecard
from projects.scoring import (
    ranked_by_weighted_mean,
    validate_scores,
    weighted_summary,
)
from projects.services.projects import AlreadyDone

ChallengeStatus = Challenge.Status

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
def challenge_update(
    *,
    challenge: Challenge,
    jury: Iterable[User],
    criteria: Iterable[GateCriterion] = (),
    removed_criteria: Iterable[GateCriterion] = (),
) -> Challenge:
    """Save `challenge` as its form changed it (validated, not saved yet), its jury and its
    criteria: `criteria` new or changed, `removed_criteria` deleted. All or nothing: a date
    out of order (a database constraint) keeps the jury and the criteria as they were."""
    challenge.save()
    challenge.jury.set(jury)
    # Removed first: a criterion deleted and added again under its label must not collide.
    for criterion in removed_criteria:
        criterion.delete()
    for criterion in criteria:
        criterion.scorecard = Scorecard.CHALLENGE
        criterion.challenge = challenge
        criterion.save()
    return challenge


@transaction.atomic
def challenge_move(*, challenge: Challenge, by: User, to_status: str) -> Challenge:
    """Open a draft, close the submissions (the jury starts), or close a finished challenge."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if CHALLENGE_MOVES.get(challenge.status) != to_status:
        if challenge.status == to_status:
            raise AlreadyDone(_("Le défi a déjà ce statut."))
        raise InvalidState(_("Ce changement de statut n’est pas possible."))
    challenge.status = to_status
    challenge.save(update_fields=["status", "updated_at"])
    if to_status == ChallengeStatus.JUDGING:
        notify(
            recipients=challenge.jury.all(),
            kind="challenge.judging",
            title=_("Le jury du défi « %(title)s » peut noter les contributions")
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
        title=_("%(name)s vous a inscrit dans l’équipe de « %(title)s »")
        % {"name": by, "title": entry.title},
        body=_("Défi : %(challenge)s") % {"challenge": challenge.title},
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
    return ranked_by_weighted_mean(
        challenge.entries.select_related("submitted_by", "idea"),
        criteria=GateCriterion.objects.for_challenge(challenge),
        scores=EntryScore.objects.all(),
        item_field="entry",
        then=("created_at", "pk"),
    )


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
        raise InvalidState({"winners": _("Une contribution lauréate n’est pas de ce défi.")})
    entries.update(is_winner=False)
    entries.filter(pk__in=winner_ids).update(is_winner=True)
    challenge.status = ChallengeStatus.RESULTS_PUBLISHED
    challenge.results_summary = summary
    challenge.save(update_fields=["status", "results_summary", "updated_at"])
    title = _("Les résultats du défi « %(title)s » sont publiés") % {"title": challenge.title}
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
        title=_("Votre contribution « %(title)s » devient une idée à examiner")
        % {"title": entry.title},
        body=_("Issue du défi « %(challenge)s ».") % {"challenge": challenge.title},
        url=idea.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return idea
