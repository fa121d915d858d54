"""The one spreadsheet writer: CSV for French Excel and XLSX, safe against formula injection and
against characters a spreadsheet cannot hold. Every export (the portfolio, the criées, the
registrations of a consultation, "my data"…) writes through it; the domain apps only choose the
columns and the rows.

A cell that starts with = + - @ (or a tab or carriage return) is read by spreadsheet software
as a formula: a project title like `=HYPERLINK("http://evil", "clic")` would run on the reader's
machine. CSV cells get a leading apostrophe (OWASP's advice, what Excel itself shows for text);
XLSX cells are typed as text with Excel's "quote prefix", so nothing is ever evaluated. Before
that, every text goes through caflab.core.tabular's `clean_text` (control characters, U+FFFF,
lone surrogates → U+FFFD), so one odd character never makes the file unreadable.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from caflab.core.numbers import fr_number
from caflab.core.tabular import clean_text, is_formula_like, safe_cell, xlsx_text

__all__ = ["Cell", "to_csv", "to_xlsx", "write_csv", "write_xlsx"]

Cell = str | Decimal | datetime.datetime | None
# A literal "_x0041_" in a cell's text would be read by Excel as the escape of "A" (ECMA-376
# ST_Xstring); XlsxWriter escapes its underscore, openpyxl does not: done here.
XSTRING_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fr_number(value, 2)  # French Excel reads a decimal comma
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return safe_cell(clean_text(str(value)))


def write_csv(stream: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write UTF-8 with a byte-order mark and `;` separators (what French Excel opens
    correctly) to `stream`, a row at a time: memory stays flat whatever the number of rows.
    Returns the number of data rows written."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow([safe_cell(clean_text(h)) for h in header])
        count = 0
        for row in rows:
            writer.writerow([_csv_text(value) for value in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave `stream` open for the caller
    return count


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Cell) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    if isinstance(value, str):
        value = XSTRING_ESCAPE.sub(r"_x005F_\1", xlsx_text(value))
    cell = WriteOnlyCell(sheet, value=value)
    if is_formula_like(value):
        # openpyxl would store "=…" as a formula: force a text cell, quote-prefixed like Excel.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_xlsx(
    stream: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str
) -> int:
    """Write an XLSX workbook to `stream`. openpyxl's write-only mode keeps rows in a temporary
    file, not in memory. Returns the number of data rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = _xlsx_cell(sheet, label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    workbook.save(stream)
    return count


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title=title)
    return buffer.getvalue()
