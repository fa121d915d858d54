"""Initiatives are engageable (caflab.engagement): network members support them and comment on
them once published; comments show at once, are hidden after reports, and the moderators
(anywhere in the network) moderate them."""

from typing import Any

import rules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.textsources import texts_withdraw
from caflab.engagement.registry import Engageable, register
from caflab.notifications.services import notify
from criees.models import Comment, CommentReport, Initiative, Support


def _tell_team(initiative: Initiative, support: Support, by: Any) -> None:
    from criees.services import initiative_team

    notify(
        recipients=initiative_team(initiative),
        kind="criees.initiative_supported",
        title=_("%(name)s soutient votre initiative « %(title)s »")
        % {"name": by, "title": initiative.title},
        url=initiative.get_absolute_url(),
        actor=by,
    )


def _audience(initiative: Initiative) -> Any:
    from criees.services import initiative_audience

    return initiative_audience(initiative)


def _moderators(initiative: Initiative) -> Any:
    from criees.services import moderators

    return moderators()


def _moderated_by(user: Any) -> Any:
    # The rule itself, not user.has_perm(): every home page asks, and Django's own backend
    # would load the person's permissions from the database to say no.
    return Comment.objects.all() if rules.has_perm("criees.moderate_comments", user) else None


def _withdraw_from_analyses(pks: list[int]) -> None:
    # A criée's comments are analysed (criees.analysis_sources): a hidden one leaves them.
    from criees.analysis_sources import COMMENT_KIND

    texts_withdraw(COMMENT_KIND, pks)


def register_engagement() -> None:
    register(
        Engageable(
            key="initiatives",
            label=gettext_lazy("initiatives"),
            target_model=Initiative,
            target_field="initiative",
            this=gettext_lazy("cette initiative"),
            comment_model=Comment,
            comment_report_model=CommentReport,
            support_model=Support,
            kinds={
                "added": "criees.comment_added",
                "pending": "criees.comment_pending",
                "reported": "criees.comment_pending",
                "hidden": "criees.comment_hidden",
            },
            audience=_audience,
            moderators=_moderators,
            moderated_by=_moderated_by,
            on_support=_tell_team,
            follow_on_comment=True,
            on_withdrawn=_withdraw_from_analyses,
        )
    )
