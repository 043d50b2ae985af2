"""A step's scoring table as an Excel workbook, and the filled workbook back (issue 15, point 1).

``bulk_sheet`` writes the rows of ``bulk_scoring.bulk_table``: one line per officer (name, village, officer
number and masked ID number as text cells), the form's fields as columns with Chinese headers and Excel's
own checks (whole numbers within the item's maximum, a list for a choice), and the task id in a hidden,
locked first column. ``bulk_upload`` reads such a workbook back with the Excel import's helpers
(excel_sheets.read_rows) and completes its rows through ``bulk_scoring.bulk_complete``.

Two kinds of problem, two answers. What the clerk typed (a cell that is not a number, a score above its
maximum, a required item left out of a row that was started, a row whose officer is not the task's) is
checked for every row first, against the form's JSON Schema as a single completion checks it; any such
problem refuses the whole file, each named by row and column, and nothing is completed (USERS.md: one bad
row refuses the whole file). A file that passes is completed row by row, each task in its own transaction
with its audit event; a row whose task can no longer be completed here (completed or claimed by someone
else since the download, another department's, another step's) is refused with its reason while the
others complete, since no edit of the file could fix it. A line left empty is skipped.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import DepartmentModel
from service.usecases import bulk_scoring
from service.usecases.case_notes.sniffing import sniff
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError
from service.usecases.excel_sheets import (
    MAX_BYTES,
    CellError,
    Problems,
    _fail_on,
    error,
    parse_cell,
    read_rows,
    refuse,
)
from service.usecases.excel_sheets import Column as SheetColumn
from service.usecases.export_cells import xlsx_row
from workflows.form_columns import is_blank
from workflows.forms import validate_submission
from workflows.ports import CHINA

TASK = SheetColumn("task_id", "任务编号（请勿修改）", "Task id (do not change)", "raw", True)
OFFICER_ID = SheetColumn("officer_id", "辅警编号", "Officer number", "raw")
NAME = SheetColumn("officer_name", "姓名", "Name", "raw")
VILLAGE = SheetColumn("village", "村（社区）", "Village", "raw")
ID_NUMBER = SheetColumn("id_number", "身份证号", "ID number", "raw")
PEOPLE = (TASK, OFFICER_ID, NAME, VILLAGE, ID_NUMBER)
_BOOL = SheetColumn("bool", "", "", "bool")
_DATE = SheetColumn("date", "", "", "date")
LOCKED = PatternFill("solid", fgColor="EEF2F6")  # the columns the clerk does not fill in, greyed


def sheet_columns(columns: list[dict[str, Any]]) -> list[SheetColumn]:
    """The sheet's columns of a table's form columns: headed by title and maximum (列席两委会议（满分15）),
    also read by the bare title, the English title or the field's path; a title two groups share takes
    its group's title in front."""
    titles = [c["title_zh"] for c in columns]
    found = []
    for column in columns:
        zh, en = column["title_zh"], column["title_en"]
        if titles.count(zh) > 1 and column["group_zh"]:
            zh, en = f"{column['group_zh']}·{zh}", f"{column['group_en']}: {en}"
        bare = (zh, en.lower(), column["field"])
        if column["maximum"] is not None and column["kind"] in ("integer", "number"):
            zh, en = f"{zh}（满分{column['maximum']}）", f"{en} (max {column['maximum']})"
        found.append(SheetColumn(column["field"], zh, en, "raw", aliases=bare, expected=True))
    return found


