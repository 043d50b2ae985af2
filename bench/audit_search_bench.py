"""Time the auditors' searches and the instance page on a generated year (issue 16, point 3).

Run by hand from the project root, on a schema left by bench/year_generator.py::

    .venv/bin/python -m bench.audit_search_bench --schema year_7000 [--repeat 15] [--indexes]

Unlike bench/year_bench.py it starts no month and completes no task, so it can run any number of times on
the same year. ``--indexes`` first creates what migration 0028 adds (``(at, id, seq)`` and the trigram GIN
index on ``CAST(payload AS TEXT)``) when the schema lacks them: a year generated before 0028 was filled in
is stamped with the revision but has neither; their build time and size are printed, and the ``(at)``
index 0028 replaces is dropped. ``--explain`` prints
``EXPLAIN (ANALYZE, BUFFERS)`` of the free-text and one-day statements as the service runs them;
``--write-cost`` what the trigram index costs each event written (a table of its own, dropped after).

Each figure: p50 / p95 over ``--repeat`` calls after 2 untimed, through the Flask test client (bearer
token for the API, a signed-in session for pages), and the statements and read sessions of one call.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import event, func, select, text

from bench.pgschema import POSTGRES_URL, library_logging, load_average
from bench.queue_volume import time_calls
from bench.recruitment_bench import log, machine
from bench.stats import Row, format_table, ms, percentile, verdict
from bench.year_bench import AUDITOR, LAST, TOWN, WEB_BUREAU, Database
from service.persistence.models import InstanceModel, OfficerModel

DAY = "2026-11-02"
TEXT = "群众投诉"
TARGET = 0.100  # p95, seconds (issue 16, point 3)
# What migration 0028 creates, for a year whose schema predates it (pg_trgm is in public).
INDEXES = {
    "ix_audit_events_at_id": "CREATE INDEX ix_audit_events_at_id ON audit_events (at, id, seq)",
    "ix_audit_events_payload_trgm": "CREATE INDEX ix_audit_events_payload_trgm ON audit_events"
    " USING gin ((CAST(payload AS TEXT)) public.gin_trgm_ops)",
}


def ensure_indexes(db: Database) -> None:
    with db.ctx.database.engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    for name, ddl in INDEXES.items():
        with db.ctx.database.engine.begin() as connection:
            if connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar():
                continue
            started = time.perf_counter()
            connection.execute(text(ddl))
            size = connection.execute(
                text("SELECT pg_relation_size(CAST(:name AS regclass))"), {"name": name}
            ).scalar()
            log(f"{name}: built in {time.perf_counter() - started:.0f} s, {int(size or 0) / 2**20:.0f} MiB")
    with db.ctx.database.engine.begin() as connection:
        connection.execute(text("DROP INDEX IF EXISTS ix_audit_events_at"))  # replaced by (at, id, seq)
        connection.execute(text("ANALYZE audit_events"))


@contextmanager
def counted(db: Database) -> Iterator[dict[str, int]]:
    """Statements and read sessions (BEGINs) while the block runs."""
    counts = {"statements": 0, "sessions": 0}
    engine = db.ctx.database.read_engine

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def begin(*_args: Any) -> None:
        counts["sessions"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


def calls(db: Database) -> dict[str, Callable[[], Any]]:
    with db.ctx.database.reading() as session:
        officer = session.scalar(select(func.min(OfficerModel.id)).where(OfficerModel.town == TOWN))
        instance = session.scalar(
            select(InstanceModel.id).where(InstanceModel.business_key == f"{LAST}/{officer}")
        )
    words = quote(TEXT)
    api = "/api/v1/audit/events"
    return {
        "audit search by officer": lambda: db.get(f"{api}?officer_id={officer}", AUDITOR),
        "audit search by person (display name)": lambda: db.get(
            f"{api}?person={quote('测0003镇派出所')}", AUDITOR
        ),
        "audit search by date range (one day), chain order": lambda: db.get(
            f"{api}?date_from={DAY}&date_to={DAY}", AUDITOR
        ),
        "audit search by date range (one day), newest first": lambda: db.get(
            f"{api}?date_from={DAY}&date_to={DAY}&order=newest", AUDITOR
        ),
        f"audit search, free text ({TEXT}), chain order": lambda: db.get(f"{api}?text={words}", AUDITOR),
        f"audit search, free text ({TEXT}), newest first": lambda: db.get(
            f"{api}?text={words}&order=newest", AUDITOR
        ),
        "audit page (web), one day": lambda: db.get(f"/audit?since={DAY}&until={DAY}", WEB_BUREAU, web=True),
        f"audit page (web), free text ({TEXT})": lambda: db.get(f"/audit?text={words}", WEB_BUREAU, web=True),
        "instance page (web)": lambda: db.get(f"/instances/{instance}", WEB_BUREAU, web=True),
    }


def explain(db: Database) -> None:
    from service.usecases import audit_trail  # noqa: PLC0415 - only for --explain
    from service.usecases.directory import Caller  # noqa: PLC0415

    caller = Caller(AUDITOR, "审计 基准", frozenset(), roles=frozenset({"auditor"}))
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        statements.append((statement, parameters))

    engine = db.ctx.database.read_engine
    filters = {
        "free text": audit_trail.AuditFilters(text=TEXT),
        "one day": audit_trail.AuditFilters(
            date_from=datetime.fromisoformat(DAY).date(), date_to=datetime.fromisoformat(DAY).date()
        ),
    }
    for label, wanted in filters.items():
        statements.clear()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            audit_trail.search(db.ctx, caller, wanted, 1, 50)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        for statement, parameters in statements[:2]:
            with engine.connect() as connection:
                plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print(f"\n-- {label}\n" + "\n".join(row[0] for row in plan))


def write_cost(db: Database, events: int = 20_000, per_transaction: int = 18) -> None:
    """Insert ``events`` of the year's events (every 50th) into a table of their own, in transactions of
    ``per_transaction`` (an appraisal's events), without and with the trigram index, twice each."""
    with db.ctx.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT at, actor, action, instance_id, task_id, department_code, CAST(payload AS TEXT)"
                " FROM audit_events WHERE id % 50 = 0 LIMIT :events"
            ),
            {"events": events},
        ).all()
    insert = text(
        "INSERT INTO bench_write_cost (at, actor, action, instance_id, task_id, department_code, payload)"
        " VALUES (:at, :actor, :action, :instance_id, :task_id, :department_code, CAST(:payload AS JSON))"
    )
    keys = ("at", "actor", "action", "instance_id", "task_id", "department_code", "payload")
    for trigram in (False, True, False, True):
        with db.ctx.database.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS bench_write_cost"))
            connection.execute(
                text(
                    "CREATE TABLE bench_write_cost (id serial PRIMARY KEY, at timestamptz, actor text,"
                    " action text, instance_id int, task_id text, department_code text, payload json)"
                )
            )
            if trigram:
                connection.execute(
                    text(
                        "CREATE INDEX ON bench_write_cost USING gin ((CAST(payload AS TEXT))"
                        " public.gin_trgm_ops)"
                    )
                )
        started = time.perf_counter()
        for start in range(0, len(rows), per_transaction):
            with db.ctx.database.engine.begin() as connection:
                batch = rows[start : start + per_transaction]
                connection.execute(insert, [dict(zip(keys, row, strict=True)) for row in batch])
        seconds = time.perf_counter() - started
        log(f"trigram index {trigram}: {seconds / len(rows) * 1e6:.0f} us per event written")
    with db.ctx.database.engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_write_cost"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--schema", required=True, help="the generated year's schema (year_<officers>)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--indexes", action="store_true", help="create migration 0028's indexes if missing")
    parser.add_argument("--explain", action="store_true", help="print the plans of two searches")
    parser.add_argument(
        "--write-cost", action="store_true", help="time events written without and with the trigram index"
    )
    args = parser.parse_args(argv)
    print(f"auxpolice audit search benchmark on schema {args.schema}, {args.repeat} timed calls per figure")
    print(f"{machine()}; load average at start {load_average()}")
    with library_logging():
        db = Database("year", f"{POSTGRES_URL}?options=-csearch_path%3D{args.schema}")
    if args.indexes:
        ensure_indexes(db)
    rows = []
    for label, call in calls(db).items():
        log(label)
        with counted(db) as counts:
            call()
        samples = time_calls(call, args.repeat, warmup=2)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        rows.append(
            Row(
                label,
                f"{ms(p50)} / {ms(p95)} ({counts['statements']} statements, {counts['sessions']} sessions)",
                "p95 < 100 ms",
                verdict(p95 < TARGET),
            )
        )
    if args.explain:
        explain(db)
    if args.write_cost:
        write_cost(db)
    db.ctx.database.dispose()
    print()
    print(format_table(rows))
    print(f"\nload average at the end {load_average()}; {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
