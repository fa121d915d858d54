"""Every export survives every character (issue 16): whatever text a title, an answer or a
comment holds (control characters, U+FFFE/U+FFFF, lone surrogates, "_x0041_", line breaks), the
CSV and XLSX files open again, with the cleaned value in place and formulas still defused.

Each writer is fed arbitrary text (Hypothesis) and its file parsed back with openpyxl and csv;
then the exports as people download them (portfolio, consultation answers, criée programme and
interest) are built from database rows holding what PostgreSQL stores (no NUL, no surrogate)."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caflab.core.spreadsheets import to_csv, to_xlsx, write_csv
from caflab.core.tabular import clean_text, is_formula_like, safe_cell, xlsx_text
from criees import exports as criee_exports
from ecoute.conditions import AnswerValue
from ecoute.exports import export_content, write_xlsx_rows
from ecoute.models import Audience, Question
from ecoute.services import response_submit
from tests.criees.factories import CrieeFactory, InitiativeFactory, InterestFactory, PitchFactory
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section
from tests.projects.factories import ProjectFactory

# Any code point, surrogates and control characters included (Python strings may hold them).
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)
# What a text column of PostgreSQL stores: no NUL, no lone surrogate.
STORABLE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)
# Where the generator would rarely go alone.
NASTY = st.sampled_from(
    ["\uffff", "\ufffe", "\x00", "\x0b", "\x1f", "\ud800", "\udfff", "_x0041_", "=1+1", "\r\n"]
)
TEXT = st.one_of(ANY_TEXT, st.lists(NASTY, min_size=1, max_size=4).map("".join))
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def read_xlsx(content: bytes) -> list[list]:
    """The first sheet's rows as openpyxl reads them; `_xHHHH_` escapes (ECMA-376 ST_Xstring,
    what Excel shows) decoded: openpyxl leaves them as written. An empty text reads as None
    (XlsxWriter writes empty header cells, openpyxl does not)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [
        [
            XSTRING.sub(lambda m: chr(int(m[1], 16)), v) or None if isinstance(v, str) else v
            for v in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")  # strict: the file is valid UTF-8
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def in_xlsx(value: str):
    """What an XLSX cell reads back for `value`: cleaned, cut at Excel's limit, None if empty."""
    return xlsx_text(value) or None


def in_csv(value: str) -> str:
    return safe_cell(clean_text(value))


def test_clean_text_replaces_what_xml_cannot_hold_and_keeps_the_rest():
    assert clean_text("a\uffffb\x00c\x0bd\ud800e\ufffe") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffd"
    assert clean_text("tab\tline\nreturn\r é 😀 \ufffd") == "tab\tline\nreturn\r é 😀 \ufffd"
    assert clean_text(12) == 12
    assert clean_text(None) is None
    # Replaced, not removed: "\x00=1+1" must not become the formula "=1+1".
    assert not is_formula_like(clean_text("\x00=1+1"))
    assert len(xlsx_text("x" * 40_000)) == 32_767


# --- the writers, fed any text ----------------------------------------------------------------


@EXAMPLES
@given(header=TEXT, value=TEXT)
def test_the_openpyxl_writer_survives_any_text(header, value):
    """caflab.core.spreadsheets.to_xlsx: the portfolio, criées and any other openpyxl export."""
    rows = read_xlsx(to_xlsx([header, "n"], [[value, 1]], title="Feuille"))
    assert rows[0][0] == in_xlsx(header)
    assert rows[1] == [in_xlsx(value), 1]


@EXAMPLES
@given(header=TEXT, value=TEXT)
def test_the_xlsxwriter_writer_survives_any_text(header, value):
    """ecoute.exports.write_xlsx_rows (XlsxWriter, constant memory): the consultation answers."""
    stream = io.BytesIO()
    write_xlsx_rows(stream, [header, "n"], [[value, 1]], title="Réponses")
    rows = read_xlsx(stream.getvalue())
    assert rows[0][0] == in_xlsx(header)
    assert rows[1] == [in_xlsx(value), 1]


@EXAMPLES
@given(header=TEXT, value=TEXT)
def test_the_csv_writer_survives_any_text(header, value):
    """caflab.core.spreadsheets.to_csv / write_csv: every CSV export (portfolio, answers, criées, my
    data)."""
    rows = read_csv(to_csv([header], [[value, datetime.datetime(2026, 1, 2, 3, 4)]]))
    assert rows == [[in_csv(header)], [in_csv(value), "02/01/2026 03:04"]]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "\x00=1", "＠SUM(1)", "\t-2"])
