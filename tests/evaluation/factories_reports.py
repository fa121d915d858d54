"""Factories for the reports part: every evaluation model a report reads, and
`evaluated_project()`, a project with a full evaluation (plan, theory of change, indicators with
baseline, targets and measurements, surveys, testimonies with and without consent, effects,
judgements, ecological ratings, recommendations with management responses)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from caflab.network.models import Caf
from ecoute.models import Questionnaire
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    Criterion,
    EcologicalRating,
    Effect,
    EvaluationPlan,
    EvaluativeQuestion,
    ImpactReport,
    Indicator,
    IndicatorTarget,
    Judgement,
    ManagementResponse,
    Measurement,
    Recommendation,
    StakeholderGroup,
    Survey,
    SurveyWave,
    Testimony,
)
from tests.projects.factories import ProjectFactory


def caf(code: str) -> Caf:
    return Caf.objects.get(code=code)


class EvaluationPlanFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationPlan

    project = factory.SubFactory(ProjectFactory)
    summary = "Mesurer si le rendez-vous proactif réduit le non-recours aux droits."
    methods = "Données de gestion, questionnaire avant / après, entretiens avec les agents."
    calendar = "Mesure de référence en janvier, puis chaque trimestre."
    evidence_level = 2


class StakeholderGroupFactory(DjangoModelFactory):
    class Meta:
        model = StakeholderGroup

    plan = factory.SubFactory(EvaluationPlanFactory)
    name = factory.Sequence(lambda n: f"Jeunes parents {n + 1}")
    kind = StakeholderGroup.Kind.USERS


class EvaluativeQuestionFactory(DjangoModelFactory):
    class Meta:
        model = EvaluativeQuestion

    plan = factory.SubFactory(EvaluationPlanFactory)
    criterion = Criterion.EFFECTIVENESS
    text = "Le rendez-vous proactif réduit-il le non-recours ?"


class ChangeStepFactory(DjangoModelFactory):
    class Meta:
        model = ChangeStep

    plan = factory.SubFactory(EvaluationPlanFactory)
    level = ChangeStep.Level.ACTIVITY
    label = factory.Sequence(lambda n: f"Étape {n + 1}")


class ChangeLinkFactory(DjangoModelFactory):
    class Meta:
        model = ChangeLink

    source = factory.SubFactory(ChangeStepFactory)
    target = factory.SubFactory(
        ChangeStepFactory, plan=factory.SelfAttribute("..source.plan"), level="output"
    )
    assumption = "Les familles viennent au rendez-vous proposé."


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Indicateur {n + 1}")
    definition = "Part des familles ayant ouvert leurs droits dans les trois mois."
    unit = "%"
    category = Indicator.Category.USERS
    baseline_value = Decimal("40.00")
    baseline_date = datetime.date(2026, 1, 1)
    baseline_source = "Données de gestion 2025"


class IndicatorTargetFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2026, 12, 1)
    value = Decimal("60.00")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2026, 4, 1)
    value = Decimal("50.00")
    source = "Tableau de bord de la Caf"


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Enquête auprès des familles {n + 1}")
    questionnaire = factory.LazyAttribute(lambda o: Questionnaire.objects.create(title=o.title))


class SurveyWaveFactory(DjangoModelFactory):
    class Meta:
        model = SurveyWave

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyWave.Kind.BEFORE
    label = "Avant le rendez-vous"
    opens_on = datetime.date(2026, 1, 5)
    closes_on = datetime.date(2026, 1, 31)


class TestimonyFactory(DjangoModelFactory):
    class Meta:
        model = Testimony

    project = factory.SubFactory(ProjectFactory)
    text = "On m'a appelée avant même que je pense à faire la demande."
    tone = Testimony.Tone.POSITIVE
    consent_to_quote = True
    collected_on = datetime.date(2026, 3, 12)


class EffectFactory(DjangoModelFactory):
    class Meta:
        model = Effect

    project = factory.SubFactory(ProjectFactory)
    nature = Effect.Nature.NEGATIVE
    description = "Des familles vivent l'appel comme un contrôle."
    affected = "Familles monoparentales"
    severity = Effect.Severity.MODERATE
    likelihood = Effect.Likelihood.POSSIBLE
    mitigation = "Script d'appel revu avec des allocataires."


class JudgementFactory(DjangoModelFactory):
    class Meta:
        model = Judgement

    project = factory.SubFactory(ProjectFactory)
    criterion = Criterion.EFFECTIVENESS
    rating = Judgement.Rating.SATISFACTORY
    rationale = "Le taux d'ouverture des droits progresse de dix points."


class EcologicalRatingFactory(DjangoModelFactory):
    class Meta:
        model = EcologicalRating

    project = factory.SubFactory(ProjectFactory)
    objective = EcologicalRating.Objective.SOCIAL_COHESION
    rating = EcologicalRating.Rating.POSITIVE
    justification = "Moins de familles isolées face aux démarches."


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    project = factory.SubFactory(ProjectFactory)
    text = factory.Sequence(lambda n: f"Former les agents à l'appel sortant ({n + 1}).")
    criterion = Criterion.EFFECTIVENESS


class ManagementResponseFactory(DjangoModelFactory):
    class Meta:
        model = ManagementResponse

    recommendation = factory.SubFactory(RecommendationFactory)
    decision = ManagementResponse.Decision.ACCEPTED
    action = "Deux sessions de formation au premier semestre."
    owner = factory.LazyAttribute(lambda o: o.recommendation.project.lead)
    due_on = datetime.date(2026, 6, 30)


class ImpactReportFactory(DjangoModelFactory):
    class Meta:
        model = ImpactReport

    project = factory.SubFactory(ProjectFactory)
    title = factory.LazyAttribute(lambda o: f"Rapport d'impact – {o.project.code}")
    requested_by = factory.LazyAttribute(lambda o: o.project.lead)


def evaluated_project(**project_kwargs):
    """A project with a full evaluation, ready for a report. Values the tests check:
    indicator "Taux d'ouverture des droits" baseline 40, target 60, latest 55 (national);
    Caf 38 measured 58 and Caf 69 measured 47; one consented and one unconsented testimony."""
    project_kwargs.setdefault("title", "Rendez-vous des droits à la naissance")
    project = ProjectFactory(**project_kwargs)
    plan = EvaluationPlanFactory(project=project)
    parents = StakeholderGroupFactory(plan=plan, name="Jeunes parents")
    StakeholderGroupFactory(plan=plan, name="Agents d'accueil", kind=StakeholderGroup.Kind.AGENTS)
    EvaluativeQuestionFactory(plan=plan)
    activity = ChangeStepFactory(plan=plan, level="activity", label="Appel proactif")
    output = ChangeStepFactory(plan=plan, level="output", label="Rendez-vous tenus")
    outcome = ChangeStepFactory(plan=plan, level="outcome", label="Droits ouverts plus tôt")
    ChangeStepFactory(plan=plan, level="impact", label="Moins de non-recours")
    ChangeLinkFactory(source=activity, target=output)
    ChangeLinkFactory(source=output, target=outcome, assumption="Les pièces sont prêtes.")

    rate = IndicatorFactory(project=project, name="Taux d'ouverture des droits", position=1)
    IndicatorTargetFactory(indicator=rate, period=datetime.date(2026, 12, 1), value=60)
    for period, value in ((datetime.date(2026, 4, 1), 50), (datetime.date(2026, 7, 1), 55)):
        MeasurementFactory(indicator=rate, period=period, value=value)
    MeasurementFactory(indicator=rate, period=datetime.date(2026, 7, 1), caf=caf("38"), value=58)
    MeasurementFactory(indicator=rate, period=datetime.date(2026, 7, 1), caf=caf("69"), value=47)
    delay = IndicatorFactory(
        project=project,
        name="Délai de traitement",
        unit="jours",
        direction=Indicator.Direction.LOWER,
        category=Indicator.Category.SERVICE,
        baseline_value=30,
        position=2,
    )
    IndicatorTargetFactory(indicator=delay, value=15)
    MeasurementFactory(indicator=delay, period=datetime.date(2026, 7, 1), value=21)

    survey = SurveyFactory(
        project=project, title="Enquête jeunes parents", stakeholder_group=parents
    )
    SurveyWaveFactory(survey=survey)
    TestimonyFactory(project=project, stakeholder_group=parents, caf=caf("38"))
    TestimonyFactory(
        project=project,
        text="Témoignage confidentiel à ne jamais citer.",
        tone=Testimony.Tone.NEGATIVE,
        consent_to_quote=False,
    )
    EffectFactory(project=project)
    EffectFactory(
        project=project,
        nature=Effect.Nature.UNEXPECTED_NEGATIVE,
        description="Surcharge des agents d'accueil le lundi.",
        affected="Agents d'accueil",
        severity=Effect.Severity.SEVERE,
        likelihood=Effect.Likelihood.LIKELY,
        mitigation="Appels répartis sur la semaine.",
        caf=caf("38"),
    )
    JudgementFactory(project=project)
    JudgementFactory(
        project=project,
        criterion=Criterion.RELEVANCE,
        rating=Judgement.Rating.VERY_SATISFACTORY,
        rationale="Le non-recours à la naissance est un enjeu reconnu.",
    )
    EcologicalRatingFactory(project=project)
    EcologicalRatingFactory(
        project=project,
        objective=EcologicalRating.Objective.CLIMATE_MITIGATION,
        rating=EcologicalRating.Rating.NEUTRAL,
        justification="Pas de déplacement supplémentaire.",
    )
    recommendation = RecommendationFactory(
        project=project, text="Former les agents à l'appel sortant."
    )
    ManagementResponseFactory(recommendation=recommendation)
    RecommendationFactory(
        project=project, text="Étendre aux adoptions.", criterion=Criterion.RELEVANCE, position=2
    )
    return project