def bulk_sheet(
    ctx: ServiceContext, caller: Caller, department: str, step: str, full_marks: bool = False
) -> tuple[bytes, str]:
    """The workbook of the step's table and its file name; ``full_marks`` fills each score with its
    maximum (the clerk then only lowers what was lost)."""
    table = bulk_scoring.bulk_table(ctx, caller, department, step)
    with ctx.database.reading() as session:
        department_zh = (
            session.scalar(select(DepartmentModel.name_zh).where(DepartmentModel.code == department))
            or department
        )
    columns, form = table["columns"], sheet_columns(table["columns"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = "评分表"
    sheet.append(xlsx_row(sheet, [c.zh for c in PEOPLE + tuple(form)]))
    for row in table["rows"]:
        people = [
            row["task_id"],
            str(row["officer_id"] or ""),
            row["officer_name"],
            row["village_name_zh"],
            row["id_number_masked"],
        ]
        scores = [
            c["maximum"] if full_marks and c["kind"] in ("integer", "number") else None for c in columns
        ]
        sheet.append(xlsx_row(sheet, people) + scores)
    _shape(sheet, columns, form, len(table["rows"]))
    _notes(book, table, department_zh, columns, form, ctx.clock.now())
    buffer = io.BytesIO()
    book.save(buffer)
    day = ctx.clock.now().astimezone(CHINA).date().isoformat()
    return buffer.getvalue(), f"{table['name_zh']}-{department_zh}-{day}.xlsx"


def _shape(sheet: Worksheet, columns: list[dict[str, Any]], form: list[SheetColumn], count: int) -> None:
    """Widths, the hidden task id, locked people's columns, open score cells and Excel's own checks."""
    last = count + 1
    for index, heading in enumerate(PEOPLE + tuple(form), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(28, len(heading.zh) * 2 + 2))
        head = sheet.cell(row=1, column=index)
        required = index > len(PEOPLE) and columns[index - len(PEOPLE) - 1]["required"]
        head.font = Font(bold=True, color="B42318" if required else "000000")  # required in red, as templates
        if index <= len(PEOPLE):
            sheet.column_dimensions[letter].number_format = "@"  # numbers and IDs stay text
            for line in range(2, last + 1):
                sheet.cell(row=line, column=index).fill = LOCKED
    sheet.column_dimensions["A"].hidden = True
    for offset, field in enumerate(columns):
        index = len(PEOPLE) + offset + 1
        letter = get_column_letter(index)
        for line in range(2, last + 1):
            sheet.cell(row=line, column=index).protection = Protection(locked=False)
        check = _validation(field)
        if check is not None and count:
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")
    # Locked against a slip of the mouse, not against the clerk (no password): the server checks every row.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.freeze_panes = "D2"


def _validation(column: dict[str, Any]) -> DataValidation | None:
    """Excel's check of a column: a range for a number, a list for a choice, a length for a text."""
    title, kind = column["title_zh"], column["kind"]
    low, high = column["minimum"], column["maximum"]
    check: DataValidation | None = None
    if kind in ("integer", "number") and (low is not None or high is not None):
        kind_zh = "整数" if kind == "integer" else "数"
        type_ = "whole" if kind == "integer" else "decimal"
        if low is not None and high is not None:
            check = DataValidation(type=type_, operator="between", formula1=str(low), formula2=str(high))
            rule = f"应为{low}至{high}之间的{kind_zh}"
        elif low is not None:
            check = DataValidation(type=type_, operator="greaterThanOrEqual", formula1=str(low))
            rule = f"应为不小于{low}的{kind_zh}"
        else:
            check = DataValidation(type=type_, operator="lessThanOrEqual", formula1=str(high))
            rule = f"应为不大于{high}的{kind_zh}"
    elif kind in ("select", "boolean"):
        labels = ["是", "否"] if kind == "boolean" else [o["label_zh"] for o in column["options"]]
        listed = ",".join(labels)
        if any("," in label or '"' in label for label in labels) or len(listed) > 250:
            return None  # Excel's list cannot hold it: the server's check alone
        check = DataValidation(type="list", formula1=f'"{listed}"')
        rule = "请从下拉列表中选择：" + "、".join(labels)
    elif kind == "text" and column["max_length"]:
        check = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(column["max_length"])
        )
        rule = f"不能超过{column['max_length']}个字"
    if check is None:
        return None
    check.allow_blank = True
    check.showErrorMessage = check.showInputMessage = True
    check.errorTitle, check.error = title[:32], f"“{title}”{rule}"[:255]
    check.promptTitle, check.prompt = title[:32], rule[:255]
    return check


def _notes(
    book: Workbook,
    table: dict[str, Any],
    department_zh: str,
    columns: list[dict[str, Any]],
    form: list[SheetColumn],
    now: datetime,
) -> None:
    notes = book.create_sheet("说明")
    lines: list[list[Any]] = [
        ["环节", table["name_zh"]],
        ["部门", department_zh],
        ["导出时间（北京时间）", now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")],
        ["人数", len(table["rows"])],
        [],
        ["填写方法"],
        ["每行是一位辅警，请只填写白色的评分列；灰色列和隐藏的任务编号列请勿修改，也不要增删列。"],
        ["整行不填的人员不会提交，留待以后办理；已填写的行须填完全部红色必填列。"],
        ["上传后系统逐行核对：只要有一行有错误，整个文件都不办结，并按行号和列名列出错误。"],
        ["核对无误后每一行单独办结；下载后已由他人办理或认领的任务不会改动，并在结果中说明。"],
        [],
        ["列名", "Column", "必填（红色列名）", "填写说明"],
    ]
    for column, sheet_column in zip(columns, form, strict=True):
        lines.append([sheet_column.zh, sheet_column.en, "是" if column["required"] else "否", _hint(column)])
    for line in lines:
        notes.append(xlsx_row(notes, line))
    for letter, width in (("A", 30), ("B", 40), ("C", 16), ("D", 50)):
        notes.column_dimensions[letter].width = width


def _hint(column: dict[str, Any]) -> str:
    if column["kind"] == "select":
        return "从下拉列表选择：" + "、".join(o["label_zh"] for o in column["options"])
    if column["kind"] == "boolean":
        return "是/否"
    if column["kind"] == "date":
        return "如 2026-12-05"
    if column["kind"] in ("integer", "number"):
        low, high = column["minimum"], column["maximum"]
        whole = "整数" if column["kind"] == "integer" else "数"
        return f"{low if low is not None else ''}至{high if high is not None else ''}的{whole}"
    return f"不超过{column['max_length']}个字" if column["max_length"] else "文字"


# -- upload ----------------------------------------------------------------------------------------------


def check_file(content: bytes) -> None:
    """Refuse what is no plain .xlsx workbook before reading a cell: empty, too large, macro-enabled or no
    Excel workbook at all (the kind read from the content, never the name)."""
    if not content:
        refuse(InvalidInputError, "上传的文件是空的", "The file is empty")
    if len(content) > MAX_BYTES:
        refuse(InvalidInputError, "文件过大（不超过5MB）", "The file is too large (5 MB at most)")
    kind = sniff(content)
    if kind is None and _has_macros(content):
        refuse(
            InvalidInputError,
            "不接受启用宏的工作簿（.xlsm），请在 Excel 中另存为 .xlsx 后上传",
            "Macro-enabled workbooks (.xlsm) are refused: save it as .xlsx in Excel and upload that",
        )
    if kind is not None and kind.code == "xls":
        refuse(
            InvalidInputError,
            "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后上传",
            "This is an old Excel file (.xls): save it as .xlsx in Excel and upload that",
        )
    if kind is None or kind.code != "xlsx":
        refuse(
            InvalidInputError,
            "无法读取该文件，请上传本页下载的 Excel 表格（.xlsx）",
            "Not a readable .xlsx file: upload the workbook downloaded from this page",
        )


def _has_macros(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(name.endswith("vbaProject.bin") for name in archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def bulk_upload(
    ctx: ServiceContext, caller: Caller, department: str, step: str, content: bytes
) -> dict[str, Any]:
    """Check every row of a filled workbook, then complete its rows one transaction each; or refuse the
    whole file (InvalidInputError with its problems by row and column) and complete nothing."""
    table = bulk_scoring.bulk_table(ctx, caller, department, step)  # membership and step checked first
    check_file(content)
    columns, form = table["columns"], sheet_columns(table["columns"])
    rows, errors = read_rows(content, PEOPLE + tuple(form))
    if any(e["row"] == 1 for e in errors):  # not the step's sheet: refused before its rows are read
        zh, en = "表头与本环节的评分表不一致，请使用本页下载的表格", "The headers are not this step's sheet's"
        errors.insert(0, error(1, None, zh, en + ": upload the workbook downloaded from this page"))
        _fail_on([e for e in errors if e["row"] == 1])
    open_rows = {row["task_id"]: row for row in table["rows"]}
    items, seen = [], dict[str, int]()
    for number, values in rows:
        task_id = _text(values.get("task_id"))
        data, wrong = _data(number, values, columns, form, errors)
        if not task_id:  # refused by read_rows (a required cell)
            continue
        if task_id in seen:
            errors.add(number, TASK, f"与第{seen[task_id]}行是同一任务", f"Same task as row {seen[task_id]}")
            continue
        seen[task_id] = number
        task = open_rows.get(task_id)
        if task is not None and not is_blank(data):
            name = _text(values.get("officer_name"))
            if name and name != task["officer_name"]:
                errors.add(
                    number,
                    NAME,
                    f"与任务编号对应的辅警是“{task['officer_name']}”，请勿调换或修改姓名",
                    f"The task's officer is {task['officer_name']}: do not move or change names",
                )
            for problem in validate_submission(table["form_schema"], data):
                if problem.field in wrong:  # said already, in the cell's own words
                    continue
                errors.add(number, _at(form, problem.field), problem.message, problem.message_en)
        items.append((number, values, {"task_id": task_id, "data": data}))
    _fail_on(errors)
    outcome = bulk_scoring.bulk_complete(ctx, caller, department, step, [item for *_, item in items])
    results = []
    for (number, values, item), result in zip(items, outcome["results"], strict=True):
        task = open_rows.get(item["task_id"]) or {}
        results.append(
            {
                "row": number,
                "officer_name": task.get("officer_name") or _text(values.get("officer_name")),
                "village_name_zh": task.get("village_name_zh") or _text(values.get("village")),
                "village_name_en": task.get("village_name_en") or _text(values.get("village")),
                **result,
            }
        )
    return {**outcome, "results": results}


def _at(form: list[SheetColumn], field: str) -> SheetColumn | None:
    """The column of a field error: its own, or a group's first (the group itself was refused)."""
    return next((c for c in form if c.key == field), None) or next(
        (c for c in form if c.key.startswith(field + ".")), None
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _data(
    number: int,
    values: dict[str, Any],
    columns: list[dict[str, Any]],
    form: list[SheetColumn],
    errors: Problems,
) -> tuple[dict[str, Any], set[str]]:
    """A row's form data, each cell converted by its field's type, and the fields whose cell could not be
    (each a problem of ``errors``)."""
    data: dict[str, Any] = {}
    wrong: set[str] = set()
    for column, sheet_column in zip(columns, form, strict=True):
        path = column["field"].split(".")
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})  # the group is there, so a missing item is named by itself
        raw = values.get(sheet_column.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            node[path[-1]] = cell_value(column, raw)
        except CellError as problem:
            errors.add(number, sheet_column, problem.zh, problem.en)
            wrong.add(column["field"])
            node[path[-1]] = raw  # not blank: the row is checked, never skipped as empty
    return data, wrong


def cell_value(column: dict[str, Any], raw: Any) -> Any:
    """One cell as its form field's type (a choice by its value or either label); CellError otherwise."""
    kind, text = column["kind"], str(raw).strip()
    if kind in ("integer", "number"):
        number: float | None
        if isinstance(raw, bool):
            number = None
        elif isinstance(raw, int | float):
            number = float(raw)
        else:
            try:
                number = float(text.replace("，", ".").replace(",", "."))
            except ValueError:
                number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            whole = "整数" if kind == "integer" else "数字"
            raise CellError(
                f"“{text}”不是{whole}", f"'{text}' is not a {'whole ' if kind == 'integer' else ''}number"
            )
        if kind == "integer" and not number.is_integer():
            raise CellError(f"“{text}”不是整数", f"'{text}' is not a whole number")
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return parse_cell(_BOOL, raw)
    if kind == "date":
        day = parse_cell(_DATE, raw)
        return day.isoformat() if isinstance(day, date) else day
    if kind == "select":
        for option in column["options"]:
            if text in (option["value"], option["label_zh"]) or text.lower() == option["label_en"].lower():
                return option["value"]
        listed = "、".join(o["label_zh"] for o in column["options"])
        raise CellError(
            f"“{text}”不是可选的值，应为：{listed}",
            f"'{text}' is not one of: " + ", ".join(o["label_en"] for o in column["options"]),
        )
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return text
