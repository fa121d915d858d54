"""The écoute app's models: consultations (consultations.py), the questionnaire engine
(questionnaires.py), answers (responses.py), background exports (exports.py), restitutions
(restitution.py) and recruitment of participants (recruitment.py)."""

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
from ecoute.models.recruitment import (
    EligibilityQuestion,
    Recruitment,
    RecruitmentQuerySet,
    Registration,
    RegistrationQuerySet,
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
from ecoute.models.restitution import (
    Decision,
    Restitution,
    RestitutionEmail,
    RestitutionQuerySet,
    RestitutionReminder,
)

__all__ = [
    "CHOICE_KINDS",
    "NUMERIC_KINDS",
    "TEXT_KINDS",
    "Answer",
    "AnswerChoice",
    "Audience",
    "Consultation",
    "ConsultationQuerySet",
    # phase 2: restitution and recruitment
    "Decision",
    "EligibilityQuestion",
    "ExportJob",
    "HearBackRequest",
    "Option",
    "ParticipationToken",
    "Question",
    "Questionnaire",
    "Recruitment",
    "RecruitmentQuerySet",
    "Registration",
    "RegistrationQuerySet",
    "Response",
    "ResponseQuerySet",
    "Restitution",
    "RestitutionEmail",
    "RestitutionQuerySet",
    "RestitutionReminder",
    "Section",
]
