"""Ideas are engageable (caflab.engagement): network members support them and comment on them;
comments show at once, their authors are told (their own contribution), comments are hidden
after reports, and the lab and the comment moderators moderate them."""

from typing import Any

import rules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import Role, User
from caflab.core.errors import InvalidState
from caflab.engagement.registry import Engageable, register
from ideas.models import Idea, IdeaComment, IdeaCommentReport, IdeaSupport


def _audience(idea: Idea) -> Any:
    from ideas.services.ideas import idea_authors

    return idea_authors(idea)


def _moderators(idea: Idea) -> Any:
    """Who holds `ideas.moderate_idea_comments`: the lab and the comment moderators."""
    return User.objects.active().filter(role__in=[Role.MODERATOR, Role.LAB_STAFF, Role.ADMIN])


def _moderated_by(user: Any) -> Any:
    # The rule itself: Django's own backend would read the permission tables to say no.
    if not rules.has_perm("ideas.moderate_idea_comments", user):
        return None
    return IdeaComment.objects.all()


def _check_support(idea: Idea) -> None:
    if idea.status == Idea.Status.MERGED:
        raise InvalidState(_("Cette idée a été fusionnée : soutenez l’idée qu’elle a rejointe."))


def register_engagement() -> None:
    register(
        Engageable(
            key="idees",
            label=gettext_lazy("idées"),
            target_model=Idea,
            target_field="idea",
            this=gettext_lazy("cette idée"),
            comment_model=IdeaComment,
            comment_report_model=IdeaCommentReport,
            support_model=IdeaSupport,
            kinds={
                "added": "idea.commented",
                "pending": "idea.comment_pending",
                "reported": "idea.comment_reported",
                "hidden": "idea.comment_hidden",
            },
            audience=_audience,
            audience_owns=True,
            moderators=_moderators,
            moderated_by=_moderated_by,
            check_support=_check_support,
            follow_on_comment=True,
        )
    )
