"""Test data for the analysis of texts: a consultation with open answers (bulk-created, as the
answering flow would leave them), its analysis built through the real service, codes."""

import uuid
from collections.abc import Sequence

import factory
from factory.django import DjangoModelFactory

from analysis.models import Analysis, Code
from analysis.services import analysis_create
from ecoute.models import Answer, Audience, Consultation, Question, Response
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section


def open_question(
    consultation: Consultation, label: str = "Que devrions-nous améliorer ?"
) -> Question:
    return QuestionFactory(
        section=first_section(consultation), kind=Question.Kind.LONG_TEXT, label=label
    )


def answer_texts(
    question: Question,
    texts: Sequence[str],
    *,
    audience: str = Audience.CITIZEN,
    caf=None,
    anonymous: bool = True,
) -> list[Answer]:
    """One anonymous response per text, answering `question` with it."""
    responses = [
        Response(
            id=uuid.uuid4(),
            questionnaire=question.questionnaire,
            is_anonymous=anonymous,
            audience=audience,
            caf=caf,
        )
        for _ in texts
    ]
    Response.objects.bulk_create(responses)
    answers = [
        Answer(question=question, value_text=text).copy_response_columns(response)
        for response, text in zip(responses, texts, strict=True)
    ]
    return Answer.objects.bulk_create(answers, batch_size=2000)


def consultation_with_answers(texts: Sequence[str], **fields) -> tuple[Consultation, Question]:
    consultation = ConsultationFactory(**fields)
    question = open_question(consultation)
    answer_texts(question, texts)
    return consultation, question


def analysis_of(consultation: Consultation, by) -> Analysis:
    return analysis_create(consultation=consultation, by=by)


class CodeFactory(DjangoModelFactory):
    class Meta:
        model = Code

    label = factory.Sequence(lambda n: f"Code {n + 1}")
    definition = "Ce que dit le texte."
    position = factory.Sequence(lambda n: n + 1)
