"""The questionnaire builder: sections and questions added, ordered, hidden; conditions placed
after their source; and once answers exist, a question keeps its meaning."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ecoute.conditions import AnswerValue
from ecoute.models import Audience, Option, Question
from ecoute.services import (
    OptionSpec,
    question_delete,
    question_move,
    question_save,
    question_toggle,
    response_submit,
    section_add,
    section_delete,
    section_move,
)
from tests.ecoute.factories import QuestionFactory, first_section, option, scale_question

pytestmark = pytest.mark.django_db

FROZEN = "Des réponses ont déjà été reçues"


@pytest.fixture
def choice(consultation) -> Question:
    return consultation.questionnaire.questions.get(kind=Question.Kind.SINGLE_CHOICE)


@pytest.fixture
def answered(consultation, choice, citizen):
    response_submit(
        questionnaire=consultation.questionnaire,
        answers={choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,))},
        audience=Audience.CITIZEN,
        respondent=citizen,
    )
    return consultation


def specs(question: Question) -> list[OptionSpec]:
    return [OptionSpec(label=o.label, pk=o.pk) for o in question.options.all()]


# --- adding and editing ----------------------------------------------------------------------


def test_a_new_question_goes_at_the_end_of_its_section_with_its_options(consultation):
    section = first_section(consultation)
    question = question_save(
        question=Question(
            questionnaire=consultation.questionnaire,
            section=section,
            kind=Question.Kind.MULTIPLE_CHOICE,
            label="Par quels moyens nous contactez-vous ?",
            max_choices=2,
            allow_other=True,
        ),
        options=[OptionSpec("Téléphone"), OptionSpec("Courriel"), OptionSpec("Accueil")],
    )
    assert list(section.questions.order_by("position"))[-1] == question
    assert [o.label for o in question.options.all()] == ["Téléphone", "Courriel", "Accueil"]


def test_a_choice_question_needs_two_options_and_distinct_labels(consultation):
    new = Question(
        questionnaire=consultation.questionnaire,
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        label="?",
    )
    with pytest.raises(ValidationError, match="au moins deux"):
        question_save(question=new, options=[OptionSpec("Seule")])
    with pytest.raises(ValidationError, match="même libellé"):
        question_save(question=new, options=[OptionSpec("Oui"), OptionSpec("oui")])


def test_a_scale_goes_from_0_to_10_at_most(consultation):
    new = Question(
        questionnaire=consultation.questionnaire,
        section=first_section(consultation),
        kind=Question.Kind.SCALE,
        label="Note ?",
        scale_min=0,
        scale_max=11,
    )
    with pytest.raises(ValidationError, match="0 à 10"):
        question_save(question=new)


def test_before_any_answer_the_kind_and_options_can_change(consultation, choice):
    choice.kind = Question.Kind.MULTIPLE_CHOICE
    options = specs(choice)
    options[0].label = "Oui, tout à fait"
    options[1].delete = True
    question_save(question=choice, options=[*options, OptionSpec("Non, pas du tout")])
    choice.refresh_from_db()
    assert choice.kind == Question.Kind.MULTIPLE_CHOICE
    assert [o.label for o in choice.options.all()] == ["Oui, tout à fait", "Non, pas du tout"]


# --- meaning frozen once answered --------------------------------------------------------------


def test_once_answered_the_kind_of_a_question_cannot_change(answered, choice):
    choice.kind = Question.Kind.MULTIPLE_CHOICE
    with pytest.raises(ValidationError, match=f"{FROZEN}\u00a0: le type de la question"):
        question_save(question=choice, options=specs(choice))


def test_once_answered_an_option_label_cannot_change(answered, choice):
    options = specs(choice)
    options[1].label = "Oui aussi"
    with pytest.raises(ValidationError, match="le libellé de l’option «\u00a0Non\u00a0»"):
        question_save(question=choice, options=options)
    assert option(choice, "Non")


def test_once_answered_an_option_cannot_be_deleted_but_can_be_hidden(answered, choice):
    options = specs(choice)
    options[1].delete = True
    with pytest.raises(ValidationError, match="masquez l’option «\u00a0Non\u00a0»"):
        question_save(question=choice, options=options)
    options[1].delete = False
    options[1].is_hidden = True
    question_save(question=choice, options=[*options, OptionSpec("Sans avis")])
    assert list(choice.options.values_list("label", "is_hidden")) == [
        ("Oui", False),
        ("Non", True),
        ("Sans avis", False),
    ]


def test_once_answered_a_scale_and_its_end_labels_are_frozen(consultation, citizen):
    scale = scale_question(first_section(consultation), scale_max_label="Très satisfait")
    choice = consultation.questionnaire.questions.get(kind=Question.Kind.SINGLE_CHOICE)
    response_submit(
        questionnaire=consultation.questionnaire,
        answers={
            choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,)),
            scale.pk: AnswerValue(number=4),
        },
        audience=Audience.CITIZEN,
        respondent=citizen,
    )
    scale.scale_max = 10
    with pytest.raises(ValidationError, match="le maximum de l’échelle"):
        question_save(question=scale)
    scale.refresh_from_db()
    scale.scale_max_label = "Pas du tout satisfait"
    with pytest.raises(ValidationError, match="le libellé du maximum"):
        question_save(question=scale)


def test_once_answered_questions_can_be_added_and_hidden_but_not_deleted(answered, choice):
    question = question_save(
        question=Question(
            questionnaire=answered.questionnaire,
            section=first_section(answered),
            kind=Question.Kind.SHORT_TEXT,
            label="Une question de plus",
        )
    )
    assert question.pk
    question_toggle(question=choice)
    choice.refresh_from_db()
    assert choice.is_hidden
    with pytest.raises(ValidationError, match="masquez cette question plutôt"):
        question_delete(question=question)


def test_the_wording_of_an_answered_question_may_still_be_corrected(answered, choice):
    choice.label = "Êtes-vous satisfaite ou satisfait de l'accueil ?"
    question_save(question=choice, options=specs(choice))
    choice.refresh_from_db()
    assert choice.label.startswith("Êtes-vous satisfaite")


def test_the_edit_page_disables_the_frozen_fields_and_says_why(client, lab_staff, answered, choice):
    client.force_login(lab_staff)
    url = reverse("ecoute:question-update", kwargs={"pk": choice.pk})
    html = client.get(url).content.decode()
    assert "le sens de la question ne peut plus changer" in html
    assert "Libellé figé\u00a0: des réponses ont été reçues." in html
    # a tampered POST cannot change the kind: the disabled field keeps its value
    response = client.post(
        url,
        {
            "kind": "long_text",
            "section": choice.section_id,
            "label": choice.label,
            "display": "buttons",
            "other_label": "Autre",
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "2",
            "options-0-pk": option(choice, "Oui").pk,
            "options-0-label": "Changé",
            "options-0-ORDER": "1",
            "options-1-pk": option(choice, "Non").pk,
            "options-1-ORDER": "2",
        },
    )
    assert response.status_code == 302
    choice.refresh_from_db()
    assert choice.kind == Question.Kind.SINGLE_CHOICE
    assert [o.label for o in choice.options.all()] == ["Oui", "Non"]


# --- order, sections and conditions ----------------------------------------------------------


def test_questions_and_sections_move_up_and_down(consultation, choice):
    text = consultation.questionnaire.questions.get(kind=Question.Kind.LONG_TEXT)
    assert question_move(question=text, direction="up")
    assert list(first_section(consultation).questions.order_by("position")) == [text, choice]
    assert not question_move(question=text, direction="up")  # already first
    second = section_add(questionnaire=consultation.questionnaire, title="Vous")
    assert section_move(section=second, direction="up")
    assert consultation.questionnaire.sections.order_by("position").first() == second


def test_a_condition_must_come_after_the_question_it_depends_on(consultation, choice):
    text = consultation.questionnaire.questions.get(kind=Question.Kind.LONG_TEXT)
    text.condition_question = choice
    text.condition_operator = Question.Operator.EQUALS
    text.condition_option = option(choice, "Non")
    question_save(question=text)
    with pytest.raises(ValidationError, match="doit rester visible et placée avant"):
        question_move(question=text, direction="up")
    with pytest.raises(ValidationError, match="doit rester visible"):
        question_toggle(question=choice)
    with pytest.raises(ValidationError, match="dépend de celle-ci"):
        question_delete(question=choice)


def test_a_condition_on_a_choice_names_one_of_its_options(consultation, choice):
    text = consultation.questionnaire.questions.get(kind=Question.Kind.LONG_TEXT)
    other = QuestionFactory(
        section=first_section(consultation), kind=Question.Kind.SINGLE_CHOICE, options=["A", "B"]
    )
    text.condition_question = choice
    text.condition_operator = Question.Operator.EQUALS
    text.condition_option = option(other, "A")
    with pytest.raises(ValidationError):
        question_save(question=text)


def test_a_section_with_answered_questions_cannot_be_deleted(answered):
    section = first_section(answered)
    section_add(questionnaire=answered.questionnaire, title="Autre")
    with pytest.raises(ValidationError, match="masquez cette section"):
        section_delete(section=section)


def test_an_empty_questionnaire_keeps_at_least_one_section(consultation):
    questionnaire = consultation.questionnaire
    section = first_section(consultation)
    Option.objects.filter(question__questionnaire=questionnaire).delete()
    questionnaire.questions.all().delete()
    with pytest.raises(ValidationError, match="au moins une section"):
        section_delete(section=section)


# --- the builder's pages -------------------------------------------------------------------


def test_staff_add_a_conditional_question_through_the_pages(
    client, lab_staff, consultation, choice
):
    client.force_login(lab_staff)
    section = first_section(consultation)
    url = reverse("ecoute:question-create", kwargs={"pk": section.pk})
    assert "Type de question" in client.get(url).content.decode()
    response = client.post(
        f"{url}?type=long_text",
        {
            "kind": "long_text",
            "section": section.pk,
            "label": "Pourquoi ?",
            "is_required": "on",
            "condition_question": choice.pk,
            "condition_operator": "equals",
            "condition_option": option(choice, "Non").pk,
        },
    )
    assert response.status_code == 302
    question = consultation.questionnaire.questions.get(label="Pourquoi ?")
    assert question.condition_option == option(choice, "Non")
    builder = client.get(reverse("ecoute:builder", kwargs={"pk": consultation.pk}))
    assert "Affichée seulement si" in builder.content.decode()


def test_the_builder_explains_a_refused_move(client, lab_staff, consultation, choice):
    text = consultation.questionnaire.questions.get(kind=Question.Kind.LONG_TEXT)
    text.condition_question = choice
    text.condition_operator = Question.Operator.ANSWERED
    question_save(question=text)
    client.force_login(lab_staff)
    response = client.post(
        reverse("ecoute:question-move", kwargs={"pk": text.pk}), {"direction": "up"}, follow=True
    )
    assert "doit rester visible et placée avant elle" in response.content.decode()
