"""For each registered engageable, how to make one of its targets and one of its comments, and
a person who moderates it: the engagement tests run once per app (a new engageable app adds
its row here, or `test_every_engageable_is_covered_here` fails)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.accounts.factories import UserFactory


@dataclass(frozen=True)
class Maker:
    target: Callable[[], Any]
    comment: Callable[..., Any]
    moderator: Callable[[pytest.FixtureRequest], Any]


def _initiative() -> Any:
    from tests.criees.factories import InitiativeFactory

    return InitiativeFactory()


def _initiative_comment(target: Any = None, **kwargs: Any) -> Any:
    from tests.criees.factories import CommentFactory

    return CommentFactory(initiative=target or _initiative(), **kwargs)


def _idea() -> Any:
    from tests.ideas.factories import IdeaFactory

    return IdeaFactory()


def _idea_comment(target: Any = None, **kwargs: Any) -> Any:
    from tests.ideas.factories import IdeaCommentFactory

    return IdeaCommentFactory(idea=target or _idea(), **kwargs)


def _contribution() -> Any:
    from ecoute.models import Consultation
    from tests.ecoute.factories import ConsultationFactory, ContributionFactory

    consultation = ConsultationFactory(
        collects_contributions=True, moderation_mode=Consultation.ModerationMode.AFTER
    )
    return ContributionFactory(consultation=consultation)


def _contribution_comment(target: Any = None, **kwargs: Any) -> Any:
    from ecoute.models import ContributionComment

    kwargs.setdefault("author", UserFactory())
    kwargs.setdefault("text", "Bonne idée, le soir conviendrait à beaucoup de parents.")
    return ContributionComment.objects.create(contribution=target or _contribution(), **kwargs)


MAKERS: dict[str, Maker] = {
    "contributions": Maker(
        target=_contribution,
        comment=_contribution_comment,
        # Who manages the consultation: the lab runs the factory's consultations.
        moderator=lambda request: request.getfixturevalue("lab_staff"),
    ),
    "idees": Maker(
        target=_idea,
        comment=_idea_comment,
        moderator=lambda request: request.getfixturevalue("moderator"),
    ),
    "initiatives": Maker(
        target=_initiative,
        comment=_initiative_comment,
        moderator=lambda request: request.getfixturevalue("moderator"),
    ),
}


@pytest.fixture
def new_user() -> Callable[[], Any]:
    return lambda: UserFactory()
