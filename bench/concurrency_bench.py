"""Task completions per second with 1, 2 and 4 gunicorn worker processes on PostgreSQL, over loopback.

Run by hand from the project root (it is not a test)::

    .venv/bin/python -m bench.concurrency_bench [--quick]

For each number of processes: a fresh PostgreSQL schema, migrated and seeded in this process (register,
one police_bureau and one party_affairs user per client, the bundled definitions, and many recruitment
instances each waiting at draft_plan); then ``auxpolice serve --workers N --no-scheduler`` as a
subprocess and concurrent HTTP clients (threads, http.client with keep-alive) that claim and complete
draft_plan / review_plan ("return") round the plan review loop. Every client works on its own instances,
so no two requests wait for the same instance's row lock. Finding a task's id (one SELECT on the queue
projection per task) is not timed. The raw SpiffWorkflow figure for the same loop is measured in the same
run, on one core (bench/raw_engine.py with the service's spec-less state JSON).
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from bench.pgschema import discard_service_logs, fresh_schema, library_logging, load_average, postgres_problem
from bench.raw_engine import RawRecruitment, drive_raw, loop_data, raw_throughput
from bench.recruitment_bench import log, machine
from bench.serve_process import BackendSampler, Server, backend_cpu, session_cpu
from bench.stats import Row, format_table, ms, percentile
from service import create_app
from service.context import ServiceContext
from service.persistence import migrate
from service.usecases.definitions import deploy_bundled
from service.usecases.directory import create_user, load_register

USER_OF = {"draft_plan": "bureau", "review_plan": "party"}
DEPARTMENTS = {"bureau": "police_bureau", "party": "party_affairs"}
APP = "auxpolice_bench_serve"  # the server's PostgreSQL application_name, to find its backends' CPU


@dataclass(frozen=True)
class Sizes:
    processes: tuple[int, ...]
    clients: int
    instances_per_client: int
    warmup_per_client: int  # completions each client makes before the timed window
    seconds: float  # the timed window


FULL = Sizes(processes=(1, 2, 4), clients=8, instances_per_client=12, warmup_per_client=8, seconds=40.0)
QUICK = Sizes(processes=(1, 2, 4), clients=8, instances_per_client=4, warmup_per_client=4, seconds=8.0)


def token_of(username: str) -> str:
    return f"bench-token-{username}"


def seed(url: str, sizes: Sizes) -> list[list[int]]:
    """Migrate and seed the schema; start the instances; return each client's instance ids."""
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url})
    discard_service_logs()
    ctx: ServiceContext = app.extensions["auxpolice"]
    try:
        with ctx.database.transaction() as session:
            load_register(session)
            for client in range(sizes.clients):
                for role, department in DEPARTMENTS.items():
                    name = f"{role}{client}"
                    # Each bureau user heads the bureau: recruitment.bpmn lets only its head start a campaign.
                    heads = (department,) if role == "bureau" else ()
                    create_user(ctx, session, name, name, [department], token_of(name), heads)
        deploy_bundled(ctx, "bench")
        http_client = app.test_client()

        def start(client: int, number: int) -> int:
            response = http_client.post(
                "/api/v1/instances",
                headers={"Authorization": f"Bearer {token_of(f'bureau{client}')}"},
                json={
                    "process_id": "recruitment",
                    "business_key": f"bench-{client}-{number}",
                    "data": {"subject": f"bench {client}-{number}"},
                },
            )
            if response.status_code != 201:
                raise RuntimeError(f"start: {response.status_code} {response.get_json()}")
            return int(response.get_json()["id"])

        return [[start(c, n) for n in range(sizes.instances_per_client)] for c in range(sizes.clients)]
    finally:
        ctx.database.dispose()


@dataclass
class Samples:
    claims: list[float] = field(default_factory=list)
    completes: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


