"""Start a month's appraisal for N officers and compare it with bare SpiffWorkflow; time the big queues.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.appraisal_bench [--quick]

For each N: ``start_month(ctx, month, actor, workers=1)`` and ``workers=2`` on a fresh database each
(an SQLite file; a fresh PostgreSQL schema when the server answers), the rows it wrote, and raw
SpiffWorkflow creating and stepping the same N instances in this process (one core, in memory). Then,
with the largest SQLite month started (officers half in a Gushan, half in a Boyu village), the first page
of ``police_station:gushan`` and ``GET /api/v1/queues`` through the Flask test client.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, text

from bench.pgschema import (
    discard_service_logs,
    fresh_schema,
    library_logging,
    load_average,
    postgres_problem,
)
from bench.queue_volume import time_calls
from bench.recruitment_bench import log, machine
from bench.stats import Row, format_table, ms, percentile, verdict
from service import create_app
from service.config import PROJECT_ROOT, Settings
from service.context import ServiceContext
from service.persistence import migrate
from service.persistence.models import OfficerModel
from service.usecases import tasks as task_usecases
from service.usecases.appraisal import scoring_due_at, start_month
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import DATA_DIR, authenticate, create_user, load_register
from workflows.scripting import RestrictedScriptEngine
from workflows.serialization import dump_state
from workflows.specs import attach_forms, parse_bundle, read_bundle

MONTH = "2026-11"
RATIO_TARGET = 1.5
QUEUE_P95_TARGET = 0.025
STATION = "police_station:gushan"
VILLAGES = ("gs-v01", "by-v01")  # officer n works in VILLAGES[n % 2]: half Gushan, half Boyu
USERS = {"gushan_station": STATION, "gushan_gov": "town_gov:gushan"}
TABLES = ("instances", "human_tasks", "timers", "audit_events", "instance_subjects", "appraisal_starts")


@dataclass(frozen=True)
class Sizes:
    sqlite: tuple[int, ...]
    postgres: tuple[int, ...]
    queue_repeat: int


FULL = Sizes(sqlite=(46, 5_000, 70_000), postgres=(46, 5_000), queue_repeat=200)
QUICK = Sizes(sqlite=(46, 1_000, 5_000), postgres=(46, 1_000), queue_repeat=200)


def token_of(username: str) -> str:
    return f"bench-token-{username}"


def villages() -> dict[str, dict[str, Any]]:
    register = json.loads((DATA_DIR / "villages.json").read_text(encoding="utf-8"))["villages"]
    return {item["code"]: item for item in register if item["code"] in VILLAGES}


def officer_rows(count: int, now: datetime) -> list[dict[str, Any]]:
    register = villages()
    return [
        {
            "application_id": None,
            "name": f"测试辅警{n:05d}",
            "village_code": VILLAGES[n % 2],
            "town": register[VILLAGES[n % 2]]["town"],
            "role": "director_assistant",
            "party_member": False,
            "contract_number": f"B-{n:05d}",
            "contract_start": date(2026, 1, 1),
            "contract_end": date(2028, 12, 31),
            "status": "in_service",
            "hiring_instance_id": None,
            "hired_at": now,
        }
        for n in range(count)
    ]


def start_data(officer_id: int, row: dict[str, Any], village: dict[str, Any]) -> dict[str, Any]:
    """The start data ``start_month`` gives an officer's instance (see appraisal._start_data)."""
    return {
        "officer_id": officer_id,
        "officer_name": row["name"],
        "village_code": village["code"],
        "village_name": village["name_zh"],
        "town": row["town"],
        "month": MONTH,
        "due_at": scoring_due_at(MONTH, Settings().appraisal_due_day).isoformat(),
        "subject": f"{row['name']}（{village['name_zh']}）{MONTH}",
    }


@dataclass(frozen=True)
class RawRun:
    seconds: float  # BpmnWorkflow(...) + start data + do_engine_steps, summed over the instances
    cpu: float  # the same in CPU seconds of this process (robust against other load on the machine)
    dump_seconds: float  # dump_state + orjson.dumps on top (info: the service stores every state)


