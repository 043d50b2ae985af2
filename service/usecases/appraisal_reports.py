"""Appraisal reports: a month of one town as rows (JSON, CSV, XLSX) and an officer's year."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, OfficerModel, VillageModel
from service.usecases.appraisal import parse_month, previous_months
from service.usecases.dashboards import report_town
from service.usecases.directory import Caller
from service.usecases.errors import NotFoundError
from service.usecases.export_cells import csv_value, text_value
from service.usecases.names import Name, person_names, towns
from service.usecases.own_cases import finished_record, own_record_finished, result_only
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


# Rows read from the database per batch for an export: the memory of an export is a batch, not the month.
REPORT_BATCH = 1_000


def month_report(ctx: ServiceContext, caller: Caller, month: str, town: str | None) -> list[dict[str, Any]]:
    """Every appraised officer of ``month`` (of ``town``, or of all the towns the caller may see) with
    scores, veto, grade and level; a town the register does not have is not found.

    The caller's own row, if any, only once the month is finished and only as its result (own_cases).
    """
    with month_report_batches(ctx, caller, month, town) as batches:
        return [row for batch in batches for row in batch]


@contextmanager
def month_report_batches(
    ctx: ServiceContext, caller: Caller, month: str, town: str | None, batch: int = REPORT_BATCH
) -> Iterator[Iterator[list[dict[str, Any]]]]:
    """``month_report``'s rows in batches read from one snapshot as they are consumed (PostgreSQL: a
    server-side cursor), for exports of a whole province. The month and the town are checked, and the
    caller's access, on entering: a refusal comes before anything is written."""
    parse_month(month)
    with ctx.database.reading() as session:
        if town is not None and town not in {t["code"] for t in towns(session)}:
            raise NotFoundError("没有名为 {town} 的镇", town=town)
        yield _batches(session, caller, month, report_town(caller, town), batch)


_REPORT_COLUMNS = (
    OfficerModel.id.label("officer_id"),
    OfficerModel.name.label("officer_name"),
    VillageModel.code.label("village_code"),
    VillageModel.name_zh.label("village_name"),
    AppraisalRecordModel.town,
    AppraisalRecordModel.month,
    AppraisalRecordModel.station_total,
    AppraisalRecordModel.town_total,
    AppraisalRecordModel.combined_score,
    AppraisalRecordModel.veto,
    AppraisalRecordModel.veto_reason,
    AppraisalRecordModel.veto_by,
    AppraisalRecordModel.veto_at,
    AppraisalRecordModel.suggested_grade,
    AppraisalRecordModel.grade,
    AppraisalRecordModel.promotion_level,
    AppraisalRecordModel.reward,
    AppraisalRecordModel.confirmed_by,
    AppraisalRecordModel.confirmed_at,
)


def _batches(
    session: Session, caller: Caller, month: str, town: str | None, batch: int
) -> Iterator[list[dict[str, Any]]]:
    query = (
        select(*_REPORT_COLUMNS)
        .join(OfficerModel, OfficerModel.id == AppraisalRecordModel.officer_id)
        .join(VillageModel, VillageModel.code == OfficerModel.village_code)
        .where(AppraisalRecordModel.month == month)
        .order_by(VillageModel.code, OfficerModel.id)
    )
    if town:
        query = query.where(AppraisalRecordModel.town == town)
    people: dict[str, Name] = {}  # the deciders met so far: a few hundred users, however many rows
    looked_up: set[str | None] = set()
    own_finished: bool | None = None  # the caller's own month, looked up if their row comes
    for partition in session.execute(query.execution_options(yield_per=batch)).partitions():
        rows = [dict(row._mapping) for row in partition]
        deciders = {row[key] for row in rows for key in ("veto_by", "confirmed_by")} - looked_up
        people.update(person_names(session, deciders))
        looked_up |= deciders
        kept = []
        for row in rows:
            row["suggested_grade_label"] = GRADE_LABELS[row["suggested_grade"]]
            row["grade_label"] = GRADE_LABELS[row["grade"]]
            row["promotion_label"] = PROMOTION_LABELS[row["promotion_level"]]
            for key in ("veto_by", "confirmed_by"):
                name = people.get(row[key]) if row[key] else None
                row[f"{key}_name"] = name.zh if name else row[key]
            if caller.officer_id is not None and row["officer_id"] == caller.officer_id:
                if own_finished is None:
                    own_finished = own_record_finished(session, caller.officer_id, month)
                if not own_finished:
                    continue
                row = result_only(row)
            kept.append(row)
        yield kept