class Client:
    """One HTTP client thread working round the review loop of its own instances."""

    def __init__(self, port: int, number: int, instances: list[int], url: str) -> None:
        self.number, self.instances = number, instances
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.database = psycopg.connect(url, autocommit=True)
        self.turn = 0

    def call(self, path: str, user: str, body: Any = None) -> tuple[int, float]:
        payload = json.dumps(body or {}).encode()
        headers = {"Authorization": f"Bearer {token_of(user)}", "Content-Type": "application/json"}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request("POST", path, body=payload, headers=headers)
                response = self.connection.getresponse()
                response.read()
                return response.status, time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # an idle keep-alive connection the server closed; reconnect once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def next_task(self) -> tuple[str, str]:
        instance = self.instances[self.turn % len(self.instances)]
        self.turn += 1
        row = self.database.execute(
            "SELECT id, spec_name FROM human_tasks WHERE instance_id = %s AND state IN ('open', 'claimed')",
            (instance,),
        ).fetchone()
        if row is None:
            raise RuntimeError(f"instance {instance} has no open task")
        return str(row[0]), str(row[1])

    def one(self, samples: Samples) -> None:
        """Claim and complete the next instance's open task; record both latencies, or the failure."""
        task_id, spec_name = self.next_task()
        user = f"{USER_OF[spec_name]}{self.number}"
        status, claim = self.call(f"/api/v1/tasks/{task_id}/claim", user)
        complete = 0.0
        if status == 200:
            status, complete = self.call(
                f"/api/v1/tasks/{task_id}/complete", user, {"data": loop_data(spec_name)}
            )
        if status == 200:
            samples.claims.append(claim)
            samples.completes.append(complete)
        else:
            samples.errors[str(status)] = samples.errors.get(str(status), 0) + 1

    def close(self) -> None:
        self.connection.close()
        self.database.close()


@dataclass
class Load:
    processes: int
    seconds: float
    samples: Samples
    client_cpu: float  # CPU seconds of this process (the load generator) during the window
    server_cpu: float  # CPU seconds of the server's processes during the window
    database_cpu: float  # CPU seconds of the server's PostgreSQL backends during the window
    backends: dict[str, float]  # what the server's backends were doing, on average over the window
    stopped: str = ""

    @property
    def rate(self) -> float:
        return len(self.samples.completes) / self.seconds


