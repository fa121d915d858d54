"""Factories of the evaluation app's participation part (surveys, testimonies, effects,
judgements). The plans part has its own, in factories.py."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ecoute.models import Question
from evaluation.models import Effect, SurveyWave, Testimony
from evaluation.services.participation import survey_create
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import QuestionFactory
from tests.projects.factories import ProjectFactory


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
    class Meta:
        model = SurveyWave

    kind = SurveyWave.Kind.BEFORE
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    position = factory.Sequence(lambda n: n + 1)


class TestimonyFactory(DjangoModelFactory):
    class Meta:
        model = Testimony

    project = factory.SubFactory(ProjectFactory)
    text = "Le rendez-vous m'a permis de découvrir une aide que je ne connaissais pas."
    tone = Testimony.Tone.POSITIVE
    consent_to_quote = True


class EffectFactory(DjangoModelFactory):
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
