"""Measure the service against bare SpiffWorkflow on the recruitment plan-review loop, and big queues.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.recruitment_bench [--quick]

1. raw SpiffWorkflow: per completion, load the state from a JSON string, complete draft_plan or
   review_plan ("return"), step, save to a JSON string;
2. the service: POST /api/v1/tasks/<id>/complete through the Flask test client, request to commit, on a
   SQLite file; throughput, latency and the service/raw ratio;
3. flatness: the cost of the 5th against the 500th completion of one instance, for both;
4. queues: GET /api/v1/queues/<department>/tasks and GET /api/v1/queues over 100,000 open tasks.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

from bench.queue_volume import BIG_DEPARTMENT, populate, time_queues
from bench.raw_engine import LoopRun, RawRecruitment, drive_raw, raw_throughput
from bench.service_app import BenchService, drive_service, service_throughput
from bench.stats import Row, band_medians, format_table, ms, percentile, verdict, window_median

RATIO_TARGET = 0.5
FLATNESS_TARGET = 1.5
QUEUE_P95_TARGET = 0.025
EARLY = 5


@dataclass(frozen=True)
class Sizes:
    instances: int  # throughput: this many fresh instances ...
    per_instance: int  # ... each driven this many completions round the loop
    flat_at: int  # flatness: compare completion EARLY with this one ...
    flat_runs: int  # ... pooled over this many instances (a window of 5 in one instance is noisy)
    queue_tasks: int
    queue_repeat: int


FULL = Sizes(instances=50, per_instance=20, flat_at=500, flat_runs=3, queue_tasks=100_000, queue_repeat=200)
QUICK = Sizes(instances=5, per_instance=20, flat_at=100, flat_runs=2, queue_tasks=10_000, queue_repeat=200)


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    return (
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; nproc {os.cpu_count()}; "
        f"Python {platform.python_version()}; SpiffWorkflow {version('SpiffWorkflow')}; "
        f"SQLAlchemy {version('SQLAlchemy')}; Flask {version('flask')}; {platform.machine()}; "
        f"{load()}"
    )


def load() -> str:
    """The load average: other work on this small machine shows up in the latencies."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min)"


def rate(run: LoopRun) -> float:
    return len(run.seconds) / run.total if run.total else 0.0


def throughput_rows(raw: LoopRun, state_only: LoopRun, service: LoopRun) -> list[Row]:
    ratio, strict = rate(service) / rate(raw), rate(service) / rate(state_only)
    rows = [
        Row(
            "raw SpiffWorkflow, spiff serializer (with spec)",
            f"{rate(raw):.1f} completions/s ({len(raw.seconds)}; p50 {ms(percentile(raw.seconds, 50))})",
        ),
        Row(
            "raw SpiffWorkflow, service's spec-less state JSON",
            f"{rate(state_only):.1f} completions/s ({len(state_only.seconds)}; "
            f"p50 {ms(percentile(state_only.seconds, 50))})",
        ),
        Row(
            "service POST /tasks/<id>/complete (test client, SQLite)",
            f"{rate(service):.1f} completions/s ({len(service.seconds)})",
        ),
        Row(
            "service/raw throughput ratio",
            f"{ratio:.2f}",
            f">= {RATIO_TARGET}",
            verdict(ratio >= RATIO_TARGET),
        ),
        Row("service/raw ratio vs spec-less raw (stricter, info)", f"{strict:.2f}"),
        Row(
            "service latency per completion p50 / p95",
            f"{ms(percentile(service.seconds, 50))} / {ms(percentile(service.seconds, 95))}",
        ),
    ]
    for name, run in (("raw", raw), ("raw spec-less", state_only), ("service", service)):
        if run.stopped_at is not None:
            rows.append(
                Row(f"{name} throughput run stopped", f"at completion {run.stopped_at}: {run.stop_reason}")
            )
    return rows


