"""Factories for every evaluation model (plans, indicators, participation, judgements,
reports), the one module of the app. Each builds a valid row with the fewest related rows;
`make_survey()` builds a survey through its service, and `evaluated_project()` a project with a
full evaluation, ready for a report."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caflab.network.models import Caf
from ecoute.models import Question, Questionnaire
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
from evaluation.services.participation import survey_create
from projects.models import Stage
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import QuestionFactory
from tests.projects.factories import ProjectFactory


def caf(code: str) -> Caf:
    return Caf.objects.get(code=code)


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
    questionnaire = factory.SubFactory(QuestionnaireFactory, title=factory.SelfAttribute("..title"))


def make_survey(project=None, *, title="Votre avis sur le rendez-vous des droits", questions=2):
    """A survey of `project` with a scale question and a single-choice question."""
    project = project or ProjectFactory()
    survey = survey_create(project=project, title=title, by=project.lead)
    section = survey.questionnaire.sections.get()
    if questions >= 1:
        QuestionFactory(
            section=section,
            kind=Question.Kind.SCALE,
            label="Êtes-vous satisfait de l'accompagnement ?",
            scale_min=1,
            scale_max=5,
            is_required=True,
            position=1,
        )
    if questions >= 2:
        QuestionFactory(
            section=section,
            kind=Question.Kind.SINGLE_CHOICE,
            label="Connaissez-vous vos droits ?",
            options=["Oui", "En partie", "Non"],
            position=2,
        )
    return survey


class SurveyWaveFactory(DjangoModelFactory):
    """A wave open since yesterday, for thirty days."""

    class Meta:
        model = SurveyWave

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyWave.Kind.BEFORE
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    position = factory.Sequence(lambda n: n + 1)


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
    """A positive testimony its author agreed to see quoted."""

    class Meta:
        model = Testimony

    project = factory.SubFactory(ProjectFactory)
    text = "Le rendez-vous m'a permis de découvrir une aide que je ne connaissais pas."
    tone = Testimony.Tone.POSITIVE
    consent_to_quote = True


class EffectFactory(DjangoModelFactory):
    """A negative effect, followed by the project's lead, recorded by a lab member."""

    class Meta:
        model = Effect

    project = factory.SubFactory(ProjectFactory)
    nature = Effect.Nature.NEGATIVE
    description = "Les familles sans accès au numérique sont moins bien informées."
    affected = "Familles éloignées du numérique"
    severity = Effect.Severity.MODERATE
    likelihood = Effect.Likelihood.POSSIBLE
    owner = factory.LazyAttribute(lambda o: o.project.lead)
    recorded_by = factory.SubFactory(UserFactory, lab=True)


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
    """A report requested by the project's lead."""

    class Meta:
        model = ImpactReport

    project = factory.SubFactory(ProjectFactory)
    title = factory.LazyAttribute(lambda o: f"Rapport d'impact – {o.project.code}")
    requested_by = factory.LazyAttribute(lambda o: o.project.lead)


