"""Flows of the écoute app: consultations (consultations.py), the questionnaire builder
(builder.py), answering (answering.py) and background exports (exports.py). Import from here or
from the module."""

from ecoute.services.answering import (
    IncompleteAnswers,
    account_participation_key,
    browser_participation_key,
    consultation_answer,
    has_answered,
    has_participated,
    hear_back_request,
    new_browser_token,
    participation_key,
    response_submit,
)
from ecoute.services.builder import (
    OptionSpec,
    question_delete,
    question_move,
    question_save,
    question_toggle,
    section_add,
    section_delete,
    section_move,
    section_toggle,
)
from ecoute.services.common import AlreadyAnswered, AlreadyDone, RateLimited
from ecoute.services.consultations import (
    consultation_create,
    consultation_move,
    consultations_open_and_close,
)
from ecoute.services.contributions import contributions_with_outcomes
from ecoute.services.exports import export_build, export_request, export_retry

__all__ = [
    "AlreadyAnswered",
    "AlreadyDone",
    "IncompleteAnswers",
    "OptionSpec",
    "RateLimited",
    "account_participation_key",
    "browser_participation_key",
    "consultation_answer",
    "consultation_create",
    "consultation_move",
    "consultations_open_and_close",
    "contributions_with_outcomes",
    "export_build",
    "export_request",
    "export_retry",
    "has_answered",
    "has_participated",
    "hear_back_request",
    "new_browser_token",
    "participation_key",
    "question_delete",
    "question_move",
    "question_save",
    "question_toggle",
    "response_submit",
    "section_add",
    "section_delete",
    "section_move",
    "section_toggle",
]

# Phase 2 (restitution, recruitment): import from ecoute.services.restitution and
# ecoute.services.recruitment directly.
