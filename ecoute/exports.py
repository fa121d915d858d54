"""A questionnaire's answers as a table: one row per response, columns in questionnaire order,
one column per option for multiple choice and ranking, the "other, specify" text in its own
column, anonymous and assisted rows marked. Written by the core's CSV writer
(caflab.core.spreadsheets) or the XlsxWriter one below, so every cell is formula-safe and every
text cleaned of what XML cannot hold (U+FFFF, control characters, lone surrogates:
caflab.core.tabular). Reusable by any owner of a questionnaire.
"""

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caflab.core.spreadsheets import write_csv
from caflab.core.tabular import is_formula_like, xlsx_text
from ecoute.models import Answer, AnswerChoice, Option, Question, Questionnaire, Response
from ecoute.plan import order_key

Kind = Question.Kind
CHUNK_SIZE = 5000
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


AUDIENCE_LABELS = Response._meta.get_field("audience").flatchoices


def _answer_cells(
    columns: list[Column],
) -> tuple[dict[int, Question], dict[int, int], dict[int, int], dict[int, dict[int, int]]]:
    """Where each question's cells sit in a row: its value column, its "other" column, its
    option columns (multiple choice and ranking)."""
    questions: dict[int, Question] = {}
    value_at: dict[int, int] = {}
    other_at: dict[int, int] = {}
    option_at: dict[int, dict[int, int]] = {}
    for index, column in enumerate(columns):
        if column.question is None:
            continue
        questions[column.question.pk] = column.question
        if column.part == "value":
            value_at[column.question.pk] = index
        elif column.part == "other":
            other_at[column.question.pk] = index
        else:
            option_at.setdefault(column.question.pk, {})[column.option.pk] = index
    return questions, value_at, other_at, option_at


