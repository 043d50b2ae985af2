"""Break the service's task-completion path down into its parts, to name the top costs.

Run by hand from the project root::

    .venv/bin/python -m bench.profile_service [--completions 400] [--cprofile]

Timers are wrapped around the functions of the completion path (inclusive wall time, outermost call
only), so the figures carry little of cProfile's distortion; ``--cprofile`` adds a cProfile listing of
the same run by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import inspect
import io
import pstats
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.session import SessionTransaction

import service.api
import service.audit
import service.usecases.runner
import service.usecases.tasks
from bench.service_app import BenchService, drive_service, service_throughput
from service.usecases.runner import InstanceRunner
from workflows.engine import WorkflowEngine

PER_INSTANCE = 20

# (label, owner, attribute); the label's indentation shows where the call sits in the path. The code
# under test changes; a probe whose attribute is missing is skipped (listed as "not present").
PROBES: list[tuple[str, Any, str]] = [
    ("authenticate (one SELECT on the read engine)", service.api, "authenticate"),
    ("complete_task use case (transaction incl. commit)", service.usecases.tasks, "complete_task"),
    ("  InstanceRunner.lock_for_task (BEGIN, SELECT instance FOR UPDATE)", InstanceRunner, "lock_for_task"),
    ("  check_separation (duties)", service.usecases.tasks, "check_separation"),
    ("  refuse_reserved_keys (sandbox names)", service.usecases.tasks, "refuse_reserved_keys"),
    ("  check_submission (JSON Schema form)", service.usecases.tasks, "check_submission"),
    ("  InstanceRunner.load (spec from cache, state)", InstanceRunner, "load"),
    ("    WorkflowEngine.load (deserialize state)", WorkflowEngine, "load"),
    ("  WorkflowEngine.task_data (before-copy)", WorkflowEngine, "task_data"),
    ("  WorkflowEngine.complete_user_task (run, step)", WorkflowEngine, "complete_user_task"),
    ("    WorkflowEngine.step (do_engine_steps, compact)", WorkflowEngine, "step"),
    ("  InstanceRunner._save (state and projections)", InstanceRunner, "_save"),
    ("    WorkflowEngine.dump (serialize state)", WorkflowEngine, "dump"),
    ("    update_loaded (UPDATE instances)", service.usecases.runner, "update_loaded"),
    ("    InstanceRunner._sync_tasks (INSERT queue rows)", InstanceRunner, "_sync_tasks"),
    ("    InstanceRunner._sync_timers", InstanceRunner, "_sync_timers"),
    ("  audit.record (every audit row)", service.audit, "record"),
    ("  SessionTransaction.commit (seal + COMMIT)", SessionTransaction, "commit"),
    ("    audit.seal (chain, INSERT events, head)", service.audit, "seal"),
    ("    Session._flush (unit of work, any time)", Session, "_flush"),
]


@dataclass
class Probe:
    label: str
    seconds: float = 0.0
    calls: int = 0
    depth: int = 0


@dataclass
class Probes:
    probes: list[Probe] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    active: bool = False  # record only while a completion request runs
    originals: list[tuple[Any, str, Any]] = field(default_factory=list)

    def wrap(self, label: str, owner: Any, name: str) -> None:
        if not hasattr(owner, name):
            self.missing.append(label.strip())
            return
        probe = Probe(label)
        self.probes.append(probe)
        raw = inspect.getattr_static(owner, name)
        is_static = isinstance(raw, staticmethod)
        function: Callable[..., Any] = raw.__func__ if is_static else getattr(owner, name)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.active:
                return function(*args, **kwargs)
            probe.depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                probe.depth -= 1
                if probe.depth == 0:
                    probe.seconds += time.perf_counter() - started
                    probe.calls += 1

        self.originals.append((owner, name, raw))
        setattr(owner, name, staticmethod(timed) if is_static else timed)

    def restore(self) -> None:
        for owner, name, raw in reversed(self.originals):
            setattr(owner, name, raw)
        self.originals.clear()


@contextmanager
def probed() -> Iterator[Probes]:
    probes = Probes()
    try:
        for label, owner, name in PROBES:
            probes.wrap(label, owner, name)
        yield probes
    finally:
        probes.restore()


@dataclass(frozen=True)
class Breakdown:
    completions: int
    request_seconds: float
    lines: list[tuple[str, float, float]]  # label, ms per completion, calls per completion
    statements: Counter[str]  # SQL statement (first words) -> executions over the whole run
    missing: list[str]  # probes whose function does not exist in this version of the code


def breakdown(completions: int) -> Breakdown:
    """Drive ``completions`` service completions with timers on the path; return per-completion costs."""
    done, total = 0, 0.0
    statements: Counter[str] = Counter()
    with BenchService() as service, probed() as probes:
        drive_service(service, "warmup", 10)

        def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            if probes.active:
                statements[" ".join(sql.split())[:90]] += 1

        for engine in {service.ctx.database.engine, service.ctx.database.read_engine}:
            event.listen(engine, "before_cursor_execute", count)
        for index in range(max(1, completions // PER_INSTANCE)):
            instance_id = service.start_recruitment(f"profile-{index:04d}")
            for _ in range(PER_INSTANCE):
                task = service.open_task(instance_id)
                if task is None:
                    raise RuntimeError("the review loop has no open task")
                probes.active = True
                status, elapsed, body = service.complete(*task)
                probes.active = False
                if status != 200:
                    raise RuntimeError(f"complete: HTTP {status} {body}")
                done, total = done + 1, total + elapsed
        lines = [(p.label, p.seconds / done * 1000, p.calls / done) for p in probes.probes]
        return Breakdown(done, total, lines, statements, probes.missing)


def cprofile_listing(completions: int, top: int = 25) -> str:
    """Own-time cProfile listing of ``completions`` service completions."""
    with BenchService() as service:
        drive_service(service, "warmup", 10)
        profiler = cProfile.Profile()
        profiler.enable()
        service_throughput(service, max(1, completions // PER_INSTANCE), PER_INSTANCE, "cprofile")
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


def format_breakdown(result: Breakdown) -> str:
    per_request = result.request_seconds / result.completions * 1000
    width = max(len(label) for label, _ms, _calls in result.lines)
    lines = [
        f"{result.completions} completions; POST request to commit: {per_request:.2f} ms per completion",
        f"{'part of the path (inclusive)':<{width}}  ms/compl.  share  calls/compl.",
    ]
    for label, ms_each, calls in result.lines:
        lines.append(f"{label:<{width}}  {ms_each:9.2f}  {ms_each / per_request:5.0%}  {calls:12.1f}")
    if result.missing:
        lines.append("not present in this code: " + "; ".join(result.missing))
    total = sum(result.statements.values())
    lines.append(f"\nSQL statements per completion: {total / result.completions:.1f}")
    for sql, executions in result.statements.most_common():
        lines.append(f"  {executions / result.completions:5.1f}  {sql}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--completions", type=int, default=400)
    parser.add_argument("--cprofile", action="store_true", help="also print a cProfile listing")
    args = parser.parse_args(argv)
    print(format_breakdown(breakdown(args.completions)))
    if args.cprofile:
        print()
        print(cprofile_listing(args.completions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