def raw_start(count: int) -> RawRun:
    """Create and step ``count`` appraisal instances on bare SpiffWorkflow, one core, in memory."""
    files = attach_forms(read_bundle(PROJECT_ROOT / "bpmn" / "appraisal"), PROJECT_ROOT / "forms")
    specs = parse_bundle(files)
    spec, subprocess_specs = specs.spec_for("appraisal")
    register = villages()
    rows = officer_rows(count, datetime.now(UTC))
    data = [start_data(n + 1, row, register[row["village_code"]]) for n, row in enumerate(rows)]
    engine_time = engine_cpu = dump_time = 0.0
    with library_logging():
        for item in data:
            started, cpu = time.perf_counter(), time.process_time()
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=RestrictedScriptEngine())
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(item)
            workflow.do_engine_steps()
            stepped = time.perf_counter()
            engine_cpu += time.process_time() - cpu
            orjson.dumps(dump_state(workflow))
            engine_time += stepped - started
            dump_time += time.perf_counter() - stepped
    return RawRun(engine_time, engine_cpu, dump_time)


def cpu_now() -> float:
    """CPU seconds of this process plus its finished children (the spawned start_month workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class StartRun:
    backend: str
    officers: int
    workers: int
    seconds: float = 0.0
    cpu: float = 0.0  # this process and its workers; PostgreSQL's own CPU is not included
    started: int = 0
    rows: dict[str, int] = field(default_factory=dict)


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with fresh_schema("bench_appraisal") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="auxpolice-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'auxpolice.db'}"


@contextmanager
def service(url: str, officers: int) -> Iterator[tuple[Any, ServiceContext]]:
    """A migrated app with the register, the bundled definitions, two users and ``officers`` officers."""
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url})
    discard_service_logs()
    ctx: ServiceContext = app.extensions["auxpolice"]
    with ctx.database.transaction() as session:
        load_register(session)
        for username, department in USERS.items():
            create_user(ctx, session, username, username, [department], token_of(username))
    deploy_bundled(ctx, "bench")
    rows = officer_rows(officers, ctx.clock.now())
    for offset in range(0, len(rows), 10_000):
        with ctx.database.transaction() as session:
            session.execute(insert(OfficerModel), rows[offset : offset + 10_000])
    try:
        yield app, ctx
    finally:
        ctx.database.dispose()


def counts(ctx: ServiceContext) -> dict[str, int]:
    with ctx.database.reading() as session:
        return {
            table: int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608
            for table in TABLES
        }


def run_start(ctx: ServiceContext, run: StartRun) -> StartRun:
    before = counts(ctx)
    started, cpu = time.perf_counter(), cpu_now()
    result = start_month(ctx, MONTH, "bench", workers=run.workers)
    run.seconds, run.cpu = time.perf_counter() - started, cpu_now() - cpu
    run.started = result["started"]
    run.rows = {table: count - before[table] for table, count in counts(ctx).items()}
    # Two scoring tasks per officer, and each officer's field report task once bpmn/fieldreports is deployed
    # (issue 17, point 7: started in the same batches).
    if run.started != run.officers or run.rows["human_tasks"] not in (2 * run.officers, 3 * run.officers):
        raise RuntimeError(f"{run.backend} N={run.officers}: started {result}, rows {run.rows}")
    return run


def queue_rows(
    app: Any, ctx: ServiceContext, backend: str, officers: int, repeat: int, target: bool
) -> list[Row]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_of('gushan_station')}"}
    url = f"/api/v1/queues/{STATION}/tasks?per_page=50"

    def get(path: str) -> Any:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    total = int(get(url)["total"])
    overview = {q["department"]: q["open"] for q in get("/api/v1/queues")}
    caller = authenticate(ctx, token_of("gushan_station"))
    listing = time_calls(lambda: get(url), repeat)
    usecase = time_calls(lambda: task_usecases.queue_tasks(ctx, caller, STATION, None, 1, 50), repeat)
    queues = time_calls(lambda: get("/api/v1/queues"), repeat)
    p95 = percentile(listing, 95)
    label = f"{backend} N={officers:,}"
    return [
        Row(
            f"{label}: open tasks after the start",
            f"{2 * officers:,}; {STATION}: {total:,}; GET /queues says {overview}",
        ),
        Row(
            f"{label}: GET /queues/{STATION}/tasks per_page=50 p50 / p95 ({repeat})",
            f"{ms(percentile(listing, 50))} / {ms(p95)}",
            f"p95 < {QUEUE_P95_TARGET * 1000:.0f} ms" if target else "",
            verdict(p95 < QUEUE_P95_TARGET) if target else "",
        ),
        Row(
            f"{label}:   same listing, use case without HTTP p50 / p95",
            f"{ms(percentile(usecase, 50))} / {ms(percentile(usecase, 95))}",
        ),
        Row(
            f"{label}: GET /queues (station user, 1 department) p50 / p95",
            f"{ms(percentile(queues, 50))} / {ms(percentile(queues, 95))}",
        ),
    ]


def start_rows(run: StartRun, raw: RawRun, target: bool) -> list[Row]:
    ratio = run.seconds / raw.seconds
    strict = run.seconds / (raw.seconds + raw.dump_seconds)
    per = run.seconds / run.officers
    note = " (in-process: below PARALLEL_MINIMUM)" if run.workers > 1 and run.officers < 2_000 else ""
    return [
        Row(
            f"{run.backend} N={run.officers:,}: start_month workers={run.workers}{note}",
            f"{run.seconds:.2f} s ({per * 1000:.2f} ms/officer); service/raw {ratio:.2f}x "
            f"(vs raw + dump {strict:.2f}x); CPU {run.cpu:.1f} s, {run.cpu / raw.cpu:.2f}x raw CPU",
            f"<= {RATIO_TARGET}x" if target else "",
            verdict(ratio <= RATIO_TARGET) if target else "",
        )
    ]


def written(run: StartRun) -> Row:
    return Row(
        f"{run.backend} N={run.officers:,}: rows written",
        ", ".join(f"{table} {count:,}" for table, count in run.rows.items()),
    )


def run(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    every = sorted(set(sizes.sqlite) | set(sizes.postgres))
    raws: dict[int, RawRun] = {}
    for officers in every:
        log(f"raw SpiffWorkflow: {officers:,} instances")
        raws[officers] = raw = raw_start(officers)
        rows.append(
            Row(
                f"raw SpiffWorkflow N={officers:,}: create + start data + do_engine_steps",
                f"{raw.seconds:.2f} s ({raw.seconds / officers * 1000:.2f} ms/instance; "
                f"CPU {raw.cpu:.1f} s); + dump_state to JSON {raw.dump_seconds:.2f} s",
            )
        )
    problem = postgres_problem()
    backends = [("sqlite", sizes.sqlite)] + ([("postgresql", sizes.postgres)] if problem is None else [])
    if problem:
        rows.append(Row("PostgreSQL", f"skipped: {problem}"))
    for backend, sizes_here in backends:
        for officers in sizes_here:
            largest = officers == max(sizes_here)
            target = backend == "sqlite" and officers == max(sizes.sqlite)
            for workers in (1, 2):
                log(f"{backend}: start_month N={officers:,} workers={workers}")
                with database(backend) as url, service(url, officers) as (app, ctx):
                    done = run_start(ctx, StartRun(backend, officers, workers))
                    rows += start_rows(done, raws[officers], target)
                    if workers == 2:
                        rows.append(written(done))
                        if largest:
                            log(f"{backend}: timing the queues over {2 * officers:,} open tasks")
                            rows += queue_rows(app, ctx, backend, officers, sizes.queue_repeat, target)
    return rows


def single(officers: int, workers: int) -> list[Row]:
    """One configuration on SQLite: the service's start against the raw engine for the same N."""
    with database("sqlite") as url, service(url, officers) as (_app, ctx):
        log(f"sqlite: start_month N={officers:,} workers={workers}")
        done = run_start(ctx, StartRun("sqlite", officers, workers))
    log(f"raw SpiffWorkflow: {officers:,} instances")
    raw = raw_start(officers)
    return [*start_rows(done, raw, True), written(done)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="N = 46, 1,000 and 5,000 (PostgreSQL: 46 and 1,000)"
    )
    parser.add_argument("--officers", type=int, help="only this N, on SQLite (with --workers)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for --officers")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    print(f"auxpolice appraisal start benchmark ({'quick' if args.quick else 'full'}): {sizes}")
    print(f"{machine()}; load average at start {load_average()}")
    rows = single(args.officers, args.workers) if args.officers else run(sizes)
    print()
    print(format_table(rows))
    print(
        f"\ntotal wall time {time.perf_counter() - started:.0f} s; load average at the end {load_average()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
