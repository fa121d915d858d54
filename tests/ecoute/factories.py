import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ecoute.models import (
    Community,
    Consultation,
    EligibilityQuestion,
    Membership,
    Option,
    Question,
    Questionnaire,
    Recruitment,
    Registration,
    Restitution,
    Section,
)
from tests.accounts.factories import UserFactory


class ConsultationFactory(DjangoModelFactory):
    """An open public consultation for citizens, run by the lab, with its questionnaire and a
    first section (no question: add them with QuestionFactory)."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Consultation n°{n + 1}")
    slug = factory.Sequence(lambda n: f"consultation-{n + 1}")
    summary = "Votre avis sur l'accueil de la Caf."
    audience = Consultation.Audience.CITIZENS
    access = Consultation.Access.PUBLIC
    status = Consultation.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    privacy_purpose = "Améliorer l'accueil."
    privacy_contact = "dpo@caf.example"
    owner = factory.SubFactory(UserFactory, lab=True)

    @factory.post_generation
    def questionnaire(self, create, extracted, **kwargs):
        if create:
            questionnaire = Questionnaire.objects.create(consultation=self, title=self.title)
            Section.objects.create(questionnaire=questionnaire, title="Vos réponses", position=1)


def first_section(consultation: Consultation) -> Section:
    return consultation.questionnaire.sections.order_by("position", "pk").first()


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    title = factory.Sequence(lambda n: f"Section {n + 2}")
    position = factory.Sequence(lambda n: n + 2)


class QuestionFactory(DjangoModelFactory):
    """A short-text question in the section given (`section=`); `options=[...]` adds options."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    questionnaire = factory.LazyAttribute(lambda o: o.section.questionnaire)
    kind = Question.Kind.SHORT_TEXT
    label = factory.Sequence(lambda n: f"Question {n + 1}")
    position = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if create and extracted:
            for position, label in enumerate(extracted, start=1):
                Option.objects.create(question=self, label=label, position=position)


def scale_question(section: Section, **fields) -> Question:
    return QuestionFactory(
        section=section, kind=Question.Kind.SCALE, scale_min=1, scale_max=5, **fields
    )


def option(question: Question, label: str) -> Option:
    return question.options.get(label=label)


# --- contributions (phase 2) ----------------------------------------------------------------


class ContributionFactory(DjangoModelFactory):
    """A published contribution by a citizen (pass consultation=)."""

    class Meta:
        model = "ecoute.Contribution"

    title = factory.Sequence(lambda n: f"Idée n°{n + 1}")
    text = "Un rendez-vous en visio avec un conseiller, le soir."
    author = factory.SubFactory(UserFactory, citizen=True)
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class CommunityFactory(DjangoModelFactory):
    """A community on invitation, of no Caf unless given."""

    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Communauté n°{n + 1}")
    description = "Des parents qui imaginent avec la Caf les services qui les concernent."


class MembershipFactory(DjangoModelFactory):
    """An active member who consented now, to the community's current consent version."""

    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory, citizen=True)
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_version = factory.LazyAttribute(lambda o: o.community.consent_version)


# --- recruitment ------------------------------------------------------------------------------


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


class RestitutionFactory(DjangoModelFactory):
    """A published restitution (status and date written directly: its e-mails marked done)."""

    class Meta:
        model = Restitution

    consultation = factory.SubFactory(ConsultationFactory)
    synthesis = "Vous avez demandé un accueil sans attente."
    status = Restitution.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    emails_done_at = factory.LazyFunction(timezone.now)
