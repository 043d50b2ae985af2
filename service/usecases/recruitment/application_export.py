"""The campaign's applications as an Excel workbook: the list's rows and columns, headers in the reader's
language, every text a text cell (service/usecases/export_cells.py: a name typed as ``=...`` stays text),
dates as date cells and the application time in Beijing time, as its header says."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from service.context import ServiceContext
from service.usecases.directory import Caller
from service.usecases.export_cells import text_cell
from service.usecases.recruitment.application_list import Filters, all_rows
from workflows.ports import CHINA

# (中文 header, English header, width, the row's key in Chinese, in English)
COLUMNS: tuple[tuple[str, str, int, str, str], ...] = (
    ("报名编号", "Application no.", 10, "id", "id"),
    ("姓名", "Name", 12, "name", "name"),
    ("性别", "Sex", 6, "sex_label", "sex_label_en"),
    ("出生日期", "Birth date", 12, "birth_date", "birth_date"),
    ("年龄（周岁）", "Age (years)", 10, "age", "age"),
    ("证件类型", "Document", 22, "id_type_label", "id_type_label_en"),
    ("证件号码", "Document number", 22, "id_number_masked", "id_number_masked"),
    ("国籍", "Nationality", 14, "nationality_name", "nationality_name_en"),
    ("报考村（社区）", "Village applied for", 16, "village_name", "village_name_en"),
    ("状态", "Status", 14, "status_label", "status_label_en"),
    ("不符合原因", "Reasons", 50, "reasons", "reasons_en"),
    ("考试成绩", "Score", 8, "score", "score"),
    ("名次", "Rank", 6, "rank", "rank"),
    ("报名时间（北京时间）", "Applied at (Beijing time)", 20, "applied_at", "applied_at"),
    ("资格审查流程编号", "Screening instance", 10, "screening_instance_id", "screening_instance_id"),
)


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value.astimezone(CHINA).replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, list):
        return text_cell(sheet, "；".join(value))
    if isinstance(value, str):
        return text_cell(sheet, value)
    if value is not None and hasattr(value, "isoformat"):  # a date
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def applications_xlsx(
    ctx: ServiceContext, caller: Caller, campaign_id: int, filters: Filters, language: str = "zh"
) -> tuple[str, bytes]:
    """The file name and the workbook of the campaign's applications that ``filters`` keep."""
    campaign, rows = all_rows(ctx, caller, campaign_id, filters)
    english = language == "en"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Applications" if english else "报名人员")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column[2]
    sheet.freeze_panes = "A2"
    on = campaign["age_reference_date"].isoformat()
    title = campaign["title"] or campaign["business_key"]
    sheet.append(
        [
            text_cell(
                sheet,
                f"{title}: applications; ages on {on}"
                if english
                else f"{title}：报名人员（年龄计算至 {on}）",
            )
        ]
    )
    sheet.append([text_cell(sheet, column[1] if english else column[0]) for column in COLUMNS])
    for row in rows:
        sheet.append([_cell(sheet, row[column[4] if english else column[3]]) for column in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return f"applications-{campaign['business_key']}.xlsx", buffer.getvalue()
