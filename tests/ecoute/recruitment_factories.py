"""Factories for recruitment (écoute phase 2)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ecoute.models import EligibilityQuestion, Recruitment, Registration
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory


class RecruitmentFactory(DjangoModelFactory):
    """A workshop in Grenoble in ten days, 3 seats, registrations open now."""

    class Meta:
        model = Recruitment

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Atelier n°{n + 1}")
    description = "Tester le nouveau simulateur avec l'équipe du lab."
    kind = Recruitment.Kind.WORKSHOP
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "Caf de l'Isère, 3 rue des Alliés, Grenoble"
    seats = 3
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )
    registration_closes_at = factory.LazyAttribute(
        lambda o: o.starts_at - datetime.timedelta(days=1)
    )
    created_by = factory.SubFactory(UserFactory, lab=True)


def eligibility_question(recruitment: Recruitment, label: str = "Êtes-vous parent ?"):
    return EligibilityQuestion.objects.create(
        recruitment=recruitment, label=label, choices=["Oui", "Non"], accepted=["Oui"]
    )


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    recruitment = factory.SubFactory(RecruitmentFactory)
    name = factory.Sequence(lambda n: f"Participant {n + 1}")
    email = factory.Sequence(lambda n: f"participant{n + 1}@example.org")
    status = Registration.Status.CONFIRMED
