"""What a respondent answered, in memory, and which questions their answers show.

`AnswerValue` is one question's answer before it is stored (a form's cleaned data, the draft
kept in the session between sections); `shown_questions` applies the conditional display rules
in questionnaire order: a question whose condition is not met is skipped, and so are the
questions that depend on it. The same rules run in the browser (static/js/ecoute-conditions.js)
to hide and show questions live; the server's decision is the one that counts.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ecoute.models import Question

Operator = Question.Operator


@dataclass(frozen=True)
class AnswerValue:
    text: str = ""
    number: Decimal | None = None
    date: datetime.date | None = None
    flag: bool | None = None  # consent: True when given
    choices: tuple[int, ...] = ()  # option ids, in the options' order
    ranks: dict[int, int] = field(default_factory=dict)  # option id → rank (1 = first)
    other: str = ""  # "other, specify"

    @property
    def is_empty(self) -> bool:
        return not (
            self.text
            or self.number is not None
            or self.date is not None
            or self.flag
            or self.choices
            or self.ranks
            or self.other
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict for the session draft (only what is set)."""
        data: dict[str, Any] = {}
        if self.text:
            data["text"] = self.text
        if self.number is not None:
            data["number"] = str(self.number)
        if self.date is not None:
            data["date"] = self.date.isoformat()
        if self.flag is not None:
            data["flag"] = self.flag
        if self.choices:
            data["choices"] = list(self.choices)
        if self.ranks:
            data["ranks"] = {str(k): v for k, v in self.ranks.items()}
        if self.other:
            data["other"] = self.other
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AnswerValue":
        return cls(
            text=str(data.get("text", "")),
            number=Decimal(data["number"]) if data.get("number") is not None else None,
            date=datetime.date.fromisoformat(data["date"]) if data.get("date") else None,
            flag=data.get("flag"),
            choices=tuple(int(c) for c in data.get("choices", ())),
            ranks={int(k): int(v) for k, v in data.get("ranks", {}).items()},
            other=str(data.get("other", "")),
        )


Answers = Mapping[int, AnswerValue]


def answers_to_json(answers: Answers) -> dict[str, Any]:
    return {str(pk): value.to_json() for pk, value in answers.items()}


def answers_from_json(data: Mapping[str, Any]) -> dict[int, AnswerValue]:
    return {int(pk): AnswerValue.from_json(value) for pk, value in data.items()}


def _casefold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _equals(value: AnswerValue, expected: str) -> bool:
    if value.number is not None:
        try:
            return value.number == Decimal(expected.replace(",", "."))
        except InvalidOperation:
            return False
    if value.date is not None:
        return value.date.isoformat() == expected.strip()
    if value.flag is not None:
        return value.flag == (expected.strip().casefold() in ("1", "oui", "vrai", "true"))
    return _casefold(value.text or value.other) == _casefold(expected)


def condition_met(question: Question, answers: Answers) -> bool:
    """Whether `question` is shown, given the answers to the questions before it."""
    if question.condition_question_id is None:
        return True
    value = answers.get(question.condition_question_id)
    if value is None or value.is_empty:
        return False
    operator = question.condition_operator
    if operator == Operator.ANSWERED:
        return True
    if question.condition_option_id is not None:
        chosen = set(value.choices) | set(value.ranks)
        if operator == Operator.EQUALS:
            return chosen == {question.condition_option_id}
        return question.condition_option_id in chosen
    if operator == Operator.EQUALS:
        return _equals(value, question.condition_value)
    # CONTAINS, on text
    needle = _casefold(question.condition_value)
    return bool(needle) and needle in _casefold(f"{value.text} {value.other}")


def shown_questions(questions: Iterable[Question], answers: Answers) -> list[Question]:
    """The questions shown, in order: those whose condition the answers meet. A skipped
    question's answer does not count, so questions depending on it are skipped too."""
    effective: dict[int, AnswerValue] = {}
    shown = []
    for question in questions:
        if not condition_met(question, effective):
            continue
        shown.append(question)
        if question.pk in answers:
            effective[question.pk] = answers[question.pk]
    return shown
