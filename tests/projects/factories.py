import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caflab.network.models import Caf
from projects.models import (
    BlockerLever,
    Deployment,
    GateReview,
    Project,
    Stage,
    StatusReport,
    TeamMember,
)
from tests.accounts.factories import UserFactory


class ProjectFactory(DjangoModelFactory):
    """A published (non-draft) project at the idea stage, led by a lab member, lead in the team."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"INNO-2026-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Projet d'innovation n°{n + 1}")
    problem = "Les familles renoncent à des droits faute d'information au bon moment."
    solution = "Un rendez-vous proactif proposé aux familles à chaque naissance."
    lead = factory.SubFactory(UserFactory, lab=True)
    stage = Stage.IDEA
    is_draft = False
    pilot_caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))

    @factory.post_generation
    def lead_in_team(self, create, extracted, **kwargs):
        if create:
            TeamMember.objects.get_or_create(
                project=self, user=self.lead, defaults={"role": TeamMember.Role.LEAD}
            )


class GateReviewFactory(DjangoModelFactory):
    class Meta:
        model = GateReview

    project = factory.SubFactory(ProjectFactory)
    from_stage = factory.LazyAttribute(lambda o: o.project.stage)
    to_stage = factory.LazyAttribute(lambda o: o.project.next_stage)
    requested_by = factory.LazyAttribute(lambda o: o.project.lead)
    motivation = "Le prototype a été testé avec douze allocataires."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=7))


class StatusReportFactory(DjangoModelFactory):
    class Meta:
        model = StatusReport

    project = factory.SubFactory(ProjectFactory)
    health = "green"
    summary = "Les ateliers avancent comme prévu."
    author = factory.LazyAttribute(lambda o: o.project.lead)


class BlockerLeverFactory(DjangoModelFactory):
    class Meta:
        model = BlockerLever

    project = factory.SubFactory(ProjectFactory)
    kind = BlockerLever.Kind.BLOCKER
    text = "Accès aux données de la Caf pilote à obtenir."
    owner = factory.LazyAttribute(lambda o: o.project.lead)


class DeploymentFactory(DjangoModelFactory):
    class Meta:
        model = Deployment

    project = factory.SubFactory(ProjectFactory, stage=Stage.ESSAIMAGE)
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="69"))
    status = Deployment.Status.INTERESTED


# --- ideas ---------------------------------------------------------------------------------


class IdeaFactory(DjangoModelFactory):
    """A submitted idea from the box, by an agent of Caf 38, for Caf 38."""

    class Meta:
        model = "projects.Idea"

    title = factory.Sequence(lambda n: f"Idée n°{n + 1}")
    problem = "Les allocataires ne comprennent pas les courriers de relance."
    solution = "Réécrire les courriers avec des usagers."
    author = factory.SubFactory(UserFactory)
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))


class IdeaSupportFactory(DjangoModelFactory):
    class Meta:
        model = "projects.IdeaSupport"

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)


class IdeaCommentFactory(DjangoModelFactory):
    class Meta:
        model = "projects.IdeaComment"

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    text = "Très bonne idée, nous avons le même problème à l'accueil."


# --- challenges and sessions ---------------------------------------------------------------


def _directorate():
    from caflab.network.models import Directorate

    return Directorate.objects.first()


class ChallengeFactory(DjangoModelFactory):
    """An open hackathon for the network's agents, its dates around today."""

    class Meta:
        model = "projects.Challenge"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Défi n°{n + 1}")
    kind = "hackathon"
    brief = "Comment simplifier la déclaration trimestrielle de ressources ?"
    sponsor = factory.LazyFunction(_directorate)
    audience = "agents"
    status = "open"
    submissions_open_on = factory.LazyFunction(
        lambda: timezone.localdate() - timezone.timedelta(days=10)
    )
    submissions_close_on = factory.LazyFunction(
        lambda: timezone.localdate() + timezone.timedelta(days=10)
    )
    judging_close_on = factory.LazyFunction(
        lambda: timezone.localdate() + timezone.timedelta(days=20)
    )
    results_on = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=25))
    created_by = factory.SubFactory(UserFactory, lab=True)

    @factory.post_generation
    def jury(self, create, extracted, **kwargs):
        if create and extracted:
            self.jury.set(extracted)


class ChallengeCriterionFactory(DjangoModelFactory):
    class Meta:
        model = "projects.GateCriterion"

    scorecard = "challenge"
    challenge = factory.SubFactory(ChallengeFactory)
    label = factory.Sequence(lambda n: f"Critère n°{n + 1}")
    weight = 1
    position = factory.Sequence(lambda n: n)


class ChallengeEntryFactory(DjangoModelFactory):
    class Meta:
        model = "projects.ChallengeEntry"
        skip_postgeneration_save = True

    challenge = factory.SubFactory(ChallengeFactory)
    title = factory.Sequence(lambda n: f"Contribution n°{n + 1}")
    summary = "Un formulaire prérempli à partir des données déjà connues de la Caf."
    team_name = factory.Sequence(lambda n: f"Équipe {n + 1}")
    submitted_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create:
            self.members.set([self.submitted_by, *(extracted or [])])


class EntryScoreFactory(DjangoModelFactory):
    class Meta:
        model = "projects.EntryScore"

    entry = factory.SubFactory(ChallengeEntryFactory)
    criterion = factory.SubFactory(
        ChallengeCriterionFactory, challenge=factory.SelfAttribute("..entry.challenge")
    )
    reviewer = factory.SubFactory(UserFactory, lab=True)
    score = 3


class SessionRequestFactory(DjangoModelFactory):
    """A creativity-session request by a member of the first directorate."""

    class Meta:
        model = "projects.SessionRequest"

    directorate = factory.LazyFunction(_directorate)
    requested_by = factory.SubFactory(
        UserFactory,
        role="directorate",
        caf=None,
        directorate=factory.SelfAttribute("..directorate"),
    )
    title = factory.Sequence(lambda n: f"Demande de séance n°{n + 1}")
    problem = "Les familles monoparentales décrochent de leurs démarches après une séparation."
    expected_participants = "10 agents, 4 allocataires"


class CreativitySessionFactory(DjangoModelFactory):
    class Meta:
        model = "projects.CreativitySession"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Séance de créativité n°{n + 1}")
    held_on = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))
    place = "Caf de l'Isère, salle du conseil"
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))
    method = "design_thinking"
    participants_agents = 12
    participants_citizens = 4

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.set(extracted)