def month_report_file(
    ctx: ServiceContext, caller: Caller, month: str, town: str | None, file_format: str
) -> tuple[str, str | None]:
    """The month report written as ``file_format`` (csv or xlsx) into a new temporary file, batch by batch:
    (its path, for the caller to send and remove; the town it shows, None for all)."""
    with tempfile.NamedTemporaryFile(prefix="auxpolice-report-", delete=False) as target:
        try:
            with month_report_batches(ctx, caller, month, town) as batches:
                shown = report_town(caller, town)  # already checked on entering
                if file_format == "csv":
                    write_csv(batches, target)
                else:
                    write_xlsx(batches, f"{month} {shown or ''}", target)
        except BaseException:
            os.unlink(target.name)
            raise
    return target.name, shown


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return beijing_wall_time(value).strftime(EXPORT_TIME_FORMAT)
    return "" if value is None else value


def beijing_wall_time(value: datetime) -> datetime:
    """A stored (UTC) time as the Beijing wall time an export cell holds (no zone: the header names it)."""
    return value.astimezone(CHINA).replace(tzinfo=None, microsecond=0)


def write_csv(batches: Iterable[list[dict[str, Any]]], target: IO[bytes]) -> None:
    """CSV with Chinese headers into ``target``, batch by batch; a UTF-8 BOM so Excel opens it in the right
    encoding."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([zh for _key, zh, _en in MONTH_COLUMNS])
    for rows in batches:
        writer.writerows([csv_value(_cell(row[key])) for key, _zh, _en in MONTH_COLUMNS] for row in rows)
    text.flush()
    text.detach()  # ``target`` stays open for the caller


def write_xlsx(batches: Iterable[list[dict[str, Any]]], title: str, target: IO[bytes]) -> None:
    """The workbook into ``target``, batch by batch, with XlsxWriter in constant-memory mode: each row goes
    to the sheet's temporary file as it is written (text as inline strings), so nothing is kept per row.

    A value is written by its type: text as a text cell whatever it starts with (never a formula; characters
    XML cannot hold dropped, cut at Excel's cell limit: export_cells.text_value), yes/no as 是/否, a time as
    a date-time cell in Beijing time, a number as a number; an empty time cell keeps the column's format.
    """
    workbook = xlsxwriter.Workbook(target, _XLSX_OPTIONS)
    sheet = workbook.add_worksheet(title[:31])
    time_format = workbook.add_format({"num_format": XLSX_TIME_FORMAT})
    keys = [key for key, _zh, _en in MONTH_COLUMNS]
    for number, key in enumerate(keys):
        if key.endswith("_at"):
            sheet.set_column(number, number, 20)
    sheet.write_row(0, 0, [zh for _key, zh, _en in MONTH_COLUMNS])
    # Bound once: these run once per cell (18 a row, 70,000 rows for a province; docs/benchmarks.md).
    string, number_cell, blank, when = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_blank,
        sheet.write_datetime,
    )
    times = frozenset(number for number, key in enumerate(keys) if key.endswith("_at"))
    columns = list(enumerate(keys))
    line = 0
    for rows in batches:
        for row in rows:
            line += 1
            for number, key in columns:
                value = row[key]
                if value is None or value == "":
                    if number in times:  # formatted as the column is, as a time typed in later would be
                        blank(line, number, None, time_format)
                elif isinstance(value, str):
                    string(line, number, text_value(value))
                elif isinstance(value, bool):
                    string(line, number, "是" if value else "否")
                elif isinstance(value, datetime):  # a real date-time cell (sortable, filterable)
                    when(line, number, beijing_wall_time(value), time_format)
                else:
                    number_cell(line, number, value)
    workbook.close()


# Text stays text (a value starting with "=" is no formula), nothing is guessed from it; constant memory.
_XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


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
