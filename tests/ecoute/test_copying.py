"""Copying a questionnaire into another (ecoute.services.copying): the events' satisfaction
template becomes each event's questionnaire, conditions and options remapped to the copies."""

import pytest

from ecoute.models import Question, Questionnaire, Section
from ecoute.services.copying import questionnaire_copy
from tests.ecoute.factories import QuestionFactory, option

pytestmark = pytest.mark.django_db


def test_a_copy_keeps_sections_questions_options_and_conditions_on_the_copies():
    source = Questionnaire.objects.create(title="Modèle")
    first = Section.objects.create(questionnaire=source, title="Avis", position=1)
    second = Section.objects.create(questionnaire=source, title="Suite", position=2, is_hidden=True)
    useful = QuestionFactory(
        section=first, kind=Question.Kind.SINGLE_CHOICE, label="Utile ?", options=["Oui", "Non"]
    )
    QuestionFactory(
        section=second,
        kind=Question.Kind.LONG_TEXT,
        label="Pourquoi pas ?",
        condition_question=useful,
        condition_operator=Question.Operator.EQUALS,
        condition_option=option(useful, "Non"),
    )
    target = Questionnaire.objects.create(title="Copie")
    Section.objects.create(questionnaire=target, title="Vide", position=1)

    copies = questionnaire_copy(source=source, target=target)

    assert [s.title for s in target.sections.order_by("position")] == ["Avis", "Suite"]
    assert target.sections.get(title="Suite").is_hidden
    why = target.questions.get(label="Pourquoi pas ?")
    assert why.pk == copies[source.questions.get(label="Pourquoi pas ?").pk].pk
    assert why.condition_question.questionnaire_id == target.pk
    assert why.condition_question.label == "Utile ?"
    assert why.condition_option.label == "Non"
    assert why.condition_option.question_id == why.condition_question_id
    assert why.section.questionnaire_id == target.pk
    # The source is untouched.
    assert source.questions.count() == 2
    assert source.questions.get(label="Pourquoi pas ?").condition_question_id == useful.pk
