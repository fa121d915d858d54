"""Demo evaluations: complete plans for three demo projects in essaimage (stakeholder groups,
evaluative questions, a theory of change, three indicators of which one environmental, with
baselines, targets and two years of quarterly measurements in the pilot Caf and three
deployment Caf), and a first frozen version of each plan; the adaptation log of the first
project's deployments (its impact report shows the spread).

Rows are written directly (bulk_create for the measurements), with no notification; it runs
once (skipped when the plans exist). Other parts of the evaluation extend `seed` with their own
functions, called after `seed_plans` (they can rely on the plans and indicators).
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from caflab.network.models import Caf
from evaluation.models import (
    ChangeLink,
    ChangeStep,
    EvaluationPlan,
    EvaluativeQuestion,
    Indicator,
    IndicatorTarget,
    Measurement,
    StakeholderGroup,
)
from evaluation.services.indicators import period_shift, period_start, project_cafs
from evaluation.services.plans import plan_version_save
from projects.models import Project

QUARTERS = 8  # two years of quarterly measurements


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    definition: str
    unit: str
    category: str
    baseline: float
    final_target: float
    trend: float  # change per quarter, on average
    spread: float  # how far the Caf differ from each other
    direction: str = "higher"
    effect: str = "positive"
    method: str = ""


@dataclass(frozen=True)
class PlanSpec:
    title: str  # the demo project's title (projects/demo.py)
    summary: str
    methods: str
    calendar: str
    evidence_level: int
    groups: list[tuple[str, str, str]]  # name, kind, description
    questions: list[tuple[str, str, list[int]]]  # criterion, text, groups (indexes)
    steps: list[tuple[str, str]]  # level, label
    links: list[tuple[int, int, str]]  # source, target (indexes), assumption
    indicators: list[IndicatorSpec] = field(default_factory=list)


PLANS = [
    PlanSpec(
        title="Accueil sans rendez-vous repensé",
        summary="Vérifier que l'accueil en flux, orienté dès l'entrée par un agent volant, "
        "réduit l'attente sans dégrader la qualité de la réponse ni les conditions de travail "
        "des agents.",
        methods="Données du système de gestion de file, questionnaire de sortie auprès des "
        "allocataires, entretiens collectifs avec les agents d'accueil, observation.",
        calendar="Mesure de référence au lancement ; relevés trimestriels ; enquête de "
        "satisfaction chaque semestre ; bilan à deux ans avant la décision de généralisation.",
        evidence_level=3,
        groups=[
            ("Allocataires reçus à l'accueil", "users", "Dont les publics les plus fragiles."),
            ("Agents d'accueil", "agents", "Agents volants et agents de guichet."),
            ("France services partenaires", "partners", "Qui réorientent vers la Caf."),
        ],
        questions=[
            (
                "relevance",
                "L'accueil en flux répond-il aux besoins des allocataires les plus fragiles ?",
                [0],
            ),
            (
                "effectiveness",
                "Le temps d'attente a-t-il diminué dans les Caf qui l'ont adopté ?",
                [0, 1],
            ),
            ("efficiency", "Le gain de temps justifie-t-il le poste d'agent volant ?", [1]),
            ("sustainability", "Les agents peuvent-ils tenir ce rythme dans la durée ?", [1]),
        ],
        steps=[
            ("activity", "Un agent volant oriente chaque visiteur dès l'entrée"),
            ("activity", "Formation des agents à l'accueil en flux"),
            ("output", "Visiteurs orientés vers le bon service en moins de 5 minutes"),
            ("outcome", "Attente réduite et demandes traitées au premier passage"),
            ("impact", "Moins de renoncement aux droits chez les publics fragiles"),
        ],
        links=[
            (0, 2, "Les visiteurs acceptent d'exposer leur demande debout, à l'entrée."),
            (1, 0, "Les agents formés se sentent légitimes pour orienter."),
            (2, 3, "Les services en aval ont la capacité d'absorber le flux."),
            (3, 4, "L'attente est bien un motif de renoncement (enquête 2024)."),
        ],
        indicators=[
            IndicatorSpec(
                "Temps d'attente moyen",
                "Minutes entre l'arrivée et la prise en charge, moyenne du trimestre "
                "(système de gestion de file).",
                "minutes",
                "service",
                baseline=38,
                final_target=15,
                trend=-2.6,
                spread=6,
                direction="lower",
                method="Extraction trimestrielle du système de gestion de file",
            ),
            IndicatorSpec(
                "Demandes traitées au premier passage",
                "Part des visites qui n'appellent pas de second déplacement.",
                "%",
                "users",
                baseline=54,
                final_target=75,
                trend=2.4,
                spread=5,
                method="Questionnaire de sortie, 200 réponses par trimestre et par Caf",
            ),
            IndicatorSpec(
                "Déplacements évités",
                "Trajets de second passage évités, estimés en kilomètres parcourus par les "
                "allocataires (distance moyenne domicile-accueil).",
                "km",
                "environmental",
                baseline=0,
                final_target=12000,
                trend=1400,
                spread=500,
                method="Estimation à partir des codes postaux des visiteurs",
            ),
        ],
    ),
    PlanSpec(
        title="Médiation numérique en tiers-lieux",
        summary="Mesurer si les permanences de médiation numérique dans les tiers-lieux "
        "partenaires rendent les allocataires autonomes dans leurs démarches en ligne.",
        methods="Suivi des permanences, test d'autonomie avant et après trois séances, "
        "témoignages, données de connexion à l'espace Mon Compte.",
        calendar="Référence à l'ouverture des permanences ; suivi trimestriel ; comparaison "
        "avec des communes sans permanence à 18 mois.",
        evidence_level=2,
        groups=[
            ("Allocataires éloignés du numérique", "users", ""),
            ("Médiateurs des tiers-lieux", "partners", "Salariés et bénévoles formés."),
            ("Conseillers Caf référents", "agents", ""),
        ],
        questions=[
            (
                "effectiveness",
                "Les personnes accompagnées font-elles seules leurs démarches "
                "après trois séances ?",
                [0, 1],
            ),
            (
                "coherence",
                "Les permanences complètent-elles l'offre des France services sans doublon ?",
                [1, 2],
            ),
            ("impact", "Le non-recours recule-t-il dans les communes couvertes ?", [0]),
        ],
        steps=[
            ("activity", "Permanences hebdomadaires dans les tiers-lieux"),
            ("activity", "Formation des médiateurs aux démarches Caf"),
            ("output", "Personnes accompagnées sur trois séances"),
            ("outcome", "Autonomie dans l'espace Mon Compte"),
            ("impact", "Accès aux droits sans déplacement"),
        ],
        links=[
            (0, 2, "Les personnes reviennent aux trois séances."),
            (1, 2, "Les médiateurs restent en poste assez longtemps."),
            (2, 3, "Trois séances suffisent à acquérir les gestes de base."),
            (3, 4, "L'équipement personnel (smartphone) est disponible."),
        ],
        indicators=[
            IndicatorSpec(
                "Personnes autonomes après trois séances",
                "Part des personnes accompagnées qui réussissent seules le test d'autonomie.",
                "%",
                "users",
                baseline=22,
                final_target=60,
                trend=4.5,
                spread=7,
                method="Test d'autonomie en fin de troisième séance",
            ),
            IndicatorSpec(
                "Personnes accompagnées",
                "Nombre de personnes différentes reçues en permanence dans le trimestre.",
                "personnes",
                "service",
                baseline=0,
                final_target=180,
                trend=20,
                spread=25,
                method="Registre des permanences",
            ),
            IndicatorSpec(
                "Papier économisé",
                "Feuilles non imprimées grâce aux démarches faites en ligne (estimation).",
                "feuilles",
                "environmental",
                baseline=0,
                final_target=9000,
                trend=1000,
                spread=300,
                method="Nombre de démarches en ligne × feuilles d'un dossier papier",
            ),
        ],
    ),
    PlanSpec(
        title="Visio-accueil en zone rurale",
        summary="Évaluer si les bornes de visio-accueil dans les maisons France services "
        "rapprochent la Caf des allocataires ruraux sans dégrader la qualité du conseil.",
        methods="Journal des rendez-vous en visio, questionnaire après rendez-vous, "
        "entretiens avec les animateurs France services, relevé des déplacements évités.",
        calendar="Référence à l'installation des bornes ; suivi trimestriel ; bilan à deux ans.",
        evidence_level=2,
        groups=[
            ("Allocataires des communes rurales", "users", ""),
            ("Animateurs France services", "partners", ""),
            ("Conseillers Caf en visio", "agents", ""),
        ],
        questions=[
            ("relevance", "La visio répond-elle aux demandes qui motivaient un déplacement ?", [0]),
            (
                "effectiveness",
                "La qualité du conseil est-elle comparable à l'accueil physique ?",
                [0, 2],
            ),
            (
                "sustainability",
                "Les maisons France services peuvent-elles accueillir ces "
                "rendez-vous dans la durée ?",
                [1],
            ),
        ],
        steps=[
            ("activity", "Installation des bornes et planning de rendez-vous"),
            ("output", "Rendez-vous tenus en visio"),
            ("outcome", "Réponse complète sans déplacement à l'agence"),
            ("impact", "Égalité d'accès au conseil entre territoires"),
        ],
        links=[
            (0, 1, "Les animateurs proposent la visio aux visiteurs concernés."),
            (1, 2, "Le conseiller a accès au dossier et aux pièces pendant la visio."),
            (2, 3, "Les allocataires ruraux ne renoncent plus faute de transport."),
        ],
        indicators=[
            IndicatorSpec(
                "Rendez-vous tenus en visio",
                "Nombre de rendez-vous en visio effectivement tenus dans le trimestre.",
                "rendez-vous",
                "service",
                baseline=0,
                final_target=400,
                trend=45,
                spread=40,
                method="Journal de l'outil de prise de rendez-vous",
            ),
            IndicatorSpec(
                "Satisfaction après rendez-vous",
                "Part des répondants « satisfaits » ou « très satisfaits ».",
                "%",
                "users",
                baseline=71,
                final_target=85,
                trend=1.6,
                spread=4,
                method="Questionnaire envoyé après chaque rendez-vous",
            ),
            IndicatorSpec(
                "Émissions de CO2 évitées",
                "Trajets en voiture vers l'agence évités, convertis en kilogrammes de CO2 "
                "(facteur ADEME).",
                "kg CO2",
                "environmental",
                baseline=0,
                final_target=6000,
                trend=700,
                spread=250,
                method="Distance commune-agence × facteur d'émission ADEME",
            ),
        ],
    ),
]


def seed(stdout: TextIO) -> None:
    """Complete evaluations for the demo projects: plans and indicators with two years of
    measurements, then surveys, testimonies, effects and judgements, then recommendations and a
    generated impact report (each step skips what is already there)."""
    from evaluation.demo_participation import seed_participation
    from evaluation.demo_reports import seed_reports

    seed_plans(stdout)
    projects = list(
        Project.objects.filter(
            title__in=[spec.title for spec in PLANS], evaluation_plan__isnull=False
        ).select_related("lead")
    )
    projects.sort(key=lambda p: [spec.title for spec in PLANS].index(p.title))
    for project in projects:
        seed_participation(project, stdout)
    if projects:  # the project whose report the demo generates shows its spread
        seed_adaptations(projects[0], stdout)
        # ... and what its survey's open answers say (analysis of texts).
        from evaluation.demo_analysis import seed_survey_analysis

        seed_survey_analysis(projects[0], stdout)
    seed_reports(projects, stdout)
    # The ecological-transition programme: its projects assessed (evaluation/demo_programme.py).
    from evaluation.demo_programme import seed_programme

    seed_programme(stdout)


# What the deploying Caf changed to the model: (what, why, kind, faithful).
ADAPTATIONS = [
    (
        "Agent volant présent le matin seulement.",
        "L'affluence se concentre le matin ; l'après-midi, l'accueil reste sur rendez-vous.",
        "planned",
        True,
    ),
    (
        "Orientation à l'entrée confiée à un agent de la France services voisine.",
        "Aucun agent disponible pour le poste volant pendant la campagne de rentrée.",
        "reactive",
        False,
    ),
    (
        "Écran d'affichage du temps d'attente estimé à l'entrée.",
        "Les visiteurs demandaient où ils en étaient dans la file.",
        "reactive",
        True,
    ),
    (
        "Formation des agents raccourcie à une demi-journée.",
        "Calendrier de formation déjà chargé ; complément prévu en compagnonnage.",
        "planned",
        True,
    ),
]


def seed_adaptations(project: Project, stdout: TextIO) -> None:
    """The adaptation log of `project`'s deployments, through the essaimage service, so that
    its impact report shows what each Caf changed and why. Skipped when one exists."""
    from projects.models import Adaptation, Deployment
    from projects.services.deployments import adaptation_add

    if Adaptation.objects.filter(deployment__project=project).exists():
        return
    deployments = list(
        Deployment.objects.filter(project=project)
        .exclude(status=Deployment.Status.DECLINED)
        .select_related("caf")
        .order_by("caf__position")
    )
    if not deployments:
        return
    today = timezone.localdate()
    for i, (what, why, kind, faithful) in enumerate(ADAPTATIONS):
        adaptation_add(
            deployment=deployments[i % len(deployments)],
            by=project.lead,
            what=what,
            why=why,
            kind=kind,
            is_faithful=faithful,
            made_on=today - datetime.timedelta(days=30 * (len(ADAPTATIONS) - i)),
        )
    stdout.write(f"  {len(ADAPTATIONS)} adaptations consignées pour {project.code}\n")


def seed_plans(stdout: TextIO) -> list[EvaluationPlan]:
    if EvaluationPlan.objects.exists():
        stdout.write("  évaluation : plans déjà présents")
        return []
    rng = random.Random(2026)  # the same demo every time
    last = period_shift(period_start(timezone.localdate(), "quarterly"), "quarterly", -1)
    periods = [period_shift(last, "quarterly", -i) for i in reversed(range(QUARTERS))]
    plans = []
    for spec in PLANS:
        project = Project.objects.filter(title=spec.title).select_related("lead").first()
        if project is None:
            continue
        plan = seed_plan(project, spec)
        cafs = list(project_cafs(project)[:4])
        for position, indicator_spec in enumerate(spec.indicators):
            indicator = seed_indicator(project, indicator_spec, position, periods[0])
            seed_targets(indicator, indicator_spec, periods)
            seed_measurements(indicator, indicator_spec, cafs, periods, rng)
        plan_version_save(
            plan=plan, by=project.lead, note="Plan validé en comité de suivi", expected_version=1
        )
        plans.append(plan)
    stdout.write(f"  évaluation : {len(plans)} plans d'évaluation avec leurs indicateurs")
    return plans


def seed_plan(project: Project, spec: PlanSpec) -> EvaluationPlan:
    """The plan, its stakeholder groups, questions and theory of change."""
    plan = EvaluationPlan.objects.create(
        project=project,
        summary=spec.summary,
        methods=spec.methods,
        calendar=spec.calendar,
        evidence_level=spec.evidence_level,
        updated_by=project.lead,
    )
    groups = [
        StakeholderGroup.objects.create(plan=plan, name=name, kind=kind, description=description)
        for name, kind, description in spec.groups
    ]
    for position, (criterion, text, group_indexes) in enumerate(spec.questions):
        question = EvaluativeQuestion.objects.create(
            plan=plan, criterion=criterion, text=text, position=position
        )
        question.stakeholder_groups.set([groups[i] for i in group_indexes])
    steps = [
        ChangeStep.objects.create(plan=plan, level=level, label=label, position=position)
        for position, (level, label) in enumerate(spec.steps)
    ]
    ChangeLink.objects.bulk_create(
        ChangeLink(source=steps[source], target=steps[target], assumption=assumption)
        for source, target, assumption in spec.links
    )
    return plan


def seed_indicator(
    project: Project, spec: IndicatorSpec, position: int, first_period: datetime.date
) -> Indicator:
    return Indicator.objects.create(
        project=project,
        name=spec.name,
        definition=spec.definition,
        unit=spec.unit,
        direction=spec.direction,
        category=spec.category,
        effect=spec.effect,
        baseline_value=Decimal(str(spec.baseline)),
        baseline_date=first_period - datetime.timedelta(days=1),
        baseline_source="Relevé avant le lancement",
        collection_method=spec.method,
        frequency="quarterly",
        owner=project.lead,
        position=position,
    )


def seed_targets(indicator: Indicator, spec: IndicatorSpec, periods: list) -> None:
    """A target every half-year, on the straight line from the baseline to the final target."""
    steps = len(periods)
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(
            indicator=indicator,
            period=period,
            value=Decimal(
                str(round(spec.baseline + (spec.final_target - spec.baseline) * (i + 1) / steps, 1))
            ),
        )
        for i, period in enumerate(periods)
        if i % 2 == 1
    )


def seed_measurements(
    indicator: Indicator, spec: IndicatorSpec, cafs: list[Caf], periods: list, rng: random.Random
) -> None:
    """Two years of quarterly values per Caf: the trend, a Caf's own level, some noise."""
    rows = []
    for caf in cafs:
        offset = rng.uniform(-spec.spread, spec.spread)
        for i, period in enumerate(periods):
            value = spec.baseline + spec.trend * (i + 1) + offset + rng.gauss(0, spec.spread / 3)
            if spec.unit == "%":
                value = min(max(value, 0), 100)
            rows.append(
                Measurement(
                    indicator=indicator,
                    caf=caf,
                    period=period,
                    value=Decimal(str(round(max(value, 0), 1))),
                    source=rng.choice(
                        ["Tableau de bord de la Caf", "Requête trimestrielle", "Relevé local"]
                    ),
                    entered_by=indicator.owner,
                )
            )
    Measurement.objects.bulk_create(rows)
