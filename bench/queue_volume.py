"""Fill human_tasks with a large number of open tasks and time the queue endpoints over it.

The rows are inserted directly (one executemany per chunk): this measures reading a big queue, not
creating it. The same listing is also timed without HTTP (the use case) and as bare SQL, so the
report can tell database time from request overhead.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.service_app import ALL_DEPARTMENTS_USER, BenchService
from service.persistence.models import DefinitionModel, DepartmentModel, HumanTaskModel, InstanceModel
from service.usecases import tasks as task_usecases
from service.usecases.directory import authenticate
from service.usecases.runner import OPEN_STATES

BIG_DEPARTMENT = "police_bureau"
BIG_SHARE = 0.2  # the busiest queue holds a fifth of all open tasks; the other ten share the rest
INSTANCES = 10
CHUNK = 10_000


@dataclass(frozen=True)
class Population:
    total: int
    per_department: dict[str, int]
    seconds: float


def populate(service: BenchService, total: int) -> Population:
    """Insert ``total`` open or claimed tasks spread over every department, with a few instances."""
    ctx = service.ctx
    started = time.perf_counter()
    now = datetime.now(UTC)
    with ctx.database.transaction() as session:
        definition_id = session.scalar(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "recruitment")
        )
        codes = list(session.scalars(select(DepartmentModel.code).order_by(DepartmentModel.code)))
        result = session.execute(
            insert(InstanceModel).returning(InstanceModel.id),
            [
                {
                    "definition_id": definition_id,
                    "process_id": "recruitment",
                    "business_key": f"bulk-{n}",
                    "status": "running",
                    "subject": "",
                    "state": {},
                    "serializer_version": "bench",
                    "lock_version": 1,
                    "started_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(INSTANCES)
            ],
        )
        instance_ids = [row[0] for row in result]
    big = int(total * BIG_SHARE)
    others = [code for code in codes if code != BIG_DEPARTMENT]
    counts = {BIG_DEPARTMENT: big}
    for index, code in enumerate(others):
        counts[code] = (total - big) // len(others) + (1 if index < (total - big) % len(others) else 0)
    # Interleave departments so that every queue's rows are spread over the whole table.
    order = _interleave(counts)
    table = HumanTaskModel.__table__
    start = now - timedelta(days=30)
    rows: list[dict[str, Any]] = []
    for n, code in enumerate(order):
        claimed = n % 10 == 0
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "instance_id": instance_ids[n % INSTANCES],
                "process_id": "recruitment",
                "spec_name": "draft_plan",
                "name_zh": "起草用人计划",
                "name_en": "Draft staffing plan",
                "department_code": code,
                "form": "staffing_plan_draft.json",
                "subject": f"bench task {n}",
                "state": "claimed" if claimed else "open",
                "claimed_by": "bench" if claimed else None,
                "completed_by": None,
                "due_at": start + timedelta(days=n % 60),
                "created_at": start + timedelta(seconds=n),
                "claimed_at": now if claimed else None,
                "completed_at": None,
            }
        )
        if len(rows) == CHUNK:
            _flush(service, table, rows)
            rows = []
    if rows:
        _flush(service, table, rows)
    return Population(total, counts, time.perf_counter() - started)


def _interleave(counts: dict[str, int]) -> list[str]:
    """Department codes in a round-robin order weighted by each department's count."""
    # The i-th of a department's c rows sits at (i + 0.5) / c of the sequence.
    slots = [((i + 0.5) / count, code) for code, count in counts.items() for i in range(count)]
    slots.sort()
    return [code for _position, code in slots]


def _flush(service: BenchService, table: Any, rows: list[dict[str, Any]]) -> None:
    with service.ctx.database.transaction() as session:
        session.execute(insert(table), rows)


def time_calls(call: Callable[[], Any], repeat: int, warmup: int = 5) -> list[float]:
    """Run ``call`` ``warmup`` times untimed, then ``repeat`` times; return the wall times."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


@dataclass(frozen=True)
class QueueTimings:
    list_http: list[float]
    list_usecase: list[float]
    list_sql: list[float]
    overview_http_one: list[float]
    overview_http_all: list[float]
    overview_usecase_all: list[float]
    big_queue_total: int


def time_queues(service: BenchService, repeat: int, per_page: int = 50) -> QueueTimings:
    """Time the first page of the busiest queue and the queue overview, with and without HTTP."""
    ctx = service.ctx
    url = f"/api/v1/queues/{BIG_DEPARTMENT}/tasks?per_page={per_page}"
    page = service.get(url, "bureau")
    if len(page["items"]) != per_page:
        raise RuntimeError(f"expected a full first page, got {len(page['items'])} items")
    bureau = authenticate(ctx, "bench-token-bureau")
    supervisor = authenticate(ctx, f"bench-token-{ALL_DEPARTMENTS_USER}")

    def bare_sql() -> None:
        with ctx.database.reading() as session:
            query = select(HumanTaskModel).where(
                HumanTaskModel.department_code == BIG_DEPARTMENT, HumanTaskModel.state.in_(OPEN_STATES)
            )
            session.scalar(select(func.count()).select_from(query.subquery()))
            list(
                session.scalars(query.order_by(HumanTaskModel.created_at, HumanTaskModel.id).limit(per_page))
            )

    return QueueTimings(
        list_http=time_calls(lambda: service.get(url, "bureau"), repeat),
        list_usecase=time_calls(
            lambda: task_usecases.queue_tasks(ctx, bureau, BIG_DEPARTMENT, None, 1, per_page), repeat
        ),
        list_sql=time_calls(bare_sql, repeat),
        overview_http_one=time_calls(lambda: service.get("/api/v1/queues", "bureau"), repeat),
        overview_http_all=time_calls(lambda: service.get("/api/v1/queues", ALL_DEPARTMENTS_USER), repeat),
        overview_usecase_all=time_calls(lambda: task_usecases.queues(ctx, supervisor), repeat),
        big_queue_total=int(page["total"]),
    )
