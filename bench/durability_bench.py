"""What SQLite's ``synchronous=FULL`` costs a task completion, measured against ``NORMAL`` in one process.

    .venv/bin/python -m bench.durability_bench [--rounds 6] [--batch 40]

The recruitment benchmark runs FULL and NORMAL minutes apart, and on a shared machine the load drifts more
between two runs than the setting changes. Here both settings drive the same plan review loop over the
same database file, alternating every ``--batch`` completions (the pool is disposed so that new
connections take the setting), so both see the same load; the median and p95 of each are reported with
their difference, and the CPU time per completion: the fsync costs wall time, hardly CPU, so on a loaded
machine a wall-time difference well above the CPU difference is waiting (for the disk, and for a core
again after it), which a quiet machine pays only for the disk.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.pgschema import discard_service_logs, load_average
from bench.service_app import BenchService
from service.persistence import db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=6, help="FULL/NORMAL alternations")
    parser.add_argument("--batch", type=int, default=40, help="completions per setting and round")
    args = parser.parse_args(argv)
    print(f"durability benchmark: {args.rounds} rounds x {args.batch} completions per setting")
    print(f"load average at the start: {load_average()}")
    samples: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    cpu: dict[str, float] = {"FULL": 0.0, "NORMAL": 0.0}
    started = time.perf_counter()
    with BenchService() as service:
        discard_service_logs()
        instance_id = service.start_recruitment("durability")
        for _round in range(args.rounds):
            for setting in ("FULL", "NORMAL"):
                db.SQLITE_SYNCHRONOUS = setting
                service.ctx.database.engine.dispose()  # new connections run PRAGMA synchronous=<setting>
                for _ in range(args.batch):
                    task = service.open_task(instance_id)
                    if task is None:
                        raise RuntimeError("the plan review loop has no open task")
                    cpu_before = time.process_time()
                    status, elapsed, body = service.complete(*task)
                    cpu[setting] += time.process_time() - cpu_before
                    if status != 200:
                        raise RuntimeError(f"HTTP {status}: {body}")
                    samples[setting].append(elapsed)
    db.SQLITE_SYNCHRONOUS = "FULL"
    print()
    print("| synchronous | completions | p50 ms | p95 ms | completions/s | CPU ms per completion |")
    print("| --- | --- | --- | --- | --- | --- |")
    for setting, seconds in samples.items():
        p50 = statistics.median(seconds) * 1000
        p95 = statistics.quantiles(seconds, n=20)[18] * 1000
        per_second = len(seconds) / sum(seconds)
        cpu_ms = 1000 * cpu[setting] / len(seconds)
        print(f"| {setting} | {len(seconds)} | {p50:.2f} | {p95:.2f} | {per_second:.1f} | {cpu_ms:.2f} |")
    full, normal = statistics.median(samples["FULL"]), statistics.median(samples["NORMAL"])
    difference = f"{1000 * (full - normal):+.2f} ms per completion ({full / normal - 1:+.1%})"
    print(f"\nFULL - NORMAL, median: {difference}")
    print(f"wall time {time.perf_counter() - started:.0f} s; load average at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
