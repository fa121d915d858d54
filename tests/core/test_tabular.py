"""caflab.core.tabular's reader, shared by the people and the measurement imports: CSV in any
encoding a spreadsheet writes, `;` or `,`, fields of any length, XLSX; any other bytes give a
French TableFileError, never another exception."""

import datetime
import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caflab.core.tabular import TableFileError, read_table


def cells(data: bytes, **kwargs) -> list[list[str]]:
    return [row.cells for row in read_table(data, **kwargs)]


@pytest.mark.parametrize(
    "data",
    [
        "nom;prénom\r\nÉlodie;Zoé\r\n".encode(),
        "\ufeffnom;prénom\r\nÉlodie;Zoé\r\n".encode(),
        "nom;prénom\r\nÉlodie;Zoé\r\n".encode("cp1252"),
        "nom;prénom\r\nÉlodie;Zoé\r\n".encode("utf-16"),
        'nom,prénom\n"Élodie","Zoé"\n'.encode(),
        "nom\tprénom\nÉlodie\tZoé\n".encode(),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "utf-16", "commas", "tabs"],
)
def test_csv_is_read_in_the_encodings_and_separators_spreadsheets_write(data):
    assert cells(data) == [["nom", "prénom"], ["Élodie", "Zoé"]]


def test_the_separator_is_sniffed_from_the_header_quotes_aside():
    data = b'"a;b",c,d\n1,2,3\n'
    assert cells(data) == [["a;b", "c", "d"], ["1", "2", "3"]]


def test_a_field_of_any_length_is_read_and_lines_keep_their_numbers():
    huge = "x" * 300_000
    rows = list(read_table(f'a;b\n"multi\nline";1\n{huge};2\n'.encode()))
    assert [(row.number, row.cells[1]) for row in rows] == [(1, "b"), (3, "1"), (4, "2")]
    assert rows[2].cells[0] == huge


def test_an_xlsx_workbook_gives_its_first_sheet_as_text():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Caf", "Date", "Valeur", "Vide"])
    workbook.active.append([38, datetime.datetime(2026, 3, 1), 12.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert cells(buffer.getvalue()) == [
        ["Caf", "Date", "Valeur", "Vide"],
        ["38", "2026-03-01", "12.5", ""],
    ]


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b"\x00\x01\x02abc", "", "pas un CSV ni un classeur lisible"),
        (bytes(range(256)), "csv", "pas un CSV ni un classeur lisible"),
        (b"PK\x03\x04junk", "", "Le classeur XLSX ne peut pas être lu"),
        (b"a;b\n1;2\n", "xlsx", "Le classeur XLSX ne peut pas être lu"),
        (b"PK\x03\x04junk", "csv", "donnez-lui l’extension .xlsx"),
    ],
)
def test_what_is_not_a_table_is_refused_in_french(data, kind, reason):
    with pytest.raises(TableFileError, match=reason):
        cells(data, kind=kind)


@settings(max_examples=50, deadline=None, database=None)
@given(
    data=st.one_of(st.binary(max_size=500), st.binary(max_size=300).map(b"PK\x03\x04".__add__)),
    kind=st.sampled_from(["", "csv", "xlsx"]),
)
def test_any_bytes_give_rows_or_a_french_error_and_nothing_else(data, kind):
    try:
        rows = list(read_table(data, kind=kind))
    except TableFileError as error:
        message = str(error)
        rows = []
    else:
        message = "read"
    assert message
    assert all(isinstance(cell, str) for row in rows for cell in row.cells)
