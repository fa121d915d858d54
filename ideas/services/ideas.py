"""Idea flows: submit, review, accept as a project, merge, shelve, decline, support, comment,
attach files, assign reviewers and score the triage scorecard.

Every status change carries a reason, recorded in the idea's history and told to its authors
(always: it is about their own contribution) and to its followers, after the commit.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import InvalidState
from caflab.core.uploads import ALL_KINDS, display_name, extension_of
from caflab.core.workflow import Workflow, transition
from caflab.engagement import services as engagement
from caflab.notifications.services import follow, followers_of, notify
from ideas.models import (
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
)
from ideas.services.lineage import origin_tell
from projects.models import GateCriterion, Stage, TeamMember
from projects.scoring import validate_scores, weighted_summary
from projects.services.projects import (
    AlreadyDone,
    project_create,
    project_origin_add,
    team_member_set,
)

Status = Idea.Status

# Where an idea may go from each status. Accepted and merged ideas live on elsewhere (a
# project, another idea): final. A declined idea can be reopened for a new examination.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: (
        Status.UNDER_REVIEW,
        Status.ACCEPTED,
        Status.MERGED,
        Status.SHELVED,
        Status.DECLINED,
    ),
    Status.UNDER_REVIEW: (Status.ACCEPTED, Status.MERGED, Status.SHELVED, Status.DECLINED),
    Status.SHELVED: (Status.UNDER_REVIEW, Status.ACCEPTED, Status.MERGED, Status.DECLINED),
    Status.DECLINED: (Status.UNDER_REVIEW,),
    Status.ACCEPTED: (),
    Status.MERGED: (),
}
WORKFLOW = Workflow(
    moves=TRANSITIONS,
    history=IdeaStatusChange,
    already_error=AlreadyDone,
    already_message=gettext_lazy("L’idée a déjà ce statut."),
    final_message=gettext_lazy("L’idée est déjà %(status)s."),
    refused_message=gettext_lazy("Ce changement de statut n’est pas possible."),
)
# An accepted idea becomes a portfolio project at one of these stages.
ACCEPT_STAGES = (Stage.IDEA, Stage.CREATIVITY)


# --- people to tell ------------------------------------------------------------------------


def idea_authors(idea: Idea) -> models.QuerySet[User]:
    """The author and the co-authors, active."""
    co_authors = Idea.co_authors.through.objects.filter(idea=idea).values("user_id")
    return User.objects.active().filter(models.Q(pk=idea.author_id) | models.Q(pk__in=co_authors))


def _tell(
    idea: Idea, *, by: User, kind: str, authors_title: str, others_title: str, body: str
) -> None:
    """Tell the authors (always delivered: their own contribution) and the other followers."""
    authors = list(idea_authors(idea))
    author_ids = {user.pk for user in authors}
    url = idea.get_absolute_url()
    notify(
        recipients=authors,
        kind=kind,
        title=authors_title,
        body=body,
        url=url,
        actor=by,
        own_contribution=True,
    )
    notify(
        recipients=followers_of(idea).exclude(pk__in=author_ids),
        kind=kind,
        title=others_title,
        body=body,
        url=url,
        actor=by,
    )


# --- submit and edit -----------------------------------------------------------------------


@transaction.atomic
def idea_submit(
    *,
    by: User,
    title: str,
    problem: str,
    themes: Iterable[Any] = (),
    co_authors: Iterable[User] = (),
    attachments: Iterable[tuple[UploadedFile, str]] = (),
    **fields: Any,
) -> Idea:
    """Record a new idea (from the box, a session or a challenge: pass `source` and its link).
    The author follows it, so they hear of every status change. `attachments`: (file, content
    type) pairs the form has checked."""
    fields.setdefault("caf", by.caf)
    idea = Idea.objects.create(author=by, title=title, problem=problem, **fields)
    idea.themes.set(themes)
    idea.co_authors.set([user for user in co_authors if user.pk != by.pk])
    IdeaStatusChange.record(
        idea, from_state="", to_state=idea.status, by=by, reason=_("Idée soumise.")
    )
    follow(user=by, obj=idea)
    for upload, content_type in attachments:
        idea_attachment_add(idea=idea, by=by, upload=upload, content_type=content_type)
    return idea


@transaction.atomic
def idea_update(
    *,
    idea: Idea,
    by: User,
    themes: Iterable[Any] = (),
    co_authors: Iterable[User] = (),
    attachments: Iterable[tuple[UploadedFile, str]] = (),
    **fields: Any,
) -> Idea:
    """Save the authors' changes. Outside the lab, only while nobody has started examining the
    idea: a triage that began meanwhile wins (the row is locked to decide)."""
    status = Idea.objects.select_for_update().values_list("status", flat=True).get(pk=idea.pk)
    if status != Status.SUBMITTED and not by.is_lab_staff:
        raise AlreadyDone(_("L’idée est en cours d’examen : elle n’est plus modifiable."))
    for name, value in fields.items():
        setattr(idea, name, value)
    # Only the edited fields: the status belongs to the triage, never to this form.
    idea.save(update_fields=[*fields, "updated_at"])
    idea.themes.set(themes)
    idea.co_authors.set([user for user in co_authors if user.pk != idea.author_id])
    for upload, content_type in attachments:
        idea_attachment_add(idea=idea, by=by, upload=upload, content_type=content_type)
    return idea


def idea_attachment_add(
    *, idea: Idea, by: User, upload: UploadedFile, content_type: str = ""
) -> IdeaAttachment:
    """Store a file the form has checked (type, size, content) in the private storage, under a
    random name (the field's `upload_to`): the name on disk is never the uploader's, and is not
    guessable. `content_type`: the checked kind's (by default, its extension's)."""
    original = display_name(upload.name or "")
    kind = ALL_KINDS.get(extension_of(original))
    content_type = content_type or (kind.content_type if kind else "application/octet-stream")
    attachment = IdeaAttachment(
        idea=idea,
        original_name=original,
        content_type=content_type[:100],
        size=upload.size or 0,
        uploaded_by=by,
    )
    attachment.file.save(original, upload, save=False)
    attachment.save()
    return attachment


# --- status changes ------------------------------------------------------------------------


def allowed_moves(idea: Idea) -> tuple[str, ...]:
    return WORKFLOW.allowed(idea.status)


@transaction.atomic
def idea_move(
    *,
    idea: Idea,
    by: User,
    to_status: str,
    reason: str,
    revisit_on: datetime.date | None = None,
    merged_into: Idea | None = None,
    stage: str = Stage.IDEA,
) -> Idea:
    """Change the idea's status, with a reason, and tell its authors and followers.

    - accepted: a portfolio project is created at `stage` (idea or creativity session), with
      the idea as its origin; the idea points to it;
    - merged into `merged_into`: its supporters and followers are carried over (no duplicate)
      and told;
    - shelved until `revisit_on` (a date to come);
    - under review, declined: the reason is all.
    """
    reason = reason.strip()
    details = ""

    def prepare(idea: Idea) -> list[str]:
        """Checked after the move itself: the reason, then what the new status needs."""
        nonlocal details
        if not reason:
            raise InvalidState(
                {"reason": _("Le motif est obligatoire : il sera envoyé aux auteurs.")}
            )
        update = []
        if to_status == Status.ACCEPTED:
            if stage not in ACCEPT_STAGES:
                raise InvalidState({"stage": _("Choisissez l’étape idée ou séance de créativité.")})
            project = project_create(
                by=by,
                title=idea.title,
                problem=idea.problem,
                solution=idea.solution,
                target_publics=idea.target_publics,
                themes=list(idea.themes.all()),
                stage=stage,
                pilot_caf=idea.caf,
                # What an idea became is the network's to see (its contributors first).
                is_draft=False,
                origin=idea,
            )
            # The project stays traceable to what fed the idea, and its author joins the team.
            for source in (idea.session, idea.challenge, idea.origin):
                if source is not None:
                    project_origin_add(project=project, source=source)
            team_member_set(project=project, user=idea.author, role=TeamMember.Role.MEMBER)
            idea.project = project
            update.append("project")
            details = _("Projet %(code)s, à l’étape « %(stage)s ».") % {
                "code": project.code,
                "stage": project.get_stage_display(),
            }
        elif to_status == Status.MERGED:
            target = _merge_target(idea, merged_into)
            idea.merged_into = target
            update.append("merged_into")
            details = _(
                "Fusionnée dans l’idée n° %(pk)s « %(title)s » : ses soutiens et ses abonnés la "
                "suivent désormais."
            ) % {"pk": target.pk, "title": target.title}
        elif to_status == Status.SHELVED:
            if revisit_on is None or revisit_on <= timezone.localdate():
                raise InvalidState({"revisit_on": _("Indiquez une date de réexamen à venir.")})
            details = _("À réexaminer le %(date)s.") % {"date": revisit_on.strftime("%d/%m/%Y")}
        if to_status == Status.SHELVED:
            idea.revisit_on = revisit_on
            update.append("revisit_on")
        elif idea.revisit_on is not None:
            idea.revisit_on = None
            update.append("revisit_on")
        if to_status not in (Status.UNDER_REVIEW,) and idea.reviewed_at is None:
            idea.reviewed_at = timezone.now()
            update.append("reviewed_at")

        return update

    idea = transition(
        idea,
        to=to_status,
        by=by,
        workflow=WORKFLOW,
        reason=reason,
        prepare=prepare,
    )
    label = idea.get_status_display()
    body = f"{reason}\n\n{details}".strip()
    _tell(
        idea,
        by=by,
        kind="idea.status_changed",
        authors_title=_("Votre idée « %(title)s » : %(status)s")
        % {"title": idea.title, "status": label},
        others_title=_("L’idée « %(title)s » : %(status)s")
        % {"title": idea.title, "status": label},
        body=body,
    )
    origin_tell(idea, by=by, body=body)
    if to_status == Status.MERGED:
        _carry_over(idea, idea.merged_into, by=by, reason=reason)
    return idea


def _merge_target(idea: Idea, target: Idea | None) -> Idea:
    if target is None:
        raise InvalidState({"merged_into": _("Choisissez l’idée dans laquelle fusionner.")})
    if target.pk == idea.pk:
        raise InvalidState({"merged_into": _("Une idée ne peut pas être fusionnée en elle-même.")})
    target = Idea.objects.select_for_update().get(pk=target.pk)
    if target.status == Status.MERGED:
        raise InvalidState(
            {
                "merged_into": _(
                    "Cette idée est elle-même fusionnée : choisissez celle qu’elle a rejointe."
                )
            }
        )
    return target


def _carry_over(idea: Idea, target: Idea, *, by: User, reason: str) -> None:
    """Supporters and followers of a merged idea move to the idea it joined, once each (the
    unique constraints keep out duplicates, even under a race). The authors and followers were
    told with the status change; the supporters who follow nothing are told here, and the
    target's authors learn that an idea joined theirs."""
    supporters = set(idea.supports.values_list("user_id", flat=True))
    already = set(target.supports.values_list("user_id", flat=True))
    IdeaSupport.objects.bulk_create(
        [IdeaSupport(idea=target, user_id=user_id) for user_id in supporters - already],
        ignore_conflicts=True,
    )
    told = set(followers_of(idea).values_list("pk", flat=True)) | set(
        idea_authors(idea).values_list("pk", flat=True)
    )
    people = User.objects.active().filter(pk__in=supporters | told)
    for user in people:
        follow(user=user, obj=target)
    notify(
        recipients=people.exclude(pk__in=told),
        kind="idea.merged",
        title=_("L’idée « %(title)s » que vous soutenez rejoint l’idée « %(target)s »")
        % {"title": idea.title, "target": target.title},
        body=_("%(reason)s\n\nVotre soutien suit l’idée « %(target)s ».")
        % {"reason": reason, "target": target.title},
        url=target.get_absolute_url(),
        actor=by,
    )
    notify(
        recipients=idea_authors(target),
        kind="idea.merged",
        title=_("L’idée « %(title)s » a été fusionnée dans la vôtre") % {"title": idea.title},
        body=reason,
        url=target.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )


# --- supports, comments, follows -----------------------------------------------------------


def idea_support(*, idea: Idea, by: User) -> IdeaSupport:
    """`by` supports the idea, once: a second support (a double click, a race) is refused by
    the unique constraint and reported as already done; a merged idea takes none."""
    return engagement.support_add(target=idea, by=by)


def idea_support_withdraw(*, idea: Idea, by: User) -> None:
    try:
        engagement.support_remove(target=idea, by=by)
    except AlreadyDone as exc:
        raise AlreadyDone(_("Vous ne soutenez pas cette idée.")) from exc


def idea_comment_add(
    *, idea: Idea, by: User, text: str, parent: IdeaComment | None = None
) -> IdeaComment:
    """A comment, or a reply to one (threads are one level deep: a reply to a reply joins its
    thread). The commenter follows the idea; its authors and the person answered are told
    (caflab.engagement; the policy is in projects/engagement.py)."""
    if parent is not None and parent.idea_id != idea.pk:
        raise InvalidState(_("Ce commentaire n’appartient pas à cette idée."))
    return engagement.comment_add(target=idea, by=by, text=text, parent=parent)


def idea_comment_report(*, comment: IdeaComment, by: User, reason: str = "") -> IdeaCommentReport:
    """Report a comment, once per person; hidden after enough reports, until a moderator
    looks at it in the moderation queue."""
    return engagement.comment_report(comment=comment, by=by, reason=reason)