def evaluated_project(**project_kwargs):
    """A project with a full evaluation, ready for a report. Values the tests check:
    indicator "Taux d'ouverture des droits" baseline 40, target 60, latest 55 (national);
    Caf 38 measured 58 and Caf 69 measured 47; one consented and one unconsented testimony.
    Every text a report shows is given here, not taken from the factories' defaults."""
    project_kwargs.setdefault("title", "Rendez-vous des droits à la naissance")
    project = ProjectFactory(**project_kwargs)
    plan = EvaluationPlanFactory(
        project=project,
        methods="Données de gestion, questionnaire avant / après, entretiens avec les agents.",
        calendar="Mesure de référence en janvier, puis chaque trimestre.",
        evidence_level=2,
    )
    parents = StakeholderGroupFactory(plan=plan, name="Jeunes parents")
    StakeholderGroupFactory(plan=plan, name="Agents d'accueil", kind=StakeholderGroup.Kind.AGENTS)
    EvaluativeQuestionFactory(
        plan=plan, text="Le rendez-vous proactif réduit-il le non-recours ?", position=0
    )
    activity = ChangeStepFactory(plan=plan, level="activity", label="Appel proactif")
    output = ChangeStepFactory(plan=plan, level="output", label="Rendez-vous tenus")
    outcome = ChangeStepFactory(plan=plan, level="outcome", label="Droits ouverts plus tôt")
    ChangeStepFactory(plan=plan, level="impact", label="Moins de non-recours")
    ChangeLinkFactory(
        source=activity, target=output, assumption="Les familles viennent au rendez-vous proposé."
    )
    ChangeLinkFactory(source=output, target=outcome, assumption="Les pièces sont prêtes.")

    baseline = {
        "definition": "Part des familles ayant ouvert leurs droits dans les trois mois.",
        "baseline_date": datetime.date(2026, 1, 1),
        "baseline_source": "Données de gestion 2025",
    }
    source = "Tableau de bord de la Caf"
    rate = IndicatorFactory(
        project=project, name="Taux d'ouverture des droits", position=1, **baseline
    )
    IndicatorTargetFactory(indicator=rate, period=datetime.date(2026, 12, 1), value=60)
    for period, value in ((datetime.date(2026, 4, 1), 50), (datetime.date(2026, 7, 1), 55)):
        MeasurementFactory(indicator=rate, period=period, value=value, source=source)
    for code, value in (("38", 58), ("69", 47)):
        MeasurementFactory(
            indicator=rate,
            period=datetime.date(2026, 7, 1),
            caf=caf(code),
            value=value,
            source=source,
        )
    delay = IndicatorFactory(
        project=project,
        name="Délai de traitement",
        unit="jours",
        direction=Indicator.Direction.LOWER,
        category=Indicator.Category.SERVICE,
        baseline_value=30,
        position=2,
        **baseline,
    )
    IndicatorTargetFactory(indicator=delay, period=datetime.date(2026, 12, 1), value=15)
    MeasurementFactory(indicator=delay, period=datetime.date(2026, 7, 1), value=21, source=source)

    survey = SurveyFactory(
        project=project, title="Enquête jeunes parents", stakeholder_group=parents
    )
    SurveyWaveFactory(
        survey=survey,
        label="Avant le rendez-vous",
        opens_on=datetime.date(2026, 1, 5),
        closes_on=datetime.date(2026, 1, 31),
        position=0,
    )
    collected_on = datetime.date(2026, 3, 12)
    TestimonyFactory(
        project=project,
        text="On m'a appelée avant même que je pense à faire la demande.",
        collected_on=collected_on,
        stakeholder_group=parents,
        caf=caf("38"),
    )
    TestimonyFactory(
        project=project,
        text="Témoignage confidentiel à ne jamais citer.",
        tone=Testimony.Tone.NEGATIVE,
        consent_to_quote=False,
        collected_on=collected_on,
    )
    EffectFactory(
        project=project,
        description="Des familles vivent l'appel comme un contrôle.",
        affected="Familles monoparentales",
        mitigation="Script d'appel revu avec des allocataires.",
        owner=None,
        recorded_by=None,
    )
    EffectFactory(
        project=project,
        nature=Effect.Nature.UNEXPECTED_NEGATIVE,
        description="Surcharge des agents d'accueil le lundi.",
        affected="Agents d'accueil",
        severity=Effect.Severity.SEVERE,
        likelihood=Effect.Likelihood.LIKELY,
        mitigation="Appels répartis sur la semaine.",
        caf=caf("38"),
        owner=None,
        recorded_by=None,
    )
    JudgementFactory(
        project=project, rationale="Le taux d'ouverture des droits progresse de dix points."
    )
    JudgementFactory(
        project=project,
        criterion=Criterion.RELEVANCE,
        rating=Judgement.Rating.VERY_SATISFACTORY,
        rationale="Le non-recours à la naissance est un enjeu reconnu.",
    )
    EcologicalRatingFactory(
        project=project,
        objective=EcologicalRating.Objective.SOCIAL_COHESION,
        justification="Moins de familles isolées face aux démarches.",
    )
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


def spread_project(project, *, by):
    """Deploy `project` through the essaimage services, as the network would. Values the tests
    check: Caf 69 running, led by Léa Ferrand (an address only, no name, would stay out of a
    report), with a planned faithful adaptation and a reactive one off the model; Caf 01
    declined ("Pas d'agent disponible cette année."); Caf 73 interested, no local lead's
    name (its lead has none). Returns the three deployments."""
    from projects.services.deployments import adaptation_add, deployment_declare, deployment_move

    lea = UserFactory(
        email="lea.ferrand@caf69.example", first_name="Léa", last_name="Ferrand", caf=caf("69")
    )
    nameless = UserFactory(
        email="sans.nom@caf73.example", first_name="", last_name="", caf=caf("73")
    )
    rhone, _ = deployment_declare(project=project, caf=caf("69"), by=by, local_lead=lea)
    deployment_move(deployment=rhone, by=by, status="preparing")
    deployment_move(deployment=rhone, by=by, status="running")
    adaptation_add(
        deployment=rhone,
        by=lea,
        made_on=datetime.date(2026, 3, 2),
        what="Appels le samedi matin.",
        why="Les parents qui travaillent ne répondent pas en semaine.",
        kind="planned",
        is_faithful=True,
    )
    adaptation_add(
        deployment=rhone,
        by=lea,
        made_on=datetime.date(2026, 5, 18),
        what="Rendez-vous par SMS au lieu d'un appel.",
        why="Trop d'appels sans réponse.",
        kind="reactive",
        is_faithful=False,
    )
    ain, _ = deployment_declare(project=project, caf=caf("01"), by=by)
    deployment_move(
        deployment=ain, by=by, status="declined", reason="Pas d'agent disponible cette année."
    )
    savoie, _ = deployment_declare(project=project, caf=caf("73"), by=by, local_lead=nameless)
    return rhone, ain, savoie
