"""Appraisal reports: a month of one town as rows (JSON, CSV, XLSX) and an officer's year."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, OfficerModel, VillageModel
from service.usecases.appraisal import parse_month, previous_months
from service.usecases.dashboards import report_town
from service.usecases.directory import Caller
from service.usecases.errors import NotFoundError
from service.usecases.export_cells import csv_value, xlsx_row
from service.usecases.names import person_names, towns
from service.usecases.own_cases import finished_record, own_report_rows
from workflows.ports import CHINA
from workflows.rules.grading import GRADE_LABELS, PROMOTION_LABELS, annual_grade

# Column key, Chinese header, English header: the order of the CSV/XLSX columns (new ones go last, so a
# sheet built on the earlier columns still reads them where they were).
MONTH_COLUMNS = (
    ("officer_id", "辅警编号", "Officer id"),
    ("officer_name", "姓名", "Name"),
    ("village_name", "村（社区）", "Village"),
    ("station_total", "派出所评分", "Station score"),
    ("town_total", "镇政府评分", "Town score"),
    ("combined_score", "综合得分", "Combined score"),
    ("veto", "一票否决", "Veto"),
    ("veto_reason", "否决理由", "Veto reason"),
    ("veto_by_name", "否决人", "Vetoed by"),
    ("suggested_grade_label", "建议等次", "Suggested grade"),
    ("grade_label", "考核等次", "Grade"),
    ("promotion_label", "晋升等级", "Promotion level"),
    ("reward", "奖励", "Reward"),
    ("confirmed_by_name", "确定人", "Confirmed by"),
    ("veto_at", "否决时间（北京时间）", "Vetoed at (Beijing time)"),
    ("confirmed_at", "确定时间（北京时间）", "Confirmed at (Beijing time)"),
    # The people above are shown by name; their usernames, for auditors who filter by them.
    ("veto_by", "否决人账号（代码）", "Vetoed by (username)"),
    ("confirmed_by", "确定人账号（代码）", "Confirmed by (username)"),
)
# Stored times are UTC; a spreadsheet cell has no zone, so it holds the Beijing wall time the header names.
EXPORT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def month_report(ctx: ServiceContext, caller: Caller, month: str, town: str | None) -> list[dict[str, Any]]:
    """Every appraised officer of ``month`` (of ``town``, or of all the towns the caller may see) with
    scores, veto, grade and level; a town the register does not have is not found.

    The caller's own row, if any, only once the month is finished and only as its result (own_cases).
    """
    parse_month(month)
    with ctx.database.reading() as session:
        if town is not None and town not in {t["code"] for t in towns(session)}:
            raise NotFoundError("没有名为 {town} 的镇", town=town)
        town = report_town(caller, town)
        query = (
            select(AppraisalRecordModel, OfficerModel, VillageModel)
            .join(OfficerModel, OfficerModel.id == AppraisalRecordModel.officer_id)
            .join(VillageModel, VillageModel.code == OfficerModel.village_code)
            .where(AppraisalRecordModel.month == month)
            .order_by(VillageModel.code, OfficerModel.id)
        )
        if town:
            query = query.where(AppraisalRecordModel.town == town)
        rows: list[dict[str, Any]] = [
            {
                "officer_id": officer.id,
                "officer_name": officer.name,
                "village_code": village.code,
                "village_name": village.name_zh,
                "town": record.town,
                "month": record.month,
                "station_total": record.station_total,
                "town_total": record.town_total,
                "combined_score": record.combined_score,
                "veto": record.veto,
                "veto_reason": record.veto_reason,
                "veto_by": record.veto_by,
                "veto_at": record.veto_at,
                "suggested_grade": record.suggested_grade,
                "suggested_grade_label": GRADE_LABELS[record.suggested_grade],
                "grade": record.grade,
                "grade_label": GRADE_LABELS[record.grade],
                "promotion_level": record.promotion_level,
                "promotion_label": PROMOTION_LABELS[record.promotion_level],
                "reward": record.reward,
                "confirmed_by": record.confirmed_by,
                "confirmed_at": record.confirmed_at,
            }
            for record, officer, village in session.execute(query).all()
        ]
        people = person_names(session, {row[key] for row in rows for key in ("veto_by", "confirmed_by")})
        for row in rows:
            for key in ("veto_by", "confirmed_by"):
                name = people.get(row[key]) if row[key] else None
                row[f"{key}_name"] = name.zh if name else row[key]
        return own_report_rows(session, caller, month, rows)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return beijing_wall_time(value).strftime(EXPORT_TIME_FORMAT)
    return "" if value is None else value


def beijing_wall_time(value: datetime) -> datetime:
    """A stored (UTC) time as the Beijing wall time an export cell holds (no zone: the header names it)."""
    return value.astimezone(CHINA).replace(tzinfo=None, microsecond=0)


def _xlsx_cell(value: Any) -> Any:
    # A real date-time cell (sortable, filterable in Excel), in Beijing time.
    return beijing_wall_time(value) if isinstance(value, datetime) else _cell(value)


def as_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with Chinese headers; a UTF-8 BOM so Excel opens it in the right encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([zh for _key, zh, _en in MONTH_COLUMNS])
    for row in rows:
        writer.writerow([csv_value(_cell(row[key])) for key, _zh, _en in MONTH_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def as_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([zh for _key, zh, _en in MONTH_COLUMNS])
    for row in rows:
        sheet.append(xlsx_row(sheet, [_xlsx_cell(row[key]) for key, _zh, _en in MONTH_COLUMNS]))
    for number, (key, _zh, _en) in enumerate(MONTH_COLUMNS, start=1):
        if key.endswith("_at"):
            sheet.column_dimensions[get_column_letter(number)].width = 20
            for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def officer_year(ctx: ServiceContext, caller: Caller, officer_id: int, until_month: str) -> dict[str, Any]:
    """The twelve months up to ``until_month`` for one officer, with the annual summary grade.

    An officer reading their own year sees only the finished months (own_cases).
    """
    months = list(reversed(previous_months(until_month, 12)))
    with ctx.database.reading() as session:
        officer = session.get(OfficerModel, officer_id)
        if officer is None:
            raise NotFoundError("辅警 {officer_id} 不存在", officer_id=officer_id)
        query = select(AppraisalRecordModel).where(
            AppraisalRecordModel.officer_id == officer_id, AppraisalRecordModel.month.in_(months)
        )
        if caller.officer_id == officer_id:
            query = query.where(finished_record())
        records = {r.month: r for r in session.scalars(query)}
    history = [
        {
            "month": month,
            "grade": records[month].grade if month in records else None,
            "combined_score": records[month].combined_score if month in records else None,
            "veto": records[month].veto if month in records else None,
        }
        for month in months
    ]
    grades = [records[month].grade for month in months if month in records]
    summary = annual_grade(grades)
    return {
        "officer_id": officer.id,
        "officer_name": officer.name,
        "months": history,
        "appraised_months": len(grades),
        "vetoed_months": sum(1 for item in history if item["veto"]),
        "annual_grade": summary,
        "annual_grade_label": GRADE_LABELS[summary] if summary else None,
    }
