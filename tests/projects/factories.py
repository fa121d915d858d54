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
