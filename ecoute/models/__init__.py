"""The écoute app's models: consultations (consultations.py), the questionnaire engine
(questionnaires.py), answers (responses.py), background exports (exports.py), restitutions
(restitution.py) and recruitment of participants (recruitment.py)."""

from ecoute.models.communities import (
    Community,
    CommunityConsultationInvite,
    CommunityInvitation,
    Membership,
)
from ecoute.models.consultations import (
    Consultation,
    ConsultationQuerySet,
    ConsultationStatusChange,
)
from ecoute.models.contributions import (
    ANSWER_RANK,
    AnswerStatus,
    Contribution,
    ContributionComment,
    ContributionCommentReport,
    ContributionQuerySet,
    ContributionReport,
    ContributionSupport,
    OfficialAnswer,
)
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
    PendingSubmission,
    Response,
    ResponseQuerySet,
)
from ecoute.models.restitution import (
    Decision,
    DecisionStatus,
    DecisionUpdate,
    DecisionUpdateEmail,
    Restitution,
    RestitutionEmail,
    RestitutionMailing,
    RestitutionQuerySet,
    RestitutionReminder,
)
from ecoute.models.results import ResultsRefresh, ResultsSnapshot

__all__ = [
    "ANSWER_RANK",
    "CHOICE_KINDS",
    "NUMERIC_KINDS",
    "TEXT_KINDS",
    "Answer",
    "AnswerChoice",
    "AnswerStatus",
    "Audience",
    "Community",
    "CommunityConsultationInvite",
    "CommunityInvitation",
    "Consultation",
    "ConsultationQuerySet",
    "ConsultationStatusChange",
    "Contribution",
    "ContributionComment",
    "ContributionCommentReport",
    "ContributionQuerySet",
    "ContributionReport",
    "ContributionSupport",
    "Decision",
    "DecisionStatus",
    "DecisionUpdate",
    "DecisionUpdateEmail",
    "EligibilityQuestion",
    "ExportJob",
    "HearBackRequest",
    "Membership",
    "OfficialAnswer",
    "Option",
    "ParticipationToken",
    "PendingSubmission",
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
    "RestitutionMailing",
    "RestitutionQuerySet",
    "RestitutionReminder",
    "ResultsRefresh",
    "ResultsSnapshot",
    "Section",
]
