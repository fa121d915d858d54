"""Factories of the idea box, challenges and creativity sessions."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caflab.network.models import Caf
from tests.accounts.factories import UserFactory


class IdeaFactory(DjangoModelFactory):
    """A submitted idea from the box, by an agent of Caf 38, for Caf 38."""

    class Meta:
        model = "ideas.Idea"

    title = factory.Sequence(lambda n: f"Idée n°{n + 1}")
    problem = "Les allocataires ne comprennent pas les courriers de relance."
    solution = "Réécrire les courriers avec des usagers."
    author = factory.SubFactory(UserFactory)
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))


class IdeaSupportFactory(DjangoModelFactory):
    class Meta:
        model = "ideas.IdeaSupport"

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)


class IdeaCommentFactory(DjangoModelFactory):
    class Meta:
        model = "ideas.IdeaComment"

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
        model = "ideas.Challenge"
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
        model = "ideas.ChallengeEntry"
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
        model = "ideas.EntryScore"

    entry = factory.SubFactory(ChallengeEntryFactory)
    criterion = factory.SubFactory(
        ChallengeCriterionFactory, challenge=factory.SelfAttribute("..entry.challenge")
    )
    reviewer = factory.SubFactory(UserFactory, lab=True)
    score = 3


class SessionRequestFactory(DjangoModelFactory):
    """A creativity-session request by a member of the first directorate."""

    class Meta:
        model = "ideas.SessionRequest"

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
        model = "ideas.CreativitySession"
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
