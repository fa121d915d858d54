"""Factories for every evaluation model (plans, indicators, participation, judgements,
reports). Each builds a valid row with the fewest related rows."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from ecoute.models import Questionnaire
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    Criterion,
    EcologicalRating,
    Effect,
    EffectChange,
    EvaluationPlan,
    EvaluativeQuestion,
    ImpactReport,
    Indicator,
    IndicatorTarget,
    Judgement,
    ManagementResponse,
    Measurement,
    MeasurementReminder,
    PlanVersion,
    Recommendation,
    StakeholderGroup,
    Survey,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveResponse,
    Testimony,
)
from projects.models import Stage
from tests.projects.factories import ProjectFactory

# --- plans ------------------------------------------------------------------------------------


class EvaluationPlanFactory(DjangoModelFactory):
    """The plan of a project in experimentation (piloted by Caf 38, led by a lab member)."""

    class Meta:
        model = EvaluationPlan

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    summary = "Mesurer si le rendez-vous proactif réduit le non-recours aux droits."
    methods = "Données de gestion, questionnaire aux familles, entretiens avec les agents."
    calendar = "Référence en janvier, mesures trimestrielles, bilan à 18 mois."


class PlanVersionFactory(DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(EvaluationPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    content = factory.LazyFunction(lambda: {"summary": "Version figée", "questions": []})


class StakeholderGroupFactory(DjangoModelFactory):
    class Meta:
        model = StakeholderGroup

    plan = factory.SubFactory(EvaluationPlanFactory)
    name = factory.Sequence(lambda n: f"Familles allocataires n°{n + 1}")
    kind = StakeholderGroup.Kind.USERS


class EvaluativeQuestionFactory(DjangoModelFactory):
    class Meta:
        model = EvaluativeQuestion

    plan = factory.SubFactory(EvaluationPlanFactory)
    criterion = Criterion.EFFECTIVENESS
    text = factory.Sequence(lambda n: f"Le dispositif réduit-il le non-recours ? ({n + 1})")
    position = factory.Sequence(lambda n: n)


class ChangeStepFactory(DjangoModelFactory):
    class Meta:
        model = ChangeStep

    plan = factory.SubFactory(EvaluationPlanFactory)
    level = ChangeStep.Level.ACTIVITY
    label = factory.Sequence(lambda n: f"Rendez-vous proposés aux familles ({n + 1})")
    position = factory.Sequence(lambda n: n)


class ChangeLinkFactory(DjangoModelFactory):
    class Meta:
        model = ChangeLink

    source = factory.SubFactory(ChangeStepFactory)
    target = factory.SubFactory(
        ChangeStepFactory,
        plan=factory.SelfAttribute("..source.plan"),
        level=ChangeStep.Level.OUTPUT,
    )
    assumption = "Les familles acceptent le rendez-vous proposé."


# --- indicators ---------------------------------------------------------------------------------


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    name = factory.Sequence(lambda n: f"Taux de recours aux droits n°{n + 1}")
    definition = "Part des familles reçues qui ouvrent un droit dans les trois mois."
    unit = "%"
    category = Indicator.Category.USERS
    baseline_value = Decimal("40")
    baseline_date = datetime.date(2025, 12, 31)
    baseline_source = "Requête Cristal, décembre 2025"
    frequency = "quarterly"


class IndicatorTargetFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2026, 10, 1)
    value = Decimal("60")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    caf = None
    period = datetime.date(2026, 1, 1)
    value = Decimal("45")
    source = "Requête Cristal"


class MeasurementReminderFactory(DjangoModelFactory):
    class Meta:
        model = MeasurementReminder

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2026, 7, 1)


# --- participation ------------------------------------------------------------------------------


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire

    title = factory.Sequence(lambda n: f"Questionnaire d'évaluation n°{n + 1}")


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    title = factory.Sequence(lambda n: f"Enquête auprès des familles n°{n + 1}")
    questionnaire = factory.SubFactory(QuestionnaireFactory)


class SurveyWaveFactory(DjangoModelFactory):
    class Meta:
        model = SurveyWave

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyWave.Kind.BEFORE
    opens_on = datetime.date(2026, 1, 5)
    closes_on = datetime.date(2026, 1, 31)


class SurveyInvitationFactory(DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    wave = factory.SubFactory(SurveyWaveFactory)
    email = factory.Sequence(lambda n: f"famille{n + 1}@example.org")
    token_hash = factory.Sequence(lambda n: f"{n + 1:064x}")


class SurveyWaveResponseFactory(DjangoModelFactory):
    class Meta:
        model = SurveyWaveResponse

    wave = factory.SubFactory(SurveyWaveFactory)
    response = factory.LazyAttribute(
        lambda o: __import__("ecoute.models", fromlist=["Response"]).Response.objects.create(
            questionnaire=o.wave.survey.questionnaire, audience="citizens"
        )
    )


class TestimonyFactory(DjangoModelFactory):
    class Meta:
        model = Testimony

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    text = "Le rendez-vous m'a permis de découvrir une aide que je ne connaissais pas."
    tone = Testimony.Tone.POSITIVE


class EffectFactory(DjangoModelFactory):
    class Meta:
        model = Effect

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    description = "Allongement des délais de traitement des autres dossiers."
    affected = "Agents de l'accueil"
    severity = Effect.Severity.MODERATE
    likelihood = Effect.Likelihood.POSSIBLE


class EffectChangeFactory(DjangoModelFactory):
    class Meta:
        model = EffectChange

    effect = factory.SubFactory(EffectFactory)
    from_status = Effect.Status.OPEN
    to_status = Effect.Status.MITIGATING


# --- judgements and reports ---------------------------------------------------------------------


class JudgementFactory(DjangoModelFactory):
    class Meta:
        model = Judgement

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    criterion = Criterion.EFFECTIVENESS
    rating = Judgement.Rating.SATISFACTORY
    rationale = "Le taux de recours progresse de quinze points dans les Caf pilotes."


class EcologicalRatingFactory(DjangoModelFactory):
    class Meta:
        model = EcologicalRating

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    objective = EcologicalRating.Objective.CLIMATE_MITIGATION
    rating = EcologicalRating.Rating.POSITIVE
    justification = "Moins de déplacements des familles vers l'accueil."


class ImpactReportFactory(DjangoModelFactory):
    class Meta:
        model = ImpactReport

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    title = factory.Sequence(lambda n: f"Rapport d'impact n°{n + 1}")


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    project = factory.SubFactory(ProjectFactory, stage=Stage.EXPERIMENTATION)
    text = "Étendre le rendez-vous aux familles monoparentales."
    criterion = Criterion.IMPACT


class ManagementResponseFactory(DjangoModelFactory):
    class Meta:
        model = ManagementResponse

    recommendation = factory.SubFactory(RecommendationFactory)
    decision = ManagementResponse.Decision.ACCEPTED
    action = "Généraliser le rendez-vous dans les Caf volontaires."
    due_on = datetime.date(2027, 6, 30)
