"""Participatory evaluation of each innovation: plan and theory of change, indicators and
measurements, stakeholder participation, effects, judgements, and impact reports."""

from evaluation.models.indicators import (
    Frequency,
    Indicator,
    IndicatorTarget,
    Measurement,
    MeasurementReminder,
)
from evaluation.models.judgements import EcologicalRating, Judgement
from evaluation.models.participation import (
    Effect,
    EffectChange,
    Survey,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveResponse,
    Testimony,
)
from evaluation.models.plans import (
    ChangeLink,
    ChangeStep,
    Criterion,
    EvaluationPlan,
    EvaluativeQuestion,
    PlanVersion,
    StakeholderGroup,
)
from evaluation.models.reports import (
    ImpactReport,
    ManagementResponse,
    Recommendation,
)

__all__ = [
    "ChangeLink",
    "ChangeStep",
    "Criterion",
    "EcologicalRating",
    "Effect",
    "EffectChange",
    "EvaluationPlan",
    "EvaluativeQuestion",
    "Frequency",
    "ImpactReport",
    "Indicator",
    "IndicatorTarget",
    "Judgement",
    "ManagementResponse",
    "Measurement",
    "MeasurementReminder",
    "PlanVersion",
    "Recommendation",
    "StakeholderGroup",
    "Survey",
    "SurveyInvitation",
    "SurveyWave",
    "SurveyWaveResponse",
    "Testimony",
]
