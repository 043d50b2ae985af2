"""The month's payroll as an Excel sheet (issue 17, point 8): the service company downloads it prefilled
with the officers in service that month who have a confidentiality undertaking, at the month's standard,
changes what differs (a part month, an award) and uploads it; the upload completes its ``submit_payroll``
task with the rows, so the same form validation and the same server-side check run as for a submission
through the API."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel, InstanceModel
from service.usecases import tasks
from service.usecases.bulk_workbook import check_file
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.names import village_names
from service.usecases.payroll import ITEMS, officers_in_month
from service.usecases.roster.training import signed_undertakings
from service.usecases.runner import InstanceRunner

STEP = "submit_payroll"
AMOUNTS = (*ITEMS, ("awards", "奖励", "Awards"))
HEADER = ("辅警编号", "姓名", "村（社区）", *(zh for _, zh, _ in AMOUNTS), "备注")


def _task(session: Session, caller: Caller, task_id: str) -> HumanTaskModel:
    task = session.get(HumanTaskModel, task_id)
    if task is None or task.spec_name != STEP:
        raise NotFoundError("工资表任务 {task_id} 不存在", task_id=task_id)
    if not caller.in_department(task.department_code):
        raise ForbiddenError("只有服务公司人员可以下载或上传工资表")
    if task.state not in OPEN_STATES:
        raise InvalidInputError("该工资表已报送，不能再上传")
    return task


def payroll_sheet(ctx: ServiceContext, caller: Caller, task_id: str) -> tuple[str, bytes]:
    """The sheet to fill in: (file name, .xlsx bytes), one row per officer to be paid this month."""
    with ctx.database.reading() as session:
        task = _task(session, caller, task_id)
        instance = session.get(InstanceModel, task.instance_id)
        assert instance is not None  # noqa: S101 - a task's instance
        engine, workflow = InstanceRunner(ctx, session, caller.username).load(instance)
        opened = engine.data(workflow)["payroll_month"]
        officers = officers_in_month(session, opened["month"])
        signed = signed_undertakings(session, [o.id for o in officers])
        villages = village_names(session, [o.village_code for o in officers])
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = opened["month"]
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    standard = opened["standard"]
    for officer in officers:
        if officer.id not in signed:
            continue  # not paid without an undertaking
        village = villages.get(officer.village_code)
        amounts = [standard[key] for key, _, _ in ITEMS]
        sheet.append([officer.id, officer.name, village.zh if village else "", *amounts, 0, ""])
    for column, width in zip("ABC", (10, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return f"工资表-{opened['month']}.xlsx", out.getvalue()


def _number(value: Any, row: int, title: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip() or 0)
    except ValueError:
        raise InvalidInputError(
            "第 {row} 行“{title}”不是金额：{value}",
            english="Row {row}: {title} is not an amount: {value}",
            errors={"file": [f"第 {row} 行“{title}”不是金额", f"Row {row}: {title} is not an amount"]},
            row=row,
            title=title,
            value=value,
        ) from None


def read_payroll_sheet(content: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded sheet, as the submission form takes them; blank lines are skipped."""
    check_file(content)
    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    if not lines or tuple(str(v or "").strip() for v in lines[0][: len(HEADER)]) != HEADER:
        raise InvalidInputError(
            "第一行应为本页下载的表头：{header}",
            english="The first row must be the header of the sheet downloaded here",
            errors={"file": ["表头不符", "The header differs"]},
            header="、".join(HEADER),
        )
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        values = list(line) + [None] * (len(HEADER) - len(line))
        if all(v in (None, "") for v in values[: len(HEADER)]):
            continue
        try:
            officer_id = int(values[0])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInputError(
                "第 {row} 行的辅警编号不是数字：{value}",
                english="Row {row}: the officer number is not a number: {value}",
                errors={"file": [f"第 {number} 行辅警编号有误", f"Row {number}: officer number"]},
                row=number,
                value=values[0],
            ) from None
        row: dict[str, Any] = {"officer_id": officer_id}
        for offset, (key, zh, _) in enumerate(AMOUNTS, start=3):
            row[key] = _number(values[offset], number, zh)
        remarks = str(values[3 + len(AMOUNTS)] or "").strip()
        if remarks:
            row["remarks"] = remarks
        rows.append(row)
    return rows


def upload_payroll(ctx: ServiceContext, caller: Caller, task_id: str, content: bytes) -> dict[str, Any]:
    """Submit the month's payroll from the uploaded sheet: the task completes with its rows (then checked)."""
    with ctx.database.reading() as session:
        _task(session, caller, task_id)
    rows = read_payroll_sheet(content)
    return tasks.complete_task(ctx, caller, task_id, {"rows": rows})
