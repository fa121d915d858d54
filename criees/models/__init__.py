"""The criées' models: local initiatives and what the network does with them (initiatives.py),
and the criée events with their programme and the interest the Caf declare (events.py)."""

from criees.models.events import (
    Criee,
    CrieeQuerySet,
    InterestDeclaration,
    InterestLevel,
    InterestQuerySet,
    Pitch,
    PitchQuerySet,
)
from criees.models.initiatives import (
    Comment,
    CommentReport,
    Initiative,
    InitiativeFile,
    InitiativeImage,
    InitiativeMember,
    InitiativeQuerySet,
    InitiativeStatusChange,
    Public,
    Support,
)

__all__ = [
    "Comment",
    "CommentReport",
    "Criee",
    "CrieeQuerySet",
    "Initiative",
    "InitiativeFile",
    "InitiativeImage",
    "InitiativeMember",
    "InitiativeQuerySet",
    "InitiativeStatusChange",
    "InterestDeclaration",
    "InterestLevel",
    "InterestQuerySet",
    "Pitch",
    "PitchQuerySet",
    "Public",
    "Support",
]
