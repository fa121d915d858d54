import pytest

from ecoute.models import Consultation
from tests.analysis.factories import analysis_of, answer_texts, open_question
from tests.ecoute.factories import ConsultationFactory

TEXTS = [
    "Il faut attendre des heures au téléphone avant de joindre un conseiller.",
    "Les courriers sont incompréhensibles, je ne comprends pas ce qu'on me demande.",
    "Un accueil sans rendez-vous le samedi matin serait très utile.",
    "Trop d'attente au téléphone, personne ne répond.",
    "Les courriers administratifs sont trop compliqués à comprendre.",
    "Appelez-moi au 06 12 34 56 78 pour en parler.",
]


@pytest.fixture
def consultation_a(correspondent_a, caf_a) -> Consultation:
    """A consultation of Caf A run by its correspondent, with a long-text question answered."""
    consultation = ConsultationFactory(owner=correspondent_a, caf=caf_a, title="Votre accueil")
    question = open_question(consultation)
    answer_texts(question, TEXTS, caf=caf_a)
    return consultation


@pytest.fixture
def analysis_a(consultation_a, correspondent_a):
    return analysis_of(consultation_a, correspondent_a)
