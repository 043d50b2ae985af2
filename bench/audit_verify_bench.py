"""Time `audit verify` over a large chain (issue 16, point 3): the target is 200,000 events per second.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.audit_verify_bench [--events 1000000] [--backend sqlite|postgresql|both]

1. A real appraisal month for the 46 demo officers runs through the API (bench/audit_sample.py, ~10 s):
   its 832 events are the shapes copied (starts with their data, task readiness, rubric submissions,
   engine decisions, veto decisions, completions with the whole data).
2. A fresh database (an SQLite file; a fresh PostgreSQL schema) is filled with N events cycling through
   the sample, each cycle with its own instance ids, task ids and times, recorded with ``audit.record``
   and chained by the real sealing code at each commit (5,000 events a transaction).
3. ``audit.verify`` over the whole chain, in one process, timed by the wall clock, by this process's CPU
   time and (PostgreSQL) by the CPU time of the database backend serving it (/proc/<pid>/stat): on
   PostgreSQL the database re-computes the hashes and links (issue 16), so the backend is the one core
   doing the work. On PostgreSQL the Python walk (every row hashed in this process, the path SQLite keeps)
   is timed too, on the same chain: before and after in one run.
4. The raw baseline, in the same run: read the same rows with the same driver, a page at a time, and
   SHA-256 each row's stored previous hash and payload in a tight loop, comparing with its stored hash.
   The ratio says what verification costs over reading and hashing alone.
5. An incremental run after 1% more events (``audit verify --incremental``) and one instance's check.

``--schema year_7000`` instead verifies an existing schema's chain (the year generator's), both walks,
without filling or changing anything.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection

from bench.audit_sample import appraisal_month_sample
from bench.pgschema import POSTGRES_URL, discard_service_logs, fresh_schema, load_average, postgres_problem
from bench.recruitment_bench import log, machine
from service import audit, create_app
from service.audit import verification
from service.backup.commands import chain_snapshot
from service.context import ServiceContext
from service.persistence import migrate

TARGET = 200_000  # events per second, one core
BATCH = 5_000  # events per sealing transaction while filling
T0 = datetime(2026, 1, 1, tzinfo=UTC)
TASK_IDS = uuid.UUID("6f1c3a52-16a3-4c1e-9d3e-0a1d6b2f7c16")


@dataclass
class Figures:
    backend: str
    events: int
    fill_seconds: float
    verify_seconds: float
    verify_cpu: float
    server_cpu: float | None  # the PostgreSQL backend's CPU seconds during verify
    python_walk: tuple[float, float] | None  # PostgreSQL: the Python walk on the same chain (wall, CPU)
    raw_seconds: float
    raw_cpu: float
    incremental_events: int
    incremental_seconds: float
    instance_events: int
    instance_seconds: float
    database_bytes: int | None

    def rate(self) -> float:
        return self.events / self.verify_seconds


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'audit.db'}"
        return
    with fresh_schema("auditbench") as url:
        yield url


def service(url: str) -> ServiceContext:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    discard_service_logs()
    return app.extensions["auxpolice"]  # type: ignore[no-any-return]


def fill(ctx: ServiceContext, sample: list[dict[str, Any]], count: int, first: int = 0) -> None:
    """Record ``count`` events copied from ``sample`` (event number ``first`` onwards), sealed at commit."""
    payloads = [orjson.loads(event["payload"]) for event in sample]
    for start in range(first, first + count, BATCH):
        with ctx.database.transaction() as session:
            for number in range(start, min(first + count, start + BATCH)):
                cycle, index = divmod(number, len(sample))
                event = sample[index]
                task = event["task_id"]
                audit.record(
                    session,
                    T0 + timedelta(microseconds=number * 37_013),
                    event["actor"],
                    event["action"],
                    instance_id=event["instance_id"] and event["instance_id"] + cycle * 1_000,
                    task_id=task and str(uuid.uuid5(TASK_IDS, f"{task}/{cycle}")),
                    department_code=event["department_code"],
                    **payloads[index],
                )
        if (start // BATCH) % 40 == 0:
            log(f"  filled {min(start + BATCH - first, count):,} of {count:,}")


def raw_baseline(connection: Connection) -> int:
    """Read the rows a page at a time with the same driver and hash them in a tight loop; return the count."""
    if connection.dialect.name == "sqlite":
        sql = (
            "SELECT seq, prev_hash, hash, at, actor, action, instance_id, task_id, department_code,"
            " CAST(payload AS BLOB) FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?"
        )
    else:
        sql = (
            "SELECT seq, prev_hash, hash, at, actor, action, instance_id, task_id, department_code,"
            " convert_to(payload::text, 'UTF8') FROM audit_events WHERE seq > %s ORDER BY seq LIMIT %s"
        )
    sha256 = hashlib.sha256
    cursor = connection.connection.cursor()
    after, count, mismatched = 0, 0, 0
    while True:
        cursor.execute(sql, (after, verification_page()))
        rows = cursor.fetchall()
        if not rows:
            break
        for row in rows:
            if sha256(row[1].encode() + row[9]).hexdigest() != row[2]:
                mismatched += 1  # always: the payload alone is not what was hashed
        count += len(rows)
        after = rows[-1][0]
    cursor.close()
    return count if mismatched == count else -1


def verification_page() -> int:
    from service.audit.chain_reader import PAGE

    return PAGE


def timed(function: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def backend_cpu(connection: Connection) -> float:
    """CPU seconds (user + system) used so far by the PostgreSQL backend serving ``connection``."""
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_verify(
    ctx: ServiceContext, in_database: bool
) -> tuple[verification.Verification, float, float, float]:
    """(the run, wall seconds, this process's CPU seconds, the database backend's CPU seconds or 0)."""
    key = ctx.settings.audit_key
    with chain_snapshot(ctx) as session:
        connection = session.connection()
        postgres = connection.dialect.name == "postgresql"
        server = backend_cpu(connection) if postgres else 0.0
        run, wall, cpu = timed(lambda: verification.verify(session, key, in_database=in_database))
        server = backend_cpu(connection) - server if postgres else 0.0
    return run, wall, cpu, server


def run(backend: str, events: int, sample: list[dict[str, Any]]) -> Figures:
    with database(backend) as url:
        ctx = service(url)
        key = ctx.settings.audit_key
        log(f"{backend}: filling {events:,} events")
        _none, fill_seconds, _cpu = timed(lambda: fill(ctx, sample, events))
        log(f"{backend}: filled in {fill_seconds:.0f} s; verifying")
        python_walk = None
        if backend == "postgresql":
            walked, walk_seconds, walk_cpu, _server = timed_verify(ctx, in_database=False)
            assert walked.checked == events and not walked.problems, (walked.checked, walked.problems[:3])
            python_walk = (walk_seconds, walk_cpu)
            log(f"{backend}: Python walk {walk_seconds:.2f} s ({events / walk_seconds:,.0f}/s)")
        intact, verify_seconds, verify_cpu, server_cpu = timed_verify(ctx, in_database=True)
        assert intact.checked == events and not intact.problems, (intact.checked, intact.problems[:3])
        log(f"{backend}: verify {verify_seconds:.2f} s ({events / verify_seconds:,.0f}/s); raw baseline")
        with chain_snapshot(ctx) as session:
            raw_count, raw_seconds, raw_cpu = timed(lambda: raw_baseline(session.connection()))
        assert raw_count == events, raw_count
        with ctx.database.transaction() as session:
            verification.record_point(session, key, intact, True, datetime.now(UTC), "bench")
        more = max(events // 100, 1)
        fill(ctx, sample, more, first=events)
        with chain_snapshot(ctx) as session:
            since, incremental_seconds, _cpu = timed(lambda: verification.verify_since_last(session, key))
        assert since.checked == more and not since.problems, (since.checked, since.problems[:3])
        instance_id = next(event["instance_id"] for event in sample if event["instance_id"])  # cycle 0
        with chain_snapshot(ctx) as session:
            (own, found), instance_seconds, _cpu = timed(
                lambda: verification.verify_instance(session, instance_id)
            )
        assert own > 0 and not found, (own, found)
        size = os.path.getsize(url.removeprefix("sqlite:///")) if backend == "sqlite" else None
        ctx.database.dispose()
    return Figures(
        backend,
        events,
        fill_seconds,
        verify_seconds,
        verify_cpu,
        server_cpu if backend == "postgresql" else None,
        python_walk,
        raw_seconds,
        raw_cpu,
        since.checked,
        incremental_seconds,
        own,
        instance_seconds,
        size,
    )


def per_second(events: int, seconds: float | None) -> str:
    return f"{seconds:.2f} s ({events / seconds:,.0f}/s)" if seconds else "-"


def report(figures: list[Figures]) -> str:
    lines = [
        "| backend | events | Python walk (wall; CPU) | verify (wall) | events/s | CPU of this process"
        " (events/s) | CPU of the database backend (events/s) | raw read + hash (wall; CPU) |"
        " ratio wall; CPU | incremental (1% more) | one instance | vs 200,000/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for f in figures:
        walk = (
            f"{per_second(f.events, f.python_walk[0])}; {per_second(f.events, f.python_walk[1])}"
            if f.python_walk
            else "(verify is the Python walk)"
        )
        lines.append(
            f"| {f.backend} | {f.events:,} | {walk} | {f.verify_seconds:.2f} s | {f.rate():,.0f} |"
            f" {per_second(f.events, f.verify_cpu)} | {per_second(f.events, f.server_cpu)} |"
            f" {f.raw_seconds:.2f} s; {f.raw_cpu:.2f} s ({f.events / f.raw_cpu:,.0f}/s) |"
            f" {f.verify_seconds / f.raw_seconds:.2f}x; {f.verify_cpu / f.raw_cpu:.2f}x |"
            f" {f.incremental_events:,} in {f.incremental_seconds * 1000:.0f} ms |"
            f" {f.instance_events} events in {f.instance_seconds * 1000:.1f} ms |"
            f" {'PASS' if f.rate() >= TARGET else 'FAIL'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--schema", help="only verify this existing PostgreSQL schema's chain (e.g. year_7000)"
    )
    args = parser.parse_args(argv)
    log(f"machine: {machine()}; load {load_average()}")
    if args.schema:
        return verify_schema(args.schema)
    sample = appraisal_month_sample()
    log(f"sample: {len(sample)} events of one appraisal month for 46 officers")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (problem := postgres_problem()):
        log(f"skipping PostgreSQL: {problem}")
        backends.remove("postgresql")
    figures = []
    for backend in backends:
        figures.append(run(backend, args.events, sample))
        log(report(figures[-1:]))
        if figures[-1].database_bytes:
            log(f"  SQLite file: {figures[-1].database_bytes / args.events:,.0f} bytes per event")
    print(f"machine: {machine()}; load after: {load_average()}")
    print(report(figures))
    return 0


def verify_schema(schema: str) -> int:
    """Both walks over an existing schema's chain, read-only."""
    app = create_app(
        {"DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", "SECRET_KEY": "bench"}
    )
    discard_service_logs()
    ctx: ServiceContext = app.extensions["auxpolice"]
    for in_database in (False, True):
        found, wall, cpu, server = timed_verify(ctx, in_database)
        walk = "in the database" if in_database else "Python walk"
        print(
            f"{schema}, {walk}: {found.checked:,} events, {len(found.problems)} problems;"
            f" wall {per_second(found.checked, wall)}; this process's CPU {per_second(found.checked, cpu)};"
            f" the database backend's CPU {per_second(found.checked, server)}; load {load_average()}"
        )
    ctx.database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
