"""Criées flows: an initiative from draft to the catalogue, its supports and comments (with
moderation) (initiatives.py), the interest the Caf declare and its promotion into the
portfolio (interest.py), and the criée events with their programme and live pitch
(criees.py). Import from here or from the module.

Every flow is atomic and tells the people concerned through `notify` (mail queued after the
commit). A "one per person / per Caf" rule is a database constraint: losing a race raises
`AlreadyDone`, which the views show as a message, never a 500.
"""

from criees.services.criees import (
    criee_advance,
    criee_set_current,
    pitch_decide,
    pitch_decline,
    pitch_move,
    pitch_propose,
    pitch_schedule,
)
from criees.services.initiatives import (
    WORKFLOW,
    comment_add,
    comment_moderate,
    comment_report,
    initiative_audience,
    initiative_create,
    initiative_publish,
    initiative_return,
    initiative_submit,
    initiative_team,
    initiative_team_set,
    moderators,
    support_add,
    support_remove,
    validators_of,
)
from criees.services.interest import InterestOutcome, initiative_promote, interest_declare
from projects.services import AlreadyDone

__all__ = [
    "WORKFLOW",
    "AlreadyDone",
    "InterestOutcome",
    "comment_add",
    "comment_moderate",
    "comment_report",
    "criee_advance",
    "criee_set_current",
    "initiative_audience",
    "initiative_create",
    "initiative_promote",
    "initiative_publish",
    "initiative_return",
    "initiative_submit",
    "initiative_team",
    "initiative_team_set",
    "interest_declare",
    "moderators",
    "pitch_decide",
    "pitch_decline",
    "pitch_move",
    "pitch_propose",
    "pitch_schedule",
    "support_add",
    "support_remove",
    "validators_of",
]