def idea_comment_moderate(*, comment: IdeaComment, by: User, hidden: bool) -> IdeaComment:
    """Hide a comment (or show it again); a hidden comment stays in place, its text withheld."""
    try:
        return engagement.comment_moderate(
            comment=comment, by=by, action="hide" if hidden else "restore"
        )
    except AlreadyDone as exc:
        raise AlreadyDone(
            _("Ce commentaire est déjà masqué.")
            if hidden
            else _("Ce commentaire est déjà visible.")
        ) from exc


# --- triage --------------------------------------------------------------------------------


@transaction.atomic
def idea_assign(*, ideas: models.QuerySet[Idea], reviewer: User, by: User) -> int:
    """Name `reviewer` on the given ideas (the caller scoped them to what `by` may triage).
    Ideas already theirs are left as they are; the reviewer is told once. Returns how many
    changed."""
    to_assign = list(ideas.exclude(reviewer=reviewer).values_list("pk", flat=True))
    if not to_assign:
        return 0
    changed = Idea.objects.filter(pk__in=to_assign).update(
        reviewer=reviewer, updated_at=timezone.now()
    )
    notify(
        recipients=[reviewer],
        kind="idea.assigned",
        title=_("%(count)s idée(s) à examiner vous sont confiées") % {"count": changed},
        url=f"{reverse('ideas:triage')}?examinateur=moi",
        actor=by,
    )
    return changed