def export_rows(
    questionnaire: Questionnaire,
    columns: list[Column],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[list[Any]]:
    """One row per response. Three streams from server-side cursors, as plain tuples, all in
    the responses' order: the responses, their answers (by the answers' own questionnaire
    column) and the options chosen; merged here a response at a time, so memory stays flat
    whatever the number of rows (three queries in all). Responses come by day, then in random
    order within a day (their ids are random): the row order says nothing about when someone
    answered."""
    labels = dict(
        Option.objects.filter(question__questionnaire=questionnaire).values_list("pk", "label")
    )
    audiences = {value: str(label) for value, label in AUDIENCE_LABELS}
    yes, no = _yes_no(True), _yes_no(False)
    questions, value_at, other_at, option_at = _answer_cells(columns)
    width = len(columns)
    choices = _stream(
        AnswerChoice.objects.filter(answer__questionnaire=questionnaire)
        .order_by("answer__response__submitted_on", "answer__response_id", "answer_id", "id")
        .values_list(
            "answer__response__submitted_on",
            "answer__response_id",
            "answer_id",
            "option_id",
            "rank",
        )
    )
    answers = _stream(
        Answer.objects.filter(questionnaire=questionnaire)
        .order_by("response__submitted_on", "response_id", "id")
        .values_list(
            "response__submitted_on",
            "response_id",
            "id",
            "question_id",
            "value_text",
            "value_number",
            "value_date",
            "value_bool",
            "other_text",
        )
    )
    responses = (
        Response.objects.filter(questionnaire=questionnaire)
        .order_by("submitted_on", "id")
        .values_list("submitted_on", "id", "audience", "caf__name", "is_anonymous", "is_assisted")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for number, (day, response_id, audience, caf, anonymous, assisted) in enumerate(
        responses, start=1
    ):
        key = (day, response_id)
        # Answers and choices of responses not in this stream (submitted meanwhile) are skipped.
        own_choices: dict[int, list[tuple[int, int | None]]] = {}
        for _day, _response, answer_id, option_id, rank in choices.take(key):
            own_choices.setdefault(answer_id, []).append((option_id, rank))
        row: list[Any] = [""] * width
        row[:6] = [
            number,
            day,
            audiences.get(audience, audience),
            caf or "",
            yes if anonymous else no,
            yes if assisted else no,
        ]
        for answer in answers.take(key):
            _fill(row, answer[2:], questions, value_at, other_at, option_at, own_choices, labels)
        yield row
        if on_progress and number % PROGRESS_EVERY == 0:
            on_progress(number)


class _stream:
    """Rows of a query ordered by (day, response id), taken a response at a time."""

    def __init__(self, queryset: Any) -> None:
        self.rows = queryset.iterator(chunk_size=CHUNK_SIZE)
        self.head: tuple | None = next(self.rows, None)

    def take(self, key: tuple) -> Iterator[tuple]:
        while self.head is not None and self.head[:2] < key:
            self.head = next(self.rows, None)  # an orphan: its response came after the read
        while self.head is not None and self.head[:2] == key:
            yield self.head
            self.head = next(self.rows, None)


def _fill(
    row: list[Any],
    answer: tuple,
    questions: dict[int, Question],
    value_at: dict[int, int],
    other_at: dict[int, int],
    option_at: dict[int, dict[int, int]],
    choices: dict[int, list[tuple[int, int | None]]],
    labels: dict[int, str],
) -> None:
    """Write one answer's cells into `row`."""
    answer_id, question_id, text, number, date, flag, other = answer
    question = questions.get(question_id)
    if question is None:
        return
    kind = question.kind
    if question_id in other_at:
        row[other_at[question_id]] = other
    if kind in (Kind.MULTIPLE_CHOICE, Kind.RANKING):
        at = option_at.get(question_id, {})
        chosen = {option_id: rank for option_id, rank in choices.get(answer_id, ())}
        for option_id, index in at.items():
            if kind == Kind.MULTIPLE_CHOICE:
                row[index] = int(option_id in chosen)
            else:
                rank = chosen.get(option_id)
                row[index] = "" if rank is None else rank
        return
    index = value_at.get(question_id)
    if index is None:
        return
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        row[index] = text
    elif kind in (Kind.SCALE, Kind.NUMBER):
        row[index] = _number(number)
    elif kind == Kind.DATE:
        row[index] = date
    elif kind == Kind.CONSENT:
        row[index] = _yes_no(bool(flag))
    elif kind == Kind.SINGLE_CHOICE:
        picked = [labels[o] for o, _rank in choices.get(answer_id, ()) if o in labels]
        row[index] = picked[0] if picked else ""


def write_xlsx_rows(
    stream: BinaryIO, header: list[str], rows: Iterable[list[Any]], *, title: str
) -> int:
    """The same workbook as caflab.core.spreadsheets.write_xlsx (a bold header, formula-like text
    stored as quote-prefixed text, dates as dates), written with XlsxWriter in constant-memory
    mode: each row goes to the file as soon as the next one starts, so memory stays flat, and at
    about twice openpyxl's speed (100,000 responses × 31 columns: see README, "National scale")."""
    workbook = xlsxwriter.Workbook(
        stream,
        {
            "constant_memory": True,
            "in_memory": False,
            # Text stays text: never read "=…" as a formula, "http…" as a link or "12" as a number.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    quoted = workbook.add_format({"quote_prefix": True})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    moment = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for column, label in enumerate(header):
        sheet.write_string(0, column, xlsx_text(label), bold)
    write_string, write_number, write_datetime = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_datetime,
    )
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue  # an empty cell is not written at all (it reads back the same: empty)
            if isinstance(value, str):
                # An answer may hold anything a browser sends: U+FFFF, a control character…
                value = xlsx_text(value)
                if is_formula_like(value):
                    write_string(count, column, value, quoted)
                else:
                    write_string(count, column, value)
            elif isinstance(value, datetime.datetime):
                write_datetime(count, column, value.replace(tzinfo=None), moment)
            elif isinstance(value, datetime.date):
                write_datetime(count, column, value, day)
            else:
                write_number(count, column, value)
    workbook.close()
    return count


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
        return write_xlsx_rows(stream, header, rows, title=_("Réponses"))
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
