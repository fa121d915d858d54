"""A questionnaire as a respondent goes through it: its visible sections and questions in order,
read once (a fixed number of queries), and the steps the answers so far lead to.

Reusable by any owner of a questionnaire (a consultation, an evaluation survey): nothing here
knows who owns it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from ecoute.conditions import Answers, AnswerValue, condition_met, shown_questions
from ecoute.models import Option, Question, Questionnaire, Section


@dataclass
class Step:
    """One page of the questionnaire: a section and the questions it shows."""

    number: int  # 1-based, among the steps shown
    section: Section
    questions: list[Question]


def order_key(question: Question) -> tuple[int, int, int, int]:
    """Questionnaire order: section position, then question position (ids break ties)."""
    return (question.section.position, question.section_id, question.position, question.pk)


class Plan:
    """The visible structure of `questionnaire` (hidden sections, questions and options left
    out). Costs three queries: sections, questions, options."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.sections = list(questionnaire.sections.filter(is_hidden=False))
        visible_options = Prefetch("options", queryset=Option.objects.filter(is_hidden=False))
        questions = (
            Question.objects.filter(
                questionnaire=questionnaire, is_hidden=False, section__is_hidden=False
            )
            .select_related("section")
            .prefetch_related(visible_options)
        )
        self.questions = sorted(questions, key=order_key)
        self.by_id = {q.pk: q for q in self.questions}

    def steps(self, answers: Answers) -> list[Step]:
        """The sections that show at least one question, given the answers so far.

        A question whose condition depends on an earlier section is decided here, on the server:
        it is shown only if that answer meets the condition. One that depends on a question of
        its own section is shown (the browser hides it live; without JavaScript its hint says
        when to answer it) and its answer is dropped on submission if the condition is not met.
        """
        effective: dict[int, AnswerValue] = {}
        rendered: set[int] = set()
        by_section: dict[int, list[Question]] = {s.pk: [] for s in self.sections}
        for question in self.questions:
            source = self.by_id.get(question.condition_question_id or 0)
            same_section = source is not None and source.section_id == question.section_id
            if (same_section and source.pk in rendered) or condition_met(question, effective):
                rendered.add(question.pk)
                by_section[question.section_id].append(question)
                if question.pk in answers and condition_met(question, effective):
                    effective[question.pk] = answers[question.pk]
        steps = []
        for section in self.sections:
            if by_section[section.pk]:
                steps.append(Step(len(steps) + 1, section, by_section[section.pk]))
        return steps

    def shown(self, answers: Answers) -> list[Question]:
        return shown_questions(self.questions, answers)

    def missing(self, answers: Answers) -> list[Question]:
        """Required questions shown by these answers but left unanswered."""
        return [
            q
            for q in self.shown(answers)
            if q.is_required and (q.pk not in answers or answers[q.pk].is_empty)
        ]

    def keep_shown(self, answers: Answers) -> dict[int, AnswerValue]:
        """The answers to shown questions only, non-empty: what is stored."""
        return {
            q.pk: answers[q.pk]
            for q in self.shown(answers)
            if q.pk in answers and not answers[q.pk].is_empty
        }

    def step_of(self, question: Question, answers: Answers) -> int:
        for step in self.steps(answers):
            if question in step.questions:
                return step.number
        return 1


def questions_in_order(questions: Iterable[Question]) -> list[Question]:
    return sorted(questions, key=order_key)
