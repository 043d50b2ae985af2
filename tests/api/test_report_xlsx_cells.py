"""The month report's XLSX read back cell by cell (issue 16: written with XlsxWriter in constant-memory mode):
Chinese headers, numbers as numbers, text as text whatever it starts with, yes/no as 是/否, times as Beijing
date-time cells in the column's format (an empty one formatted too), text cut and cleaned as every export's
is, the sheet named after the month; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import insert, select

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, OfficerModel, VillageModel
from service.usecases import appraisal_reports
from service.usecases.export_cells import MAX_CELL, TRUNCATED
from tests.api.test_report_streamed import AUDITOR

MONTH = "2025-03"
VETOED_AT = datetime(2026, 11, 30, 17, 30, 15, 987654, tzinfo=UTC)  # 01:30:15 on 1 December in Beijing
CONFIRMED_AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def add_officers(ctx: ServiceContext) -> tuple[int, int]:
    """A vetoed officer whose reason holds a formula, a control character and too much text, and one not
    vetoed: (their ids)."""
    with ctx.database.transaction() as session:
        village = session.execute(select(VillageModel.code, VillageModel.town).limit(1)).one()
        ids = session.scalars(
            insert(OfficerModel).returning(OfficerModel.id),
            [
                {
                    "name": name,
                    "village_code": village.code,
                    "town": village.town,
                    "role": "village",
                    "party_member": False,
                    "contract_number": f"X{name}",
                    "contract_start": date(2026, 1, 1),
                    "contract_end": date(2028, 12, 31),
                    "status": "active",
                    "hired_at": CONFIRMED_AT,
                }
                for name in ('=HYPERLINK("http://evil.example","张")', "李四")
            ],
        ).all()
        common = {"month": MONTH, "town": village.town, "suggested_grade": "competent", "reward": False}
        session.execute(
            insert(AppraisalRecordModel),
            [
                common
                | {
                    "officer_id": ids[0],
                    "station_total": 60,
                    "town_total": 70.5,
                    "combined_score": 66.25,
                    "veto": True,
                    "veto_reason": "-1+1\x07" + "查" * MAX_CELL,
                    "veto_by": "unknown_station_user",
                    "veto_at": VETOED_AT,
                    "grade": "incompetent",
                    "promotion_level": "keep",
                    "confirmed_by": "unknown_head",
                    "confirmed_at": CONFIRMED_AT,
                },
                common
                | {
                    "officer_id": ids[1],
                    "station_total": 90,
                    "town_total": 88.5,
                    "combined_score": 89.1,
                    "veto": False,
                    "grade": "competent",
                    "promotion_level": "keep",
                    "reward": True,
                    "confirmed_by": "unknown_head",
                    "confirmed_at": CONFIRMED_AT,
                },
            ],
        )
    return ids[0], ids[1]


def test_the_month_report_workbook_reads_back_cell_by_cell(ctx: ServiceContext) -> None:
    vetoed, kept = add_officers(ctx)
    path, town = appraisal_reports.month_report_file(ctx, AUDITOR, MONTH, None, "xlsx")
    try:
        with open(path, "rb") as written:  # a temporary file's name, not ending in .xlsx
            book = load_workbook(written)
    finally:
        os.unlink(path)
    assert town is None and book.sheetnames == [f"{MONTH} "]
    sheet = book.active
    assert sheet is not None
    lines = list(sheet.iter_rows())
    header = [cell.value for cell in lines[0]]
    assert header == [zh for _key, zh, _en in appraisal_reports.MONTH_COLUMNS]
    assert all(cell.data_type == "s" for cell in lines[0])
    cells = {line[0].value: {h: cell for h, cell in zip(header, line, strict=True)} for line in lines[1:]}
    assert set(cells) == {vetoed, kept}
    row, other = cells[vetoed], cells[kept]

    assert [(row[h].value, row[h].data_type) for h in ("派出所评分", "镇政府评分", "综合得分")] == [
        (60, "n"),
        (70.5, "n"),
        (66.25, "n"),
    ]
    # Text is a text cell, never a formula, whatever it starts with; cleaned and cut as every export's is.
    assert (row["姓名"].value, row["姓名"].data_type) == ('=HYPERLINK("http://evil.example","张")', "s")
    reason = row["否决理由"].value
    assert row["否决理由"].data_type == "s" and len(reason) == MAX_CELL
    assert reason.startswith("-1+1查") and reason.endswith("查" + TRUNCATED)
    assert not any(cell.data_type == "f" for line in lines for cell in line)
    labels = ("一票否决", "奖励", "建议等次", "考核等次")
    assert [row[h].value for h in labels] == ["是", "否", "称职", "不称职"]
    assert [other[h].value for h in ("一票否决", "奖励")] == ["否", "是"]
    # An unknown decider is shown by username, in both columns.
    assert [row[h].value for h in ("否决人", "否决人账号（代码）", "确定人账号（代码）")] == [
        "unknown_station_user",
        "unknown_station_user",
        "unknown_head",
    ]
    # Times: date-time cells of the Beijing wall time to the second, in the column's format, empty ones too.
    vetoed_at, confirmed_at = row["否决时间（北京时间）"], row["确定时间（北京时间）"]
    assert (vetoed_at.value, vetoed_at.data_type) == (datetime(2026, 12, 1, 1, 30, 15), "d")
    assert confirmed_at.value == datetime(2026, 12, 1, 10, 0)
    empty = other["否决时间（北京时间）"]
    assert empty.value is None and other["否决理由"].value is None and other["否决人"].value is None
    for cell in (vetoed_at, confirmed_at, empty):
        assert cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert row["姓名"].number_format == "General"
    time_columns = sheet.column_dimensions["O"]  # the two time columns, O and P, as one group of columns
    assert time_columns.width >= 20 and (time_columns.min, time_columns.max) == (15, 16)
