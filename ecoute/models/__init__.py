"""The écoute app's models: consultations (consultations.py), the questionnaire engine
(questionnaires.py), answers (responses.py) and background exports (exports.py)."""

from ecoute.models.communities import (
    Community,
    CommunityConsultationInvite,
    CommunityInvitation,
    Membership,
)
from ecoute.models.consultations import Consultation, ConsultationQuerySet
from ecoute.models.exports import ExportJob
from ecoute.models.questionnaires import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    TEXT_KINDS,
    Option,
    Question,
    Questionnaire,
    Section,
)
from ecoute.models.responses import (
    Answer,
    AnswerChoice,
    Audience,
    HearBackRequest,
    ParticipationToken,
    Response,
    ResponseQuerySet,
)

__all__ = [
    "CHOICE_KINDS",
    "NUMERIC_KINDS",
    "TEXT_KINDS",
    "Answer",
    "AnswerChoice",
    "Audience",
    "Community",
    "CommunityConsultationInvite",
    "CommunityInvitation",
    "Consultation",
    "ConsultationQuerySet",
    "ExportJob",
    "HearBackRequest",
    "Membership",
    "Option",
    "ParticipationToken",
    "Question",
    "Questionnaire",
    "Response",
    "ResponseQuerySet",
    "Section",
]