def drive(server: Server, url: str, owned: list[list[int]], sizes: Sizes, processes: int) -> Load:
    clients = [Client(server.port, number, ids, url) for number, ids in enumerate(owned)]
    per_client = [Samples() for _ in clients]
    marks: dict[str, float] = {}

    def open_window() -> None:
        """Run once all clients are warm, before any is released: the window starts here for everyone."""
        marks.update(
            started=time.perf_counter(),
            cpu=time.process_time(),
            server=session_cpu(server.process.pid),
            database=backend_cpu(APP),
        )
        marks["deadline"] = time.perf_counter() + sizes.seconds

    barrier = threading.Barrier(len(clients) + 1, action=open_window)

    def work(client: Client, samples: Samples) -> None:
        try:
            for _ in range(sizes.warmup_per_client):
                client.one(Samples())
            barrier.wait()
            while time.perf_counter() < marks["deadline"]:
                client.one(samples)
        except Exception as error:  # noqa: BLE001 - counted and reported; the other clients go on
            samples.errors[f"{type(error).__name__}: {error}"[:120]] = 1
            barrier.abort()

    threads = [threading.Thread(target=work, args=pair) for pair in zip(clients, per_client, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    sampler = BackendSampler(APP)
    sampler.start()
    for thread in threads:
        thread.join()
    sampler.stop.set()
    sampler.join()
    elapsed, cpu = time.perf_counter() - marks["started"], time.process_time() - marks["cpu"]
    server_cpu = session_cpu(server.process.pid) - marks["server"]
    database_cpu = backend_cpu(APP) - marks["database"]
    idle = sum(1 for samples in per_client if not samples.completes)
    for client in clients:
        client.close()
    merged = Samples(
        [x for s in per_client for x in s.claims],
        [x for s in per_client for x in s.completes],
        dict(sum((Counter(s.errors) for s in per_client), Counter())),
    )
    if idle:
        merged.errors[f"clients without a completion in the window: {idle}"] = idle
    return Load(processes, elapsed, merged, cpu, server_cpu, database_cpu, sampler.average())


def measure(sizes: Sizes, processes: int, logdir: Path) -> Load:
    with fresh_schema("bench_concurrency") as url:
        log(f"{processes} process(es): seeding a fresh schema")
        owned = seed(url, sizes)
        server = Server(f"{url}&application_name={APP}", processes, logdir / f"serve-{processes}.log")
        try:
            server.wait_ready()
            log(f"{processes} process(es): {sizes.clients} clients for {sizes.seconds:.0f} s")
            load = drive(server, url, owned, sizes, processes)
        except Exception:
            server.logfile.flush()
            tail = (logdir / f"serve-{processes}.log").read_text(errors="replace").splitlines()[-20:]
            print("\n".join(["server log (last lines):", *tail]), file=sys.stderr)
            raise
        finally:
            stopped = server.stop()
        load.stopped = stopped
        return load


def rows_for(loads: list[Load], raw_rate: float, raw_p50: float, sizes: Sizes) -> list[Row]:
    rows = [
        Row(
            "raw SpiffWorkflow, spec-less state JSON, one core (load, complete, step, dump)",
            f"{raw_rate:.1f} completions/s (p50 {ms(raw_p50)})",
        )
    ]
    base = max(loads[0].rate, 1e-9) if loads else 1.0
    for load in loads:
        samples = load.samples
        done = max(1, len(samples.completes))
        label = f"{load.processes} process{'es' if load.processes > 1 else ''}"
        rows += [
            Row(
                f"{label}: completions/s ({sizes.clients} clients, claim + complete each)",
                f"{load.rate:.1f} ({len(samples.completes):,} in {load.seconds:.1f} s); "
                f"x{load.rate / base:.2f} of 1 process; service/raw {load.rate / raw_rate:.2f}",
            ),
            Row(
                f"{label}: claim p50 / p95",
                f"{ms(percentile(samples.claims, 50))} / {ms(percentile(samples.claims, 95))}",
            ),
            Row(
                f"{label}: complete p50 / p95",
                f"{ms(percentile(samples.completes, 50))} / {ms(percentile(samples.completes, 95))}",
            ),
            Row(
                f"{label}: CPU per claim + completion: server + its PostgreSQL backends",
                f"{load.server_cpu / done * 1000:.1f} + {load.database_cpu / done * 1000:.1f} ms; "
                f"2 idle cores would allow ~{2 * done / (load.server_cpu + load.database_cpu):.0f}/s",
            ),
            Row(
                f"{label}: cores used by server / its PostgreSQL backends / load generator",
                f"{load.server_cpu / load.seconds:.2f} / {load.database_cpu / load.seconds:.2f} / "
                f"{load.client_cpu / load.seconds:.2f}",
            ),
            Row(
                f"{label}: server's PostgreSQL backends by state (average count)",
                ", ".join(f"{name} {count:.2f}" for name, count in load.backends.items() if count >= 0.01),
            ),
            Row(f"{label}: errors; server stopped by", f"{samples.errors or 'none'}; {load.stopped}"),
        ]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run: 8 s per process count")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    problem = postgres_problem()
    if problem:
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"auxpolice concurrency benchmark ({'quick' if args.quick else 'full'}): {sizes}")
    print(f"{machine()}; load average at start {load_average()}")
    log("raw SpiffWorkflow: 50 instances x 20 completions")
    raw = RawRecruitment(state_only=True)
    with library_logging():
        drive_raw(raw, 10)
        raw_run = raw_throughput(raw, 50, 20)
    raw_rate = len(raw_run.seconds) / raw_run.total
    loads = []
    with tempfile.TemporaryDirectory(prefix="auxpolice-bench-") as logdir:
        for processes in sizes.processes:
            loads.append(measure(sizes, processes, Path(logdir)))
    print()
    print(format_table(rows_for(loads, raw_rate, percentile(raw_run.seconds, 50), sizes)))
    print(
        f"\ntotal wall time {time.perf_counter() - started:.0f} s; load average at the end {load_average()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