def idea_criteria() -> models.QuerySet[GateCriterion]:
    return GateCriterion.objects.for_ideas()


@transaction.atomic
def idea_score(
    *, idea: Idea, reviewer: User, scores: dict[int, tuple[int, str]]
) -> list[IdeaScore]:
    """Record `reviewer`'s triage scores, {criterion id: (score 1-5, comment)}: the gate
    reviews' scorecard, on the "idea" criteria. Scoring again updates; the idea counts as
    examined from the first scores on."""
    if idea.status not in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHELVED):
        raise AlreadyDone(_("Cette idée est déjà décidée."))
    validate_scores(set(idea_criteria().values_list("pk", flat=True)), scores)
    saved = []
    for criterion_id, (score, comment) in scores.items():
        row, _created = IdeaScore.objects.update_or_create(
            idea=idea,
            criterion_id=criterion_id,
            reviewer=reviewer,
            defaults={"score": int(score), "comment": comment},
        )
        saved.append(row)
    if idea.reviewed_at is None:
        Idea.objects.filter(pk=idea.pk, reviewed_at__isnull=True).update(reviewed_at=timezone.now())
    return saved


def idea_summary(idea: Idea) -> dict[str, Any]:
    """Per criterion mean, the weighted mean on 5 and the blocking criteria below the threshold
    (see projects.scoring: the same computation as gate reviews)."""
    return weighted_summary(idea_criteria(), IdeaScore.objects.filter(idea=idea))
