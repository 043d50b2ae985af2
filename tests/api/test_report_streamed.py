"""The month report's file is written batch by batch (issue 16): its memory does not grow with the rows,
and every row read in batches is in the file, on SQLite and PostgreSQL (a server-side cursor)."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import insert, select

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, OfficerModel, VillageModel
from service.usecases import appraisal_reports
from service.usecases.directory import Caller

BATCH = 50
AUDITOR = Caller(
    username="auditor", display_name="审计", departments=frozenset(), roles=frozenset({"auditor"})
)


def add_month(ctx: ServiceContext, month: str, rows: int) -> None:
    """``rows`` new officers with a confirmed record of ``month``, spread over the register's villages."""
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with ctx.database.transaction() as session:
        villages = session.execute(select(VillageModel.code, VillageModel.town).limit(40)).all()
        officers = [
            {
                "name": f"辅警{month}{number:05d}",
                "village_code": villages[number % len(villages)].code,
                "town": villages[number % len(villages)].town,
                "role": "village",
                "party_member": False,
                "contract_number": f"C{month}{number}",
                "contract_start": date(2026, 1, 1),
                "contract_end": date(2028, 12, 31),
                "status": "active",
                "hired_at": at,
            }
            for number in range(rows)
        ]
        ids = session.scalars(insert(OfficerModel).returning(OfficerModel.id), officers).all()
        session.execute(
            insert(AppraisalRecordModel),
            [
                {
                    "officer_id": officer_id,
                    "month": month,
                    "town": officer["town"],
                    "station_total": 90.0,
                    "town_total": 88.5,
                    "combined_score": 89.1,
                    "veto": False,
                    "veto_reason": '=HYPERLINK("x")' * 20,  # a long text in every row, written as text
                    "suggested_grade": "competent",
                    "grade": "competent",
                    "promotion_level": "keep",
                    "reward": False,
                    "confirmed_by": "bureau_head",
                    "confirmed_at": at,
                }
                for officer_id, officer in zip(ids, officers, strict=True)
            ],
        )


def peak_of_export(ctx: ServiceContext, month: str) -> tuple[int, int]:
    """(peak Python memory while writing the month's XLSX, its data rows as read back)."""
    target = io.BytesIO()
    tracemalloc.start()
    with appraisal_reports.month_report_batches(ctx, AUDITOR, month, None, batch=BATCH) as batches:
        appraisal_reports.write_xlsx(batches, month, target)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sheet = load_workbook(io.BytesIO(target.getvalue()), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("辅警编号", "姓名") and rows[-1][-1] == "bureau_head"
    # The file itself is in memory here (BytesIO): what must not grow is the rest.
    return peak - len(target.getvalue()), len(rows) - 1


def test_the_xlsx_export_memory_does_not_grow_with_its_rows(ctx: ServiceContext) -> None:
    add_month(ctx, "2025-01", 200)
    add_month(ctx, "2025-02", 800)
    peak_of_export(ctx, "2025-01")  # imports and caches warmed, as in a running service
    small, small_rows = peak_of_export(ctx, "2025-01")
    large, large_rows = peak_of_export(ctx, "2025-02")
    assert (small_rows, large_rows) == (200, 800)
    # Built whole in memory, four times the rows took about four times the memory; batch by batch, the same.
    assert large < 1.5 * small, (small, large)