def flatness_rows(name: str, runs: list[LoopRun], flat_at: int) -> list[Row]:
    samples = [run.seconds for run in runs]
    early, early_first, early_last = window_median(samples, EARLY)
    late, late_first, late_last = window_median(samples, flat_at)
    reached = late_last >= flat_at
    ratio = late / early
    pooled = f"median of #{{}}-#{{}} over {len(runs)} instances"
    rows = [
        Row(f"{name}: completion #{EARLY} ({pooled.format(early_first, early_last)})", ms(early)),
        Row(
            f"{name}: completion #{flat_at} ({pooled.format(late_first, late_last)})"
            + ("" if reached else " [did not reach it]"),
            ms(late),
        ),
        Row(
            f"{name}: cost(#{flat_at}) / cost(#{EARLY})",
            f"{ratio:.2f}x",
            f"<= {FLATNESS_TARGET}x",
            verdict(reached and ratio <= FLATNESS_TARGET),
        ),
        Row(
            f"{name}: median by band of completions",
            ", ".join(
                f"#{first}-{last}: {median * 1000:.1f}" for first, last, median in band_medians(samples, 5)
            )
            + " ms",
        ),
    ]
    stops = sorted({(run.stopped_at, run.stop_reason) for run in runs if run.stopped_at is not None})
    for stopped_at, reason in stops:
        rows.append(Row(f"{name}: stopped", f"at completion #{stopped_at}: {reason}"))
    sizes = ", ".join(f"#{n}: {size:,} B" for n, size in sorted(runs[0].state_bytes.items()))
    if sizes:
        rows.append(Row(f"{name}: state size (first instance)", sizes))
    return rows


def queue_rows(service: BenchService, sizes: Sizes) -> list[Row]:
    log(f"queues: inserting {sizes.queue_tasks:,} open tasks")
    population = populate(service, sizes.queue_tasks)
    log(f"queues: inserted in {population.seconds:.1f} s; timing {sizes.queue_repeat} requests each")
    timings = time_queues(service, sizes.queue_repeat)

    def p50_p95(samples: list[float]) -> str:
        return f"{ms(percentile(samples, 50))} / {ms(percentile(samples, 95))}"

    p95 = percentile(timings.list_http, 95)
    departments = len(population.per_department)
    return [
        Row(
            "open tasks in human_tasks",
            f"{population.total:,} over {departments} departments, inserted in {population.seconds:.1f} s",
        ),
        Row(
            f"GET /queues/{BIG_DEPARTMENT}/tasks per_page=50 p50 / p95",
            f"{p50_p95(timings.list_http)} ({timings.big_queue_total:,} in queue)",
            f"p95 < {QUEUE_P95_TARGET * 1000:.0f} ms",
            verdict(p95 < QUEUE_P95_TARGET),
        ),
        Row("  same listing, use case without HTTP p50 / p95", p50_p95(timings.list_usecase)),
        Row("  same listing, bare SQL (count + page) p50 / p95", p50_p95(timings.list_sql)),
        Row("GET /queues, member of 1 department p50 / p95", p50_p95(timings.overview_http_one)),
        Row(
            f"GET /queues, member of all {departments} departments p50 / p95",
            p50_p95(timings.overview_http_all),
        ),
        Row(
            f"  same overview ({departments} departments), use case without HTTP p50 / p95",
            p50_p95(timings.overview_usecase_all),
        ),
    ]


def run(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    completions = sizes.instances * sizes.per_instance
    raw, state_only = RawRecruitment(), RawRecruitment(state_only=True)
    drive_raw(raw, 10)
    drive_raw(state_only, 10)
    log(f"raw: {sizes.instances} instances x {sizes.per_instance} completions")
    raw_run = raw_throughput(raw, sizes.instances, sizes.per_instance)
    state_only_run = raw_throughput(state_only, sizes.instances, sizes.per_instance)

    flat_until = sizes.flat_at + 2
    size_points = (EARLY, sizes.flat_at)
    with BenchService() as service:
        drive_service(service, "warmup", 10)
        log(f"service: {sizes.instances} instances x {sizes.per_instance} completions")
        service_run = service_throughput(service, sizes.instances, sizes.per_instance, "throughput")
        rows += throughput_rows(raw_run, state_only_run, service_run)
        log(f"flatness: {sizes.flat_runs} instances, up to {flat_until} completions each")
        service_flat = [
            drive_service(service, f"flatness-{n}", flat_until, size_points) for n in range(sizes.flat_runs)
        ]
    raw_flat = [drive_raw(raw, flat_until, size_points) for _ in range(sizes.flat_runs)]
    rows += flatness_rows("raw flatness", raw_flat, sizes.flat_at)
    rows += flatness_rows("service flatness", service_flat, sizes.flat_at)
    log(f"throughput and flatness done ({completions} completions each)")

    with BenchService() as service:
        rows += queue_rows(service, sizes)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run: 100 completions, flatness at #100, 10,000 queued tasks",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    print(f"auxpolice recruitment benchmark ({'quick' if args.quick else 'full'}): {sizes}")
    print(machine())
    rows = run(sizes)
    print()
    print(format_table(rows))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s; at the end: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
