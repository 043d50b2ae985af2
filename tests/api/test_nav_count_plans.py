"""The navigation's badges (issue 15): what they count, on SQLite and PostgreSQL, and on SQLite that they
are index range reads at the statistics of 140,000 open tasks nobody holds (bench/dashboard_bench.py).

SQLite plans from its statistics once ANALYZE has run, as the service's databases have: with those of
the bench (``claimed_by`` NULL on every active task, so ix_human_tasks_active_claimed looks as wide as the
table) the earlier "held by me" subquery was planned as a scan of the whole task table, 95 ms on every
staff page of the sub-bureau (docs/benchmarks.md, "The navigation's counts ...").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, text

from service.context import ServiceContext
from service.usecases.directory import Caller
from service.usecases.inbox import Count
from service.usecases.inbox.counting import nav_counts
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User
from workflows.ports import ManualClock

# sqlite_stat1 for human_tasks as ANALYZE wrote it on the bench's database (140,000 open tasks, 10,000
# completed, none held; 697 per department and state).
BENCH_STATISTICS = {
    "ix_human_tasks_active_process_due": "140000 140000 697 350 350",
    "ix_human_tasks_completed_by": "150000 75000 2 1",
    "ix_human_tasks_active_claimed": "140000 140000 46667",
    "ix_human_tasks_active_due": "140000 697 350 1",
    "ix_human_tasks_active_counts": "140000 697 697 350 350 350",
    "ix_human_tasks_history": "150000 747 375 375 1",
    "ix_human_tasks_active": "140000 697 697 1",
    "ix_human_tasks_instance_id": "150000 3",
    "sqlite_autoindex_human_tasks_1": "150000 1",
}


@contextmanager
def task_queries(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs on human_tasks the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "human_tasks" in statement:
            seen.append((statement, parameters))

    event.listen(ctx.database.read_engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(ctx.database.read_engine, "before_cursor_execute", collect)


def plans(ctx: ServiceContext, queries: list[tuple[str, Any]]) -> list[str]:
    with ctx.database.read_engine.connect() as connection:
        return [
            " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in queries
        ]


def test_badges_count_held_and_overdue_work_from_index_ranges(
    ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    start_recruitment(users["bureau"])
    bureau = Caller("bureau", "bureau", frozenset({"police_bureau", "party_affairs", "finance"}))
    other = Caller("bureau_head", "bureau_head", frozenset({"police_bureau"}))
    assert nav_counts(ctx, bureau) == {"mine": Count(0), "overdue": Count(0)}
    [task] = users["bureau"].get("/api/v1/inbox")["items"]
    users["bureau"].post(f"/api/v1/tasks/{task['id']}/claim", {})
    assert nav_counts(ctx, bureau) == {"mine": Count(1), "overdue": Count(0)}
    assert nav_counts(ctx, other) == {"mine": Count(0), "overdue": Count(0)}  # held by someone else
    if task["due_at"] is not None:
        clock.advance(timedelta(days=400))
        assert nav_counts(ctx, bureau) == {"mine": Count(1), "overdue": Count(1)}
        assert nav_counts(ctx, other) == {"mine": Count(0), "overdue": Count(0)}
    if ctx.database.engine.dialect.name != "sqlite":
        return
    with ctx.database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'human_tasks'"))
        for index, stat in BENCH_STATISTICS.items():
            connection.execute(
                text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('human_tasks', :idx, :stat)"),
                {"idx": index, "stat": stat},
            )
    ctx.database.read_engine.dispose()  # new connections load the statistics
    with task_queries(ctx) as queries:
        nav_counts(ctx, bureau)
    [plan] = plans(ctx, queries)
    # Three counts, each a range of the covering index; no table read, no scan of the tasks.
    assert plan.count("SEARCH human_tasks USING COVERING INDEX ix_human_tasks_active_counts") == 3, plan
    assert "SCAN human_tasks" not in plan and "SCAN held" not in plan, plan
