"""The auditors' XLSX export: the CSV export's columns and Chinese headers, built from the JSON Lines export.

Typed cells: numbers stay numbers, the time is a Beijing-time date cell, and text is always written as text,
so a value starting with ``=`` is never run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from service.usecases.audit_trail import CHINA, CSV_HEADERS

# Excel refuses a cell longer than this; a longer JSON text is cut and marked.
MAX_CELL = 32_767
TRUNCATED = "…[已截断]"
COLUMN_WIDTHS = (8, 20, 14, 18, 10, 38, 22, 80, 66)


def _text(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - len(TRUNCATED)] + TRUNCATED
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl would turn "=..." into a formula
    return cell


def _time(sheet: WriteOnlyWorksheet, value: str | None) -> WriteOnlyCell | None:
    if not value:
        return None
    at = datetime.fromisoformat(value).astimezone(CHINA).replace(tzinfo=None, microsecond=0)
    cell = WriteOnlyCell(sheet, at)
    cell.number_format = "yyyy-mm-dd hh:mm:ss"
    return cell


def _row(sheet: WriteOnlyWorksheet, event: dict[str, Any]) -> list[Any]:
    content = orjson.dumps(event.get("payload"), option=orjson.OPT_SORT_KEYS, default=str).decode()
    return [
        event.get("seq"),
        _time(sheet, event.get("at")),
        _text(sheet, event.get("actor")),
        _text(sheet, event.get("action")),
        event.get("instance_id"),
        _text(sheet, event.get("task_id")),
        _text(sheet, event.get("department_code")),
        _text(sheet, content),
        _text(sheet, event.get("hash")),
    ]


def events_xlsx(jsonl_chunks: Iterable[str]) -> bytes:
    """A workbook of the events in ``jsonl_chunks``, as ``audit_trail.export(..., "jsonl")`` yields them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计记录")
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(list(CSV_HEADERS))
    for chunk in jsonl_chunks:
        for line in chunk.splitlines():
            if line.strip():
                sheet.append(_row(sheet, orjson.loads(line)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
