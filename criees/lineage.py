"""Initiatives, and the comments people write on them, as sources of innovation
(projects.origins): the lab, or the correspondent of its Caf, turns a published initiative or
a shown comment into an idea of the box; the initiative's team and supporters, or the comment's
author, are told what became of it."""

from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.accounts.permissions import is_correspondent, is_lab_staff
from criees.models import Comment, Initiative, InitiativeMember, Support
from projects.origins import OriginKind, OriginText, register_origin_kind


def describe(initiative: Initiative) -> OriginText:
    text = "\n\n".join(part for part in (initiative.problem, initiative.actions) if part)
    return OriginText(title=initiative.title, text=text, caf_id=initiative.caf_id)


def participants(initiative: Initiative):
    """Its team and its supporters, active."""
    team = InitiativeMember.objects.filter(initiative=initiative).values("user")
    supporters = Support.objects.filter(initiative=initiative).values("user")
    return User.objects.active().filter(Q(pk__in=team) | Q(pk__in=supporters))


def authors(initiative: Initiative):
    """Its team, active: the initiative is their work."""
    team = InitiativeMember.objects.filter(initiative=initiative).values("user")
    return User.objects.active().filter(pk__in=team)


def visible_to(user, initiative: Initiative) -> bool:
    return Initiative.objects.visible_to(user).filter(pk=initiative.pk).exists()


def may_convert(user, initiative: Initiative) -> bool:
    """Published initiatives only; the lab, or a correspondent for their Caf's."""
    if initiative.status != Initiative.Status.PUBLISHED:
        return False
    return is_lab_staff(user) or bool(is_correspondent(user) and initiative.caf_id == user.caf_id)


def describe_comment(comment: Comment) -> OriginText:
    initiative = comment.initiative
    return OriginText(
        title=Truncator(" ".join(comment.text.split())).chars(120),
        text=_("Commentaire sur l’initiative « %(initiative)s » :\n\n%(text)s")
        % {"initiative": initiative.title, "text": comment.text},
        caf_id=initiative.caf_id,
    )


def comment_participants(comment: Comment):
    """Its author, active: the comment is their own."""
    return User.objects.active().filter(pk=comment.author_id or 0)


def comment_visible_to(user, comment: Comment) -> bool:
    return Comment.objects.visible_to(user).filter(pk=comment.pk).exists()


def comment_may_convert(user, comment: Comment) -> bool:
    """A shown comment of a published initiative; the lab, or a correspondent for its Caf."""
    return comment.is_visible and may_convert(user, comment.initiative)


def register() -> None:
    register_origin_kind(
        OriginKind(
            model="criees.Initiative",
            idea_source="criee",
            describe=describe,
            participants=participants,
            authors=authors,
            visible_to=visible_to,
            may_convert=may_convert,
        )
    )
    register_origin_kind(
        OriginKind(
            model="criees.Comment",
            idea_source="criee",
            describe=describe_comment,
            participants=comment_participants,
            visible_to=comment_visible_to,
            may_convert=comment_may_convert,
        )
    )
