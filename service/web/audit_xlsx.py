"""The auditors' XLSX export, built from the JSON Lines export: the CSV export's columns with people,
departments and actions by name, each followed by its code in a column of its own for auditors who filter
by code (the content stays the event's JSON as sealed), headers in the auditor's language.

Typed cells: numbers stay numbers, text is always written as text (so a value starting with ``=`` is never run
as a formula), and the time is ISO 8601 in Beijing time with its zone, ``2026-11-25T09:00:00+08:00`` (an
Excel date cell cannot say which zone it is in; the ISO text sorts as the time does).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from service.usecases import action_labels
from service.usecases.audit_trail import CHINA
from service.usecases.event_names import EventNames
from service.usecases.export_cells import text_cell

# (Chinese header, English header, width)
COLUMNS = (
    ("序号", "Seq", 8),
    ("时间（北京时间）", "Time (Beijing time)", 26),
    ("操作人", "Actor", 18),
    ("操作人账号（代码）", "Actor username (code)", 16),
    ("操作", "Action", 14),
    ("操作（代码）", "Action (code)", 18),
    ("流程实例", "Instance", 10),
    ("任务", "Task", 38),
    ("部门", "Department", 22),
    ("部门（代码）", "Department (code)", 22),
    ("内容(JSON)", "Content (JSON)", 80),
    ("哈希", "Hash", 66),
)
HEADERS = tuple(zh for zh, _en, _width in COLUMNS)
HEADERS_EN = tuple(en for _zh, en, _width in COLUMNS)


def _time(sheet: WriteOnlyWorksheet, value: str | None) -> WriteOnlyCell | None:
    if not value:
        return None
    return text_cell(sheet, datetime.fromisoformat(value).astimezone(CHINA).isoformat(timespec="seconds"))


def _row(sheet: WriteOnlyWorksheet, event: dict[str, Any], names: EventNames) -> list[Any]:
    content = orjson.dumps(event.get("payload"), option=orjson.OPT_SORT_KEYS, default=str).decode()
    action = str(event.get("action") or "")
    return [
        event.get("seq"),
        _time(sheet, event.get("at")),
        text_cell(sheet, names.person(event.get("actor"))),
        text_cell(sheet, event.get("actor")),
        text_cell(sheet, action_labels.label(action, names.lang) if action else ""),
        text_cell(sheet, action),
        event.get("instance_id"),
        text_cell(sheet, event.get("task_id")),
        text_cell(sheet, names.department(event.get("department_code"))),
        text_cell(sheet, event.get("department_code")),
        text_cell(sheet, content),
        text_cell(sheet, event.get("hash")),
    ]


def events_xlsx(jsonl_chunks: Iterable[str], names: EventNames) -> bytes:
    """A workbook of the events in ``jsonl_chunks``, as ``audit_trail.export(..., "jsonl")`` yields them,
    with the names ``names`` gives (one lookup of the people per chunk)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Audit events" if names.lang == "en" else "审计记录")
    for index, (_zh, _en, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(list(HEADERS_EN if names.lang == "en" else HEADERS))
    for chunk in jsonl_chunks:
        events = [orjson.loads(line) for line in chunk.splitlines() if line.strip()]
        names.learn(events)
        for event in events:
            sheet.append(_row(sheet, event, names))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
