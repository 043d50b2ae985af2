"""Time the month report's XLSX export of a province (issue 16): the target is 70,000 rows under 30 s with
memory flat in the number of rows.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.report_bench [--rows 7000 70000] [--schema year_7000 --month 2026-11]

Without ``--schema``: a fresh PostgreSQL schema, migrated, with the shipped register and the given numbers
of synthetic officers each with a confirmed record of a month of their own (one month per size). With
``--schema``: that existing schema's month (read-only). For each month, the export as the API writes it
(``appraisal_reports.month_report_file``: rows read in batches, an XlsxWriter constant-memory workbook, a
temporary file),
timed by the wall clock and CPU; then again under tracemalloc for the peak of Python memory; and the
process's peak RSS growth (ru_maxrss) over the timed run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from bench.pgschema import POSTGRES_URL, discard_service_logs, fresh_schema, load_average
from bench.recruitment_bench import log, machine
from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import AppraisalRecordModel, OfficerModel, VillageModel
from service.usecases import appraisal_reports
from service.usecases.directory import Caller, load_register

AUDITOR = Caller("bench_auditor", "审计 基准", departments=frozenset(), roles=frozenset({"auditor"}))
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def add_month(ctx: ServiceContext, month: str, rows: int) -> None:
    with ctx.database.transaction() as session:
        villages = session.execute(select(VillageModel.code, VillageModel.town)).all()
    for start in range(0, rows, 10_000):
        with ctx.database.transaction() as session:
            officers = [
                {
                    "name": f"测试辅警{number:06d}",
                    "village_code": villages[number % len(villages)].code,
                    "town": villages[number % len(villages)].town,
                    "role": "village",
                    "party_member": number % 3 == 0,
                    "contract_number": f"B{month}-{number}",
                    "contract_start": date(2026, 1, 1),
                    "contract_end": date(2028, 12, 31),
                    "status": "active",
                    "hired_at": AT,
                }
                for number in range(start, min(rows, start + 10_000))
            ]
            ids = session.scalars(insert(OfficerModel).returning(OfficerModel.id), officers).all()
            vetoed = {officer_id for officer_id in ids if officer_id % 67 == 0}
            session.execute(
                insert(AppraisalRecordModel),
                [
                    {
                        "officer_id": officer_id,
                        "month": month,
                        "town": officer["town"],
                        "station_total": 80 + officer_id % 20,
                        "town_total": 85.5,
                        "combined_score": 83.2,
                        "veto": officer_id in vetoed,
                        "veto_reason": "群众投诉，经查属实" if officer_id in vetoed else None,
                        "veto_by": "bench_station" if officer_id in vetoed else None,
                        "veto_at": AT if officer_id in vetoed else None,
                        "suggested_grade": "competent",
                        "grade": "incompetent" if officer_id in vetoed else "competent",
                        "promotion_level": "keep",
                        "reward": False,
                        "confirmed_by": "bench_bureau_head",
                        "confirmed_at": AT,
                    }
                    for officer_id, officer in zip(ids, officers, strict=True)
                ],
            )


def measure(ctx: ServiceContext, month: str) -> str:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    path, _town = appraisal_reports.month_report_file(ctx, AUDITOR, month, None, "xlsx")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    size = os.path.getsize(path)
    os.unlink(path)
    tracemalloc.start()
    path, _town = appraisal_reports.month_report_file(ctx, AUDITOR, month, None, "xlsx")
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    os.unlink(path)
    with ctx.database.reading() as session:
        rows = len(
            session.scalars(select(AppraisalRecordModel.id).where(AppraisalRecordModel.month == month)).all()
        )  # noqa: E501
    return (
        f"| {month} | {rows:,} | {wall:.2f} s | {cpu:.2f} s | {peak / 2**20:.1f} MiB |"
        f" {rss_growth / 1024:.1f} MiB | {size / 2**20:.2f} MiB | {load_average()} |"
        f" {'PASS' if wall < 30 else 'FAIL'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[7_000, 70_000])
    parser.add_argument(
        "--schema", help="an existing schema (e.g. year_7000): measure its --month, read-only"
    )
    parser.add_argument("--month", default="2026-11")
    args = parser.parse_args(argv)
    log(f"machine: {machine()}; load {load_average()}")
    header = (
        "| month | rows | wall | CPU | peak Python memory (tracemalloc) | peak RSS growth | file | load |"
        " < 30 s |\n|---|---:|---:|---:|---:|---:|---:|---|---|"
    )
    if args.schema:
        app = create_app({"DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{args.schema}"})
        discard_service_logs()
        print(header)
        print(measure(app.extensions["auxpolice"], args.month))
        return 0
    with fresh_schema("reportbench") as url:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        discard_service_logs()
        ctx: ServiceContext = app.extensions["auxpolice"]
        with ctx.database.transaction() as session:
            load_register(session)
        months = [f"2025-{index + 1:02d}" for index in range(len(args.rows))]
        for month, rows in zip(months, args.rows, strict=True):
            log(f"{rows:,} officers with a record of {month}")
            add_month(ctx, month, rows)
        lines = [measure(ctx, month) for month in months]
        ctx.database.dispose()
    print(f"machine: {machine()}")
    print(header)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
