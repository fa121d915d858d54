"""Initiatives from draft to the catalogue: who is told (team, followers, validators,
moderators), creation and team, submit / publish / return through `WORKFLOW`, and the thin
wrappers over caflab.engagement for supports and comments."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import Role, User
from caflab.core.errors import InvalidState
from caflab.core.workflow import Workflow, transition
from caflab.engagement import services as engagement
from caflab.network.models import Caf
from caflab.notifications.services import follow, followers_of, notify
from criees.models import (
    Comment,
    CommentReport,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    Support,
)
from projects.services import AlreadyDone

if TYPE_CHECKING:
    from caflab.accounts.models import UserQuerySet


Status = Initiative.Status
# The moves of an initiative: the team submits a draft (or a returned one), a validator
# publishes it or returns it with a comment. A published initiative stays published.
WORKFLOW = Workflow(
    moves={
        Status.DRAFT: (Status.SUBMITTED,),
        Status.RETURNED: (Status.SUBMITTED,),
        Status.SUBMITTED: (Status.PUBLISHED, Status.RETURNED),
        Status.PUBLISHED: (),
    },
    history=InitiativeStatusChange,
    already_error=AlreadyDone,
    refused_message=gettext_lazy("Cette initiative n’est pas soumise à validation."),
    refused_field=None,
)


# --- people to tell ------------------------------------------------------------------------


def initiative_team(initiative: Initiative) -> "UserQuerySet":
    return User.objects.active().filter(initiative_memberships__initiative=initiative)


def initiative_audience(initiative: Initiative) -> "UserQuerySet":
    """The team and the followers of an initiative."""
    team = InitiativeMember.objects.filter(initiative=initiative).values("user")
    followers = followers_of(initiative).values("pk")
    return User.objects.active().filter(Q(pk__in=team) | Q(pk__in=followers))


def validators_of(caf: Caf) -> "UserQuerySet":
    """Who validates a Caf's initiatives: its correspondents, or the lab when it has none."""
    correspondents = User.objects.correspondents_of(caf)
    return correspondents if correspondents.exists() else User.objects.lab_staff()


def moderators() -> "UserQuerySet":
    return User.objects.active().filter(role__in=[Role.MODERATOR, Role.LAB_STAFF])


# --- initiatives ---------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    by: User,
    caf: Caf,
    title: str,
    summary: str,
    problem: str,
    actions: str,
    lead: User | None = None,
    team: Iterable[User] = (),
    themes: Iterable[Any] = (),
    publics: Iterable[Any] = (),
    **fields: Any,
) -> Initiative:
    """A draft initiative, its lead (the author by default) and team; the author follows it."""
    initiative = Initiative.objects.create(
        caf=caf,
        title=title,
        summary=summary,
        problem=problem,
        actions=actions,
        created_by=by,
        **fields,
    )
    initiative.themes.set(themes)
    initiative.publics.set(publics)
    lead = lead or by
    InitiativeMember.objects.create(
        initiative=initiative, user=lead, role=InitiativeMember.Role.LEAD
    )
    initiative_team_set(initiative=initiative, users=team)
    InitiativeStatusChange.record(initiative, from_state="", to_state=initiative.status, by=by)
    follow(user=by, obj=initiative)
    return initiative


@transaction.atomic
def initiative_team_set(*, initiative: Initiative, users: Iterable[User]) -> None:
    """The members besides the lead are exactly `users` (the lead stays)."""
    wanted = {user.pk: user for user in users}
    members = InitiativeMember.objects.filter(initiative=initiative)
    lead_ids = set(
        members.filter(role=InitiativeMember.Role.LEAD).values_list("user_id", flat=True)
    )
    members.filter(role=InitiativeMember.Role.MEMBER).exclude(user_id__in=wanted).delete()
    present = set(members.values_list("user_id", flat=True))
    InitiativeMember.objects.bulk_create(
        InitiativeMember(initiative=initiative, user=user, role=InitiativeMember.Role.MEMBER)
        for pk, user in wanted.items()
        if pk not in present and pk not in lead_ids
    )


def _locked(initiative: Initiative) -> Initiative:
    return Initiative.objects.select_for_update().get(pk=initiative.pk)


