"""A questionnaire's answers as a table: one row per response, columns in questionnaire order,
one column per option for multiple choice and ranking, the "other, specify" text in its own
column, anonymous and assisted rows marked. Written by projects.exports' CSV and XLSX writers,
so every cell is formula-safe. Reusable by any owner of a questionnaire.
"""

import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.db.models import Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ecoute.models import Answer, Option, Question, Questionnaire, Response
from ecoute.plan import order_key
from projects.exports import write_csv, write_xlsx

Kind = Question.Kind
CHUNK_SIZE = 2000
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Column:
    header: str
    question: Question | None = None
    part: str = ""  # "value", "option", "rank" or "other"
    option: Option | None = None


FIXED_HEADERS = (
    lambda: _("N°"),
    lambda: _("Date"),
    lambda: _("Public"),
    lambda: _("Caf"),
    lambda: _("Anonyme"),
    lambda: _("Saisie assistée"),
)


def export_columns(questionnaire: Questionnaire) -> list[Column]:
    """The columns, in questionnaire order; hidden questions and options included (their
    earlier answers are data too)."""
    columns = [Column(header()) for header in FIXED_HEADERS]
    questions = sorted(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section")
        .prefetch_related("options"),
        key=order_key,
    )
    for number, question in enumerate(questions, start=1):
        title = f"Q{number}. {question.label}"
        if question.kind in (Kind.MULTIPLE_CHOICE, Kind.RANKING):
            part = "option" if question.kind == Kind.MULTIPLE_CHOICE else "rank"
            columns += [
                Column(f"{title} : {option.label}", question, part, option)
                for option in question.options.all()
            ]
        else:
            columns.append(Column(title, question, "value"))
        if question.allow_other:
            other = question.other_label or _("Autre")
            columns.append(Column(f"{title} : {other} (précisez)", question, "other"))
    return columns


def _number(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def _yes_no(flag: bool) -> str:
    return _("oui") if flag else _("non")


def _value_cell(question: Question, answer: Answer, options: dict[int, str]) -> Any:
    kind = question.kind
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        return answer.value_text
    if kind in (Kind.SCALE, Kind.NUMBER):
        return _number(answer.value_number)
    if kind == Kind.DATE:
        return answer.value_date
    if kind == Kind.CONSENT:
        return _yes_no(bool(answer.value_bool))
    if kind == Kind.SINGLE_CHOICE:
        chosen = [options[c.option_id] for c in answer.choices.all() if c.option_id in options]
        return chosen[0] if chosen else ""
    return ""


def _row(number: int, response: Response, columns: list[Column], labels: dict[int, str]) -> list:
    answers = {answer.question_id: answer for answer in response.answers.all()}
    row: list[Any] = [
        number,
        response.submitted_on,
        response.get_audience_display(),
        response.caf.name if response.caf else "",
        _yes_no(response.is_anonymous),
        _yes_no(response.is_assisted),
    ]
    for column in columns[len(FIXED_HEADERS) :]:
        answer = answers.get(column.question.pk)
        if answer is None:
            row.append("")
        elif column.part == "value":
            row.append(_value_cell(column.question, answer, labels))
        elif column.part == "other":
            row.append(answer.other_text)
        elif column.part == "option":
            row.append(int(any(c.option_id == column.option.pk for c in answer.choices.all())))
        else:  # rank
            ranks = [c.rank for c in answer.choices.all() if c.option_id == column.option.pk]
            row.append(ranks[0] if ranks else "")
    return row


def export_rows(
    questionnaire: Questionnaire,
    columns: list[Column],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[list[Any]]:
    """One row per response, read in chunks (3 queries per chunk, whatever its size). Responses
    come by day, then in random order within a day (their ids are random): the row order says
    nothing about when someone answered."""
    labels = {
        column.option.pk: column.option.label for column in columns if column.option is not None
    }
    labels.update(
        Option.objects.filter(question__questionnaire=questionnaire).values_list("pk", "label")
    )
    responses = (
        Response.objects.filter(questionnaire=questionnaire)
        .select_related("caf")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.prefetch_related("choices")))
        .order_by("submitted_on", "id")
    )
    for number, response in enumerate(responses.iterator(chunk_size=CHUNK_SIZE), start=1):
        yield _row(number, response, columns, labels)
        if on_progress and number % PROGRESS_EVERY == 0:
            on_progress(number)


def export_write(
    questionnaire: Questionnaire,
    fmt: str,
    stream: BinaryIO,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the whole export to `stream` as CSV (French Excel: `;`, UTF-8 with BOM) or XLSX,
    reading responses in chunks: memory stays flat for hundreds of thousands of answers.
    Returns the number of rows written."""
    columns = export_columns(questionnaire)
    header = [column.header for column in columns]
    rows = export_rows(questionnaire, columns, on_progress=on_progress)
    if fmt == "csv":
        return write_csv(stream, header, rows)
    if fmt == "xlsx":
        return write_xlsx(stream, header, rows, title=_("Réponses"))
    raise ValueError(f"Unknown export format {fmt!r}.")


def export_content(
    questionnaire: Questionnaire, fmt: str, *, on_progress: Callable[[int], None] | None = None
) -> bytes:
    """The whole export as bytes (for small questionnaires and tests)."""
    buffer = io.BytesIO()
    export_write(questionnaire, fmt, buffer, on_progress=on_progress)
    return buffer.getvalue()


def export_filename(questionnaire: Questionnaire, fmt: str, *, on: datetime.date) -> str:
    return f"reponses-{slugify(questionnaire.title)[:50] or questionnaire.pk}-{on:%Y-%m-%d}.{fmt}"
