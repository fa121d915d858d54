"""Écoute fixtures: consultations in each access and status (the personas are in
tests/conftest.py); export files go to a temporary private root."""

import pytest

from ecoute.models import Consultation, Question
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def consultation(lab_staff):
    """Open, public, for citizens, named answers; one required single-choice question and an
    optional long text."""
    consultation = ConsultationFactory(title="Votre accueil à la Caf", owner=lab_staff)
    section = first_section(consultation)
    QuestionFactory(
        section=section,
        kind=Question.Kind.SINGLE_CHOICE,
        label="Êtes-vous satisfait de l'accueil ?",
        is_required=True,
        options=["Oui", "Non"],
    )
    QuestionFactory(section=section, kind=Question.Kind.LONG_TEXT, label="Un commentaire ?")
    return consultation


@pytest.fixture
def anonymous_consultation(lab_staff):
    consultation = ConsultationFactory(
        title="Le site caf.fr", slug="site-caf", owner=lab_staff, allow_anonymous=True
    )
    QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        label="Trouvez-vous facilement l'information ?",
        is_required=True,
        options=["Oui", "Non"],
    )
    return consultation


@pytest.fixture
def agents_consultation(lab_staff):
    consultation = ConsultationFactory(
        title="Le télétravail",
        slug="teletravail",
        owner=lab_staff,
        audience=Consultation.Audience.AGENTS,
        access=Consultation.Access.AGENTS,
    )
    QuestionFactory(section=first_section(consultation), label="Votre avis ?", is_required=True)
    return consultation


@pytest.fixture
def draft_a(correspondent_a, caf_a):
    """A draft of Caf A, owned by its correspondent."""
    return ConsultationFactory(
        title="Brouillon de l'Isère",
        slug="brouillon-isere",
        owner=correspondent_a,
        caf=caf_a,
        status=Consultation.Status.DRAFT,
    )
