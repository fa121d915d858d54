"""Comments, supports and abuse reports on any registered target (`registry.Engageable`),
written once: the same rules for ideas, initiatives and contributions.

- A comment is empty-checked, attached to the top of its thread (two levels), shown at once or
  held for a moderator (pre-moderation), and its people are told.
- A support is once per person (a database constraint): a second click is "already done".
- A report is once per person; at `ENGAGEMENT_REPORTS_TO_HIDE` reports since the comment's
  last review it is hidden until a moderator looks, and its moderators are told once.
- Moderation publishes, hides or restores, in bulk, row-locked: of two moderators acting on
  the same comments each move happens once; the author of a hidden comment is told why.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core.errors import AlreadyDone, InvalidState
from caflab.engagement import registry
from caflab.engagement.models import CommentStatus
from caflab.engagement.registry import Engageable
from caflab.notifications.services import follow, notify

# action -> (the states it applies to, the state it leads to)
COMMENT_MODERATION: dict[str, tuple[tuple[str, ...], str]] = {
    "publish": ((CommentStatus.PENDING,), CommentStatus.VISIBLE),
    "hide": (
        (CommentStatus.PENDING, CommentStatus.VISIBLE, CommentStatus.REPORTED),
        CommentStatus.HIDDEN,
    ),
    "restore": ((CommentStatus.HIDDEN, CommentStatus.REPORTED), CommentStatus.VISIBLE),
}
COMMENT_ACTIONS = {
    "publish": gettext_lazy("Publier"),
    "hide": gettext_lazy("Masquer"),
    "restore": gettext_lazy("Rétablir"),
}


MODERATION_FIELDS = ["status", "moderated_by", "moderated_at", "moderation_note"]


@dataclass
class BulkResult:
    done: list[Any] = field(default_factory=list)
    skipped: int = 0


def reports_to_hide() -> int:
    return settings.ENGAGEMENT_REPORTS_TO_HIDE


def queue_url(engageable: Engageable | None = None) -> str:
    """The one moderation queue, filtered to this engageable's comments."""
    url = reverse("engagement:queue")
    return f"{url}?type={engageable.comments_kind}" if engageable else url


# --- supports ------------------------------------------------------------------------------


def support_add(*, target: models.Model, by: User) -> models.Model:
    """`by` supports the target, once (a second support, a double click or a race, is refused
    by the unique constraint and reported as already done)."""
    spec = registry.for_target(target)
    assert spec.support_model is not None, f"{spec.key} takes no support"
    spec.check_support(target)
    try:
        with transaction.atomic():
            support = spec.support_model.objects.create(**{spec.target_field: target}, user=by)
            spec.on_support(target, support, by)
    except IntegrityError as exc:
        raise AlreadyDone(_("Vous soutenez déjà %(this)s.") % {"this": spec.this}) from exc
    return support


def support_remove(*, target: models.Model, by: User) -> None:
    spec = registry.for_target(target)
    assert spec.support_model is not None, f"{spec.key} takes no support"
    deleted, _rows = spec.support_model.objects.filter(
        **{spec.target_field: target}, user=by
    ).delete()
    if not deleted:
        raise AlreadyDone(_("Vous ne souteniez pas %(this)s.") % {"this": spec.this})


# --- comments ------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, target: models.Model, by: User, text: str, parent: models.Model | None = None
) -> models.Model:
    """A comment, or a reply (attached to the top-level comment of its thread). Held for a
    moderator when the target is pre-moderated (its moderators are told), otherwise shown at
    once (the target's audience and the replied-to author are told)."""
    spec = registry.for_target(target)
    assert spec.comment_model is not None, f"{spec.key} takes no comment"
    text = text.strip()
    if not text:
        raise InvalidState({"text": _("Le commentaire est vide.")})
    spec.check_comment(target)
    if parent is not None:
        if spec.target_id_of(parent) != target.pk or not parent.is_visible:
            raise InvalidState(_("On ne peut pas répondre à ce commentaire."))
        parent = parent.parent if parent.parent_id else parent
    status = CommentStatus.PENDING if spec.premoderated(target) else CommentStatus.VISIBLE
    comment = spec.comment_model.objects.create(
        **{spec.target_field: target}, parent=parent, author=by, text=text, status=status
    )
    if spec.follow_on_comment:
        follow(user=by, obj=target)
    if status == CommentStatus.PENDING:
        notify(
            recipients=spec.moderators(target),
            kind=spec.kinds["pending"],
            title=_("Nouveau commentaire à modérer sur « %(title)s »")
            % {"title": spec.title(target)},
            body=text[:500],
            url=queue_url(spec),
            actor=by,
        )
    else:
        _tell_comment(spec, comment, target=target, actor=by)
    return comment


