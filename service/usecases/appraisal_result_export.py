"""The appraisal dashboard's lists as Excel workbooks (issue 15, point 6): a month's results and its overdue
tasks, the page's rows and columns with headers in the reader's language, names rather than codes, every
text a text cell (export_cells) and times in Beijing time as the header says."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from service.usecases.export_cells import text_cell
from workflows.ports import CHINA

# (中文 header, English header, width, the row's key in Chinese, in English)
Column = tuple[str, str, int, str, str]
RESULT_COLUMNS: tuple[Column, ...] = (
    ("月份", "Month", 9, "month", "month"),
    ("镇", "Town", 10, "town_name", "town_name_en"),
    ("村（社区）", "Village", 14, "village_name", "village_name_en"),
    ("姓名", "Name", 12, "officer_name", "officer_name"),
    ("派出所评分", "Station score", 10, "station_total", "station_total"),
    ("镇政府评分", "Town score", 10, "town_total", "town_total"),
    ("综合得分", "Combined score", 10, "combined_score", "combined_score"),
    ("一票否决", "Veto", 8, "veto_label", "veto_label_en"),
    ("否决理由", "Veto reason", 30, "veto_reason", "veto_reason"),
    ("否决人", "Vetoed by", 12, "veto_by_name", "veto_by_name"),
    ("否决时间（北京时间）", "Vetoed at (Beijing time)", 20, "veto_at", "veto_at"),
    ("考核等次", "Grade", 10, "grade_label", "grade_label_en"),
    ("确定人", "Confirmed by", 12, "confirmed_by_name", "confirmed_by_name"),
    ("确定时间（北京时间）", "Confirmed at (Beijing time)", 20, "confirmed_at", "confirmed_at"),
)
OVERDUE_COLUMNS: tuple[Column, ...] = (
    ("任务", "Task", 20, "name", "name_en"),
    ("事项", "About", 24, "subject", "subject"),
    ("部门", "Department", 18, "department_name", "department_name_en"),
    ("认领人", "Claimed by", 12, "claimed_by_name", "claimed_by_name"),
    ("创建时间（北京时间）", "Created at (Beijing time)", 20, "created_at", "created_at"),
    ("期限（北京时间）", "Due at (Beijing time)", 20, "due_at", "due_at"),
)


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value.astimezone(CHINA).replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, str):
        return text_cell(sheet, value)
    return value


def rows_xlsx(
    title: str, sheet_name: str, columns: tuple[Column, ...], rows: list[dict[str, Any]], english: bool
) -> bytes:
    """A workbook of ``rows``: a title line, the headers, one line per row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column[2]
    sheet.freeze_panes = "A3"
    sheet.append([text_cell(sheet, title)])
    sheet.append([text_cell(sheet, column[1] if english else column[0]) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, row.get(column[4] if english else column[3])) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
