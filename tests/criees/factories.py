import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caflab.network.models import Caf
from criees.models import (
    Comment,
    Criee,
    Initiative,
    InitiativeMember,
    InterestDeclaration,
    InterestLevel,
    Pitch,
)
from tests.accounts.factories import UserFactory


class InitiativeFactory(DjangoModelFactory):
    """A published initiative of Caf A (Isère), its author leading its team."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Initiative locale n°{n + 1}")
    summary = "Un accueil sans rendez-vous repensé avec les usagers."
    problem = "Les files d'attente découragent les allocataires les plus fragiles."
    actions = "Un agent volant oriente chaque personne dès l'entrée."
    results = "Temps d'attente divisé par deux."
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))
    status = Initiative.Status.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Initiative.Status.PUBLISHED else None
    )
    created_by = factory.SubFactory(UserFactory, caf=factory.SelfAttribute("..caf"))

    @factory.post_generation
    def lead_in_team(self, create, extracted, **kwargs):
        if create and self.created_by:
            InitiativeMember.objects.get_or_create(
                initiative=self, user=self.created_by, defaults={"role": "lead"}
            )


class CrieeFactory(DjangoModelFactory):
    class Meta:
        model = Criee

    title = factory.Sequence(lambda n: f"Criée n°{n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    format = Criee.Format.ONLINE
    online_url = "https://visio.caf.example/criee"
    status = Criee.Status.OPEN


class PitchFactory(DjangoModelFactory):
    class Meta:
        model = Pitch

    criee = factory.SubFactory(CrieeFactory)
    initiative = factory.SubFactory(InitiativeFactory)
    status = Pitch.Status.SCHEDULED
    position = factory.Sequence(lambda n: n + 1)


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = InterestDeclaration

    initiative = factory.SubFactory(InitiativeFactory)
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="69"))
    level = InterestLevel.CURIOUS
    declared_by = factory.SubFactory(UserFactory, caf=factory.SelfAttribute("..caf"))
    contact_person = factory.SelfAttribute("declared_by")


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    initiative = factory.SubFactory(InitiativeFactory)
    author = factory.SubFactory(UserFactory)
    text = "Bravo, nous aimerions en savoir plus."