def _tell_comment(spec: Engageable, comment: Any, *, target: Any, actor: User | None) -> None:
    """The target's audience and the replied-to author hear of a visible comment."""
    scope = Q(pk__in=spec.audience(target).values("pk"))
    if comment.parent_id and comment.parent.author_id:
        scope |= Q(pk=comment.parent.author_id)
    recipients = User.objects.active().filter(scope)
    notify(
        recipients=recipients,
        kind=spec.kinds["added"],
        title=_("Nouveau commentaire sur « %(title)s »") % {"title": spec.title(target)},
        body=comment.text[:500],
        url=f"{spec.url(target)}#commentaire-{comment.pk}",
        actor=actor,
        own_contribution=spec.audience_owns,
    )


def comment_report(*, comment: models.Model, by: User, reason: str = "") -> models.Model:
    """Report a comment, once per person. At `reports_to_hide()` reports since its last review
    it is hidden until a moderator looks at it; its moderators are told once."""
    spec = registry.for_comment(comment)
    assert spec.comment_report_model is not None, f"{spec.key} takes no report"
    try:
        with transaction.atomic():
            report = spec.comment_report_model.objects.create(
                comment=comment, reporter=by, reason=reason.strip()[:300]
            )
    except IntegrityError as exc:
        raise AlreadyDone(_("Vous avez déjà signalé ce commentaire.")) from exc
    with transaction.atomic():
        reports = spec.comment_report_model.objects.filter(comment=comment)
        if comment.moderated_at:
            reports = reports.filter(created_at__gt=comment.moderated_at)
        if reports.count() >= reports_to_hide():
            # Conditional update: of two reports racing to the threshold, one hides and tells.
            hidden = spec.comment_model.objects.filter(
                pk=comment.pk, status=CommentStatus.VISIBLE
            ).update(status=CommentStatus.REPORTED, updated_at=timezone.now())
            if hidden:
                spec.on_withdrawn([comment.pk])
                notify(
                    recipients=spec.moderators(spec.target_of(comment)),
                    kind=spec.kinds["reported"],
                    title=_("Commentaire signalé à examiner"),
                    body=comment.text[:500],
                    url=queue_url(spec),
                )
    return report


@transaction.atomic
def comments_moderate(
    *, spec: Engageable, pks: Iterable[int], by: User, action: str, message: str = ""
) -> BulkResult:
    """Apply a moderation action to each of these comments it applies to; the others are
    skipped (already there, or another moderator was first). A comment first published is
    announced to its people; the author of a hidden one is told, with the moderator's
    message. The caller scoped `pks` to what `by` may moderate."""
    if action not in COMMENT_MODERATION:
        raise InvalidState(_("Action de modération inconnue."))
    sources, to = COMMENT_MODERATION[action]
    message = message.strip()[:300]
    pks = list(pks)
    model = spec.comment_model
    locked = list(
        model.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related(spec.target_field, "parent")
        .order_by("pk")
    )
    now = timezone.now()
    result = BulkResult()
    for comment in locked:
        if comment.status not in sources:
            continue
        first_shown = comment.status == CommentStatus.PENDING and to == CommentStatus.VISIBLE
        comment.status = to
        comment.moderated_by = by
        comment.moderated_at = now
        comment.moderation_note = message
        comment.save(update_fields=[*MODERATION_FIELDS, "updated_at"])
        result.done.append(comment)
        target = spec.target_of(comment)
        if first_shown:
            _tell_comment(spec, comment, target=target, actor=None)
        elif to == CommentStatus.HIDDEN and comment.author_id:
            notify(
                recipients=User.objects.active().filter(pk=comment.author_id),
                kind=spec.kinds["hidden"],
                title=_("Votre commentaire a été masqué par la modération"),
                body=message or comment.text[:500],
                url=spec.url(target),
                actor=by,
                own_contribution=True,
            )
    result.skipped = len(pks) - len(result.done)
    if to == CommentStatus.HIDDEN:
        spec.on_withdrawn([comment.pk for comment in result.done])
    return result


def comment_moderate(
    *, comment: models.Model, by: User, action: str, message: str = ""
) -> models.Model:
    """One comment: publish, hide or restore (its past reports then no longer count)."""
    spec = registry.for_comment(comment)
    result = comments_moderate(spec=spec, pks=[comment.pk], by=by, action=action, message=message)
    if not result.done:
        raise AlreadyDone(_("Ce commentaire est déjà dans cet état."))
    return result.done[0]
