"""The national dataset (`manage.py seed_national`): the volumes of the whole network, written
in bulk for the benchmark (`manage.py bench`). One module per app; every row is marked so that
`--reset` removes exactly what the seed wrote: accounts `…@national.caflab.test`, partners
"Partenaire national …", consultations `nat-…`, initiatives "Initiative locale …", criées
"Criée nationale …", and everything hanging from them or from the national accounts.

The per-row services are bypassed (no mail, no task, no notification), but every database
constraint holds and every denormalised value is consistent with the rows it summarises: a
project's stage and `stage_changed_at` with its stage history, its health with its latest
status report, a deployment's status with its history, an idea's status with its status
changes and project, an initiative's `published_at`, a criée's pitch on screen."""

import random
import time
from collections.abc import Callable

from django.db import connection, models, transaction

from caflab.national import (
    accounts,
    criees,
    ecoute,
    evaluation,
    incubator,
    notifications,
    projects,
)
from caflab.national.bulk import DOMAIN

SEED = 2026


def is_seeded() -> bool:
    from caflab.accounts.models import User

    return User.objects.filter(email__endswith=DOMAIN).exists()


def seed(*, scale: float = 1.0, log: Callable[[str], None] = print) -> dict[str, float]:
    """Write the dataset in one transaction (all or nothing); returns the seconds per step."""
    rng = random.Random(SEED)
    timings: dict[str, float] = {}

    def step(name: str, function: Callable, *args):
        started = time.perf_counter()
        result = function(rng, scale, *args)
        timings[name] = time.perf_counter() - started
        log(f"  {name}: {timings[name]:.1f} s")
        return result

    with transaction.atomic():
        people = step("comptes", accounts.seed)
        portfolio = step("projets", projects.seed_projects, people)
        step("essaimage", projects.seed_deployments, portfolio, people)
        step("idées", projects.seed_ideas, portfolio, people)
        step("criées", criees.seed, people, portfolio)
        step("écoute", ecoute.seed, people)
        step("évaluation", evaluation.seed, people, portfolio)
        step("notifications", notifications.seed, people)
        # Last, so that the steps before it draw the same numbers as before it existed.
        step("incubateur", incubator.seed, people, portfolio)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, so the planner sees the real volumes
    return timings


def counts() -> dict[str, int]:
    """Rows per table of interest (the whole table: the national rows dominate)."""
    from caflab.accounts.models import User
    from caflab.notifications.models import Notification
    from criees.models import Comment, Initiative, InterestDeclaration, Support
    from ecoute.models import Answer, AnswerChoice, Consultation, Response
    from evaluation.models import EvaluationPlan, Measurement
    from ideas.models import Idea, IdeaComment, IdeaSupport
    from incubator.models import Application, ApplicationScore
    from projects.models import Deployment, GateReview, Project

    tables: list[type[models.Model]] = [
        User,
        Project,
        GateReview,
        Deployment,
        Idea,
        IdeaSupport,
        IdeaComment,
        Initiative,
        Support,
        Comment,
        InterestDeclaration,
        Consultation,
        Response,
        Answer,
        AnswerChoice,
        EvaluationPlan,
        Measurement,
        Notification,
        Application,
        ApplicationScore,
    ]
    return {model._meta.label: model.objects.count() for model in tables}


def _raw_delete(queryset: models.QuerySet) -> int:
    """DELETE without loading the rows (the biggest tables, whose children are gone)."""
    return queryset._raw_delete(queryset.db)


def _thread_delete(queryset: models.QuerySet) -> None:
    """Comments whose replies are PROTECTed: detach the replies, then delete them all."""
    queryset.filter(parent__isnull=False).update(parent=None)
    queryset.delete()


def _project_evidence_delete(projects: models.QuerySet) -> None:
    """What a project's deletion no longer cascades into (its histories, reviews, reports and
    evaluation evidence): only ever for the seed's own projects."""
    from evaluation.models import (
        EcologicalRating,
        Effect,
        EffectChange,
        ImpactReport,
        Judgement,
        ManagementResponse,
        Measurement,
        PlanVersion,
        Recommendation,
        SurveyWaveResponse,
        Testimony,
    )
    from projects.models import DeploymentChange, GateReview, StageChange, StatusReport

    for queryset in (
        StageChange.objects.filter(project__in=projects),
        GateReview.objects.filter(project__in=projects),
        StatusReport.objects.filter(project__in=projects),
        DeploymentChange.objects.filter(deployment__project__in=projects),
        Measurement.objects.filter(indicator__project__in=projects),
        PlanVersion.objects.filter(plan__project__in=projects),
        SurveyWaveResponse.objects.filter(wave__survey__project__in=projects),
        EffectChange.objects.filter(effect__project__in=projects),
        ManagementResponse.objects.filter(recommendation__project__in=projects),
        *(
            model.objects.filter(project__in=projects)
            for model in (
                Judgement,
                EcologicalRating,
                Testimony,
                Effect,
                ImpactReport,
                Recommendation,
            )
        ),
    ):
        queryset.delete()


