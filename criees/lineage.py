"""Initiatives as a source of innovation (projects.origins): the lab, or the correspondent of
its Caf, turns a published initiative into an idea of the box; its team and supporters are
told what became of it."""

from django.db.models import Q

from caflab.accounts.models import User
from caflab.accounts.permissions import is_correspondent, is_lab_staff
from criees.models import Initiative, InitiativeMember, Support
from projects.origins import OriginKind, OriginText, register_origin_kind


def describe(initiative: Initiative) -> OriginText:
    text = "\n\n".join(part for part in (initiative.problem, initiative.actions) if part)
    return OriginText(title=initiative.title, text=text, caf_id=initiative.caf_id)


def participants(initiative: Initiative):
    """Its team and its supporters, active."""
    team = InitiativeMember.objects.filter(initiative=initiative).values("user")
    supporters = Support.objects.filter(initiative=initiative).values("user")
    return User.objects.active().filter(Q(pk__in=team) | Q(pk__in=supporters))


def visible_to(user, initiative: Initiative) -> bool:
    return Initiative.objects.visible_to(user).filter(pk=initiative.pk).exists()


def may_convert(user, initiative: Initiative) -> bool:
    """Published initiatives only; the lab, or a correspondent for their Caf's."""
    if initiative.status != Initiative.Status.PUBLISHED:
        return False
    return is_lab_staff(user) or bool(is_correspondent(user) and initiative.caf_id == user.caf_id)


def register() -> None:
    register_origin_kind(
        OriginKind(
            model="criees.Initiative",
            idea_source="criee",
            describe=describe,
            participants=participants,
            visible_to=visible_to,
            may_convert=may_convert,
        )
    )
