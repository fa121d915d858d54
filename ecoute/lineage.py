"""Contributions as a source of innovation (projects.origins): the lab, or the correspondent of
its Caf, turns a published contribution into an idea of the box; its author and supporters
are told what became of it, then of each stage of the project it feeds."""

from django.db.models import Q

from caflab.accounts.models import User
from caflab.accounts.permissions import is_correspondent, is_lab_staff
from ecoute.models import Contribution, ContributionSupport
from projects.origins import OriginKind, OriginText, register_origin_kind


def describe(contribution: Contribution) -> OriginText:
    return OriginText(title=contribution.title, text=contribution.text, caf_id=contribution.caf_id)


def participants(contribution: Contribution):
    """Its author and its supporters, active."""
    supporters = ContributionSupport.objects.filter(contribution=contribution).values("user")
    return User.objects.active().filter(Q(pk=contribution.author_id or 0) | Q(pk__in=supporters))


def visible_to(user, contribution: Contribution) -> bool:
    return Contribution.objects.visible_to(user).filter(pk=contribution.pk).exists()


def may_convert(user, contribution: Contribution) -> bool:
    """Published contributions only; the lab, or a correspondent for their Caf's."""
    if contribution.status != Contribution.Status.PUBLISHED:
        return False
    return is_lab_staff(user) or bool(
        is_correspondent(user) and contribution.caf_id and contribution.caf_id == user.caf_id
    )


def register() -> None:
    register_origin_kind(
        OriginKind(
            model="ecoute.Contribution",
            idea_source="consultation",
            describe=describe,
            participants=participants,
            visible_to=visible_to,
            may_convert=may_convert,
        )
    )