def _incubator_delete() -> None:
    """The seed's calls and everything under them (PROTECTed), then their application forms."""
    from ecoute.models import Consultation
    from incubator.models import (
        Application,
        ApplicationScore,
        Call,
        CallCriterion,
        Cohort,
        Milestone,
    )

    calls = Call.objects.filter(title__startswith=incubator.TITLE_PREFIX)
    forms = list(calls.values_list("consultation", flat=True))
    ApplicationScore.objects.filter(application__call__in=calls).delete()
    Application.objects.filter(call__in=calls).delete()
    Milestone.objects.filter(cohort__call__in=calls).delete()
    Cohort.objects.filter(call__in=calls).delete()
    CallCriterion.objects.filter(call__in=calls).delete()
    calls.delete()
    Consultation.objects.filter(pk__in=forms).delete()


@transaction.atomic
def reset(log: Callable[[str], None] = print) -> None:
    """Delete every row the seed wrote, children first."""
    from caflab.accounts.models import User
    from caflab.network.models import Partner
    from caflab.notifications.models import Notification
    from criees.models import (
        Comment,
        Criee,
        Initiative,
        InitiativeStatusChange,
        InterestDeclaration,
        Pitch,
    )
    from ecoute.models import (
        Answer,
        AnswerChoice,
        Consultation,
        Contribution,
        ContributionComment,
        OfficialAnswer,
        Response,
    )
    from ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport
    from projects.models import Project

    national = {"email__endswith": DOMAIN}
    consultations = Consultation.objects.filter(slug__startswith=ecoute.SLUG_PREFIX)
    responses = Response.objects.filter(questionnaire__consultation__in=consultations)
    answers = Answer.objects.filter(response__in=responses)
    ideas = Idea.objects.filter(author__email__endswith=DOMAIN)
    notified = Notification.objects.filter(recipient__email__endswith=DOMAIN)
    initiatives = Initiative.objects.filter(title__startswith=criees.TITLE_PREFIX)
    partners = Partner.objects.filter(name__startswith=accounts.PARTNER_PREFIX)
    national_projects = Project.objects.filter(lead__email__endswith=DOMAIN)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("incubateur", _incubator_delete),
        (
            "notifications",
            lambda: _raw_delete(notified),
        ),
        ("choix", lambda: _raw_delete(AnswerChoice.objects.filter(answer__in=answers))),
        ("réponses", lambda: _raw_delete(answers)),
        ("répondants", lambda: _raw_delete(responses)),
        # Evidence is PROTECTed from cascades (issue 20): the seed's own goes first, explicitly.
        (
            "contributions",
            lambda: (
                OfficialAnswer.objects.filter(
                    contribution__consultation__in=consultations
                ).delete(),
                _thread_delete(
                    ContributionComment.objects.filter(contribution__consultation__in=consultations)
                ),
                Contribution.objects.filter(consultation__in=consultations).delete(),
            ),
        ),
        ("consultations", lambda: consultations.delete()),
        (
            "passages en criée",
            lambda: Pitch.objects.filter(
                models.Q(criee__title__startswith=criees.CRIEE_PREFIX)
                | models.Q(initiative__in=initiatives)
            ).delete(),
        ),
        ("criées", lambda: Criee.objects.filter(title__startswith=criees.CRIEE_PREFIX).delete()),
        (
            "suivi des initiatives",
            lambda: (
                _raw_delete(InitiativeStatusChange.objects.filter(initiative__in=initiatives)),
                _thread_delete(Comment.objects.filter(initiative__in=initiatives)),
                InterestDeclaration.objects.filter(initiative__in=initiatives).delete(),
            ),
        ),
        (
            "initiatives",
            lambda: initiatives.delete(),
        ),
        ("soutiens", lambda: _raw_delete(IdeaSupport.objects.filter(idea__in=ideas))),
        ("commentaires", lambda: _raw_delete(IdeaComment.objects.filter(idea__in=ideas))),
        ("suivi des idées", lambda: _raw_delete(IdeaStatusChange.objects.filter(idea__in=ideas))),
        ("idées fusionnées", lambda: ideas.filter(merged_into__isnull=False).delete()),
        ("idées", lambda: ideas.delete()),
        ("suivi des projets", lambda: _project_evidence_delete(national_projects)),
        ("projets", lambda: national_projects.delete()),
        ("comptes", lambda: User.objects.filter(**national).delete()),
        (
            "partenaires",
            lambda: partners.delete(),
        ),
    ]
    for name, delete in steps:
        started = time.perf_counter()
        delete()
        log(f"  supprimé : {name} ({time.perf_counter() - started:.1f} s)")
