"""Spreadsheet files, both ways: what every export writes into a cell, and how every import reads
a table (CSV or XLSX) that people made with a spreadsheet.

Writing. Two dangers hide in a cell's text, whatever the writer (openpyxl, XlsxWriter, csv):
- a formula: a cell that starts with = + - @ (or a tab or carriage return) is read by
  spreadsheet software as a formula, so `=HYPERLINK("http://evil", "clic")` would run on the
  reader's machine. `safe_cell` adds a leading apostrophe (OWASP's advice, what Excel itself
  shows for text); the XLSX writers store such text as a quote-prefixed text cell;
- a character XML cannot hold: an XLSX sheet is XML 1.0, which has no place for most control
  characters (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), for U+FFFE and U+FFFF, nor for a
  lone surrogate (which Python strings may hold, and no UTF encoding writes). One such
  character in a project title made the whole workbook unreadable. `clean_text` replaces each
  with U+FFFD, the replacement character: a value never loses its length or becomes something
  else (removing "\\x00" from "\\x00=1+1" would turn it into a formula). CSV files get the same
  cleaning, so both formats of an export hold the same text and the UTF-8 encoder never fails.

Reading. `read_table` turns uploaded bytes into rows of text: CSV in UTF-8 (with or without
BOM), UTF-16 with BOM or Windows-1252 (what French Excel writes as "CSV (séparateur :
point-virgule)"), separated by `;`, `,` or tabs, fields of any length; or an XLSX workbook
(its first sheet, read with openpyxl in read-only mode). Whatever the bytes, it yields rows or
raises `TableFileError` with a French sentence, never another exception; a line the csv module
cannot parse comes as a row with its own `error`, so the caller rejects that line alone.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# OWASP's list, plus the full-width forms some spreadsheets also accept.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# What XML 1.0 cannot hold (its `Char` production, inverted): control characters but tab, line
# feed and carriage return; lone surrogates; U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
# Excel refuses (and "repairs") a cell longer than this.
XLSX_MAX_CELL_CHARS = 32767

ZIP_MAGIC = b"PK\x03\x04"
# Above any upload limit: a field is never refused for its length (the csv module's default
# limit is 131,072 characters, and it raises beyond it). Process-wide, and only ever raised.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
if csv.field_size_limit() < CSV_FIELD_LIMIT:
    csv.field_size_limit(CSV_FIELD_LIMIT)


# --- writing ---------------------------------------------------------------------------------


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> Any:
    """`value`, with a leading apostrophe when a spreadsheet would read it as a formula.
    Non-text values (numbers, dates) pass unchanged: they cannot carry a formula."""
    return f"'{value}" if is_formula_like(value) else value


def clean_text(value: Any) -> Any:
    """`value` with every character XML cannot hold replaced by U+FFFD. Every export writer
    (CSV and XLSX) calls it on each text cell, before the formula check. Non-text values pass
    unchanged."""
    if not isinstance(value, str):
        return value
    return XML_ILLEGAL.sub(REPLACEMENT, value)


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell may hold it: cleaned, and cut at Excel's limit per cell."""
    return clean_text(value)[:XLSX_MAX_CELL_CHARS]


# --- reading ---------------------------------------------------------------------------------


class TableFileError(Exception):
    """Why the whole file cannot be read (a French sentence)."""


@dataclass
class TableRow:
    """One line of the table: its number (as a spreadsheet or a text editor shows it: the
    header is line 1), its cells as text, or why it could not be read."""

    number: int
    cells: list[str] = field(default_factory=list)
    error: str = ""


def not_a_table() -> TableFileError:
    return TableFileError(
        _(
            "Le fichier n’est pas un CSV ni un classeur lisible : enregistrez-le depuis votre "
            "tableur au format CSV (UTF-8 ou Windows-1252) ou XLSX."
        )
    )


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets turn "38" into 38.0, a SIRET into a big integer and a date
    into a datetime at midnight."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """The text of a CSV file, whatever encoding a spreadsheet or an editor chose."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Texte Unicode"
    else:
        # Excel's "CSV" on Windows is Windows-1252; its few undefined bytes mean it is neither.
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file, or UTF-16 without its byte-order mark
            break
        return text
    raise not_a_table()


def sniff_delimiter(text: str) -> str:
    """`;` (French Excel), `,` or a tab: whichever the header line holds most of, quotes aside
    (`;` on a tie)."""
    first = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])
    return max((";", ",", "\t"), key=first.count)


def _csv_rows(data: bytes) -> Iterator[TableRow]:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # The csv module gives up on this line only; the reader goes on with the next one.
            yield TableRow(reader.line_num, error=_("Ligne illisible (guillemets mal fermés ?)."))
            continue
        yield TableRow(reader.line_num, cells)


def _xlsx_rows(data: bytes) -> Iterator[TableRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise TableFileError(_("Le classeur XLSX ne peut pas être lu.")) from exc
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet, found while reading it
                raise TableFileError(_("Le classeur XLSX ne peut pas être lu.")) from exc
            number += 1
            yield TableRow(number, [cell_text(value) for value in row])
    finally:
        workbook.close()


def is_xlsx(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def read_table(data: bytes, *, kind: str = "") -> Iterator[TableRow]:
    """The rows of a CSV or XLSX file (`kind` "csv" or "xlsx"; guessed from the bytes when
    empty), the header first. Raises TableFileError (French) when the file as a whole cannot be
    read, possibly after some rows were yielded; nothing else."""
    if kind == "xlsx" or (not kind and is_xlsx(data)):
        yield from _xlsx_rows(data)
    elif is_xlsx(data):
        raise TableFileError(_("Ce fichier est un classeur XLSX : donnez-lui l’extension .xlsx."))
    else:
        yield from _csv_rows(data)