def test_formulas_stay_defused_after_cleaning(value):
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(["h"], [[value]], title="t")))
    cell = workbook.active.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == clean_text(value)
    assert cell.quotePrefix == is_formula_like(clean_text(value))
    stream = io.BytesIO()
    write_xlsx_rows(stream, ["h"], [[value]], title="t")
    cell = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.quotePrefix == is_formula_like(clean_text(value))
    csv_value = read_csv(to_csv(["h"], [[value]]))[1][0]
    assert not is_formula_like(csv_value)


# --- the exports as downloaded, from database rows --------------------------------------------


@pytest.mark.django_db
@EXAMPLES
@given(title=STORABLE_TEXT)
def test_the_portfolio_exports_survive_any_project_title(client, lab_staff, title):
    client.force_login(lab_staff)
    with transaction.atomic():
        project = ProjectFactory(title=title)
        xlsx = client.get(reverse("projects:export", kwargs={"fmt": "xlsx"}))
        text = client.get(reverse("projects:export", kwargs={"fmt": "csv"}))
        transaction.set_rollback(True)
    assert xlsx.status_code == text.status_code == 200
    assert [project.code, in_xlsx(title)] in [row[:2] for row in read_xlsx(xlsx.content)]
    assert [project.code, in_csv(title)] in [row[:2] for row in read_csv(text.content)]


@pytest.mark.django_db
@EXAMPLES
@given(answer=STORABLE_TEXT, other=STORABLE_TEXT)
def test_the_consultation_exports_survive_any_anonymous_answer(lab_staff, answer, other):
    with transaction.atomic():
        consultation = ConsultationFactory(owner=lab_staff)
        section = first_section(consultation)
        question = QuestionFactory(section=section, kind=Question.Kind.LONG_TEXT, label="Avis")
        choice = QuestionFactory(
            section=section,
            kind=Question.Kind.SINGLE_CHOICE,
            label="Choix",
            allow_other=True,
            options=["Oui"],
        )
        questionnaire = consultation.questionnaire
        response_submit(
            questionnaire=questionnaire,
            answers={question.pk: AnswerValue(text=answer), choice.pk: AnswerValue(other=other)},
            audience=Audience.CITIZEN,
            is_anonymous=True,
            participation_keys=["cle"],
        )
        xlsx = read_xlsx(export_content(questionnaire, "xlsx"))
        text = read_csv(export_content(questionnaire, "csv"))
        transaction.set_rollback(True)
    header = xlsx[0]
    at, other_at = header.index("Q1. Avis"), header.index("Q2. Choix : Autre (précisez)")
    assert (xlsx[1][at], xlsx[1][other_at]) == (in_xlsx(answer), in_xlsx(other))
    assert (text[1][at], text[1][other_at]) == (in_csv(answer), in_csv(other))


@pytest.mark.django_db
@EXAMPLES
@given(title=STORABLE_TEXT, comment=STORABLE_TEXT)
def test_the_criee_exports_survive_any_title_and_comment(
    client, lab_staff, caf_a, caf_b, title, comment
):
    client.force_login(lab_staff)
    with transaction.atomic():
        criee = CrieeFactory()
        initiative = InitiativeFactory(title=title, caf=caf_a)
        PitchFactory(criee=criee, initiative=initiative, position=1)
        InterestFactory(initiative=initiative, caf=caf_b, comment=comment)
        files = {
            (kind, fmt): client.get(
                reverse("criees:criee-export", kwargs={"pk": criee.pk, "kind": kind, "fmt": fmt})
            )
            for kind in ("programme", "interets")
            for fmt in ("csv", "xlsx")
        }
        transaction.set_rollback(True)
    assert {response.status_code for response in files.values()} == {200}
    title_at = criee_exports.programme_header().index("Initiative")
    assert read_xlsx(files["programme", "xlsx"].content)[1][title_at] == in_xlsx(title)
    assert read_csv(files["programme", "csv"].content)[1][title_at] == in_csv(title)
    comment_at = criee_exports.interest_header().index("Commentaire")
    assert read_xlsx(files["interets", "xlsx"].content)[1][comment_at] == in_xlsx(comment)
    assert read_csv(files["interets", "csv"].content)[1][comment_at] == in_csv(comment)


def test_the_csv_stream_writer_replaces_a_lone_surrogate_instead_of_failing():
    stream = io.BytesIO()
    assert write_csv(stream, ["h\udc80"], [["a\ud800b"]]) == 1
    assert read_csv(stream.getvalue()) == [["h\ufffd"], ["a\ufffdb"]]