def _move(
    initiative: Initiative,
    *,
    to_status: str,
    by: User,
    comment: str = "",
    already_done: dict[str, str],
) -> Initiative:
    """Make the move (locked, checked again, history written) and return the locked row. A
    first publication dates the initiative in the catalogue; a return keeps its comment."""
    now = timezone.now()

    def prepare(locked: Initiative) -> list[str]:
        fields = []
        if to_status == Status.PUBLISHED and locked.published_at is None:
            locked.published_at = now
            fields.append("published_at")
        if to_status == Status.RETURNED:
            locked.return_comment = comment
            fields.append("return_comment")
        return fields

    return transition(
        initiative,
        to=to_status,
        by=by,
        workflow=WORKFLOW,
        reason=comment,
        already_done=already_done,
        prepare=prepare,
        now=now,
    )


@transaction.atomic
def initiative_submit(*, initiative: Initiative, by: User) -> Initiative:
    """The team asks for validation; the Caf's correspondents (or the lab) are told."""
    initiative = _move(
        initiative,
        to_status=Status.SUBMITTED,
        by=by,
        already_done={
            Status.PUBLISHED: _("Cette initiative est déjà publiée."),
            Status.SUBMITTED: _("Cette initiative est déjà soumise à validation."),
        },
    )
    notify(
        recipients=validators_of(initiative.caf),
        kind="criees.initiative_submitted",
        title=_("Initiative à valider : %(title)s") % {"title": initiative.title},
        body=initiative.summary,
        url=initiative.get_absolute_url(),
        actor=by,
    )
    return initiative


def _decided() -> dict[str, str]:
    """A submitted initiative another validator already published or returned."""
    message = _("Cette initiative a déjà été validée ou renvoyée.")
    return {Status.PUBLISHED: message, Status.RETURNED: message}


@transaction.atomic
def initiative_publish(*, initiative: Initiative, by: User) -> Initiative:
    """Validation: the initiative joins the catalogue; its team and followers are told."""
    initiative = _move(initiative, to_status=Status.PUBLISHED, by=by, already_done=_decided())
    notify(
        recipients=initiative_audience(initiative),
        kind="criees.initiative_published",
        title=_("Votre initiative « %(title)s » est publiée dans le catalogue")
        % {"title": initiative.title},
        url=initiative.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return initiative


@transaction.atomic
def initiative_return(*, initiative: Initiative, by: User, comment: str) -> Initiative:
    """Sent back to the team with what to change; the team edits and submits again."""
    if not comment.strip():
        raise InvalidState({"comment": _("Dites à l’équipe ce qu’il faut reprendre.")})
    initiative = _move(
        initiative,
        to_status=Status.RETURNED,
        by=by,
        comment=comment.strip(),
        already_done=_decided(),
    )
    notify(
        recipients=initiative_team(initiative),
        kind="criees.initiative_returned",
        title=_("Votre initiative « %(title)s » vous est renvoyée") % {"title": initiative.title},
        body=comment,
        url=initiative.get_absolute_url(),
        actor=by,
        own_contribution=True,
    )
    return initiative


# --- supports and comments (caflab.engagement; the policy is in criees/engagement.py) --------


def support_add(*, initiative: Initiative, by: User) -> Support:
    """Support an initiative, once per person (a second click is "already done")."""
    return engagement.support_add(target=initiative, by=by)


def support_remove(*, initiative: Initiative, by: User) -> bool:
    engagement.support_remove(target=initiative, by=by)
    return True


def comment_add(
    *, initiative: Initiative, by: User, text: str, parent: Comment | None = None
) -> Comment:
    return engagement.comment_add(target=initiative, by=by, text=text, parent=parent)


def comment_report(*, comment: Comment, by: User, reason: str = "") -> CommentReport:
    return engagement.comment_report(comment=comment, by=by, reason=reason)


def comment_moderate(*, comment: Comment, by: User, action: str, note: str = "") -> Comment:
    """Hide a comment, or restore it (its past reports then no longer count)."""
    return engagement.comment_moderate(comment=comment, by=by, action=action, message=note)
