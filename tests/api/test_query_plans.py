"""The queue queries read the partial indexes over active tasks, never the whole task table (SQLite).

A queue's first page and its counts must cost the same however much history a department has; an index
added later once made SQLite sort a whole 20,000-task queue for every page (docs/benchmarks.md). SQLite
plans from the schema alone (no ANALYZE), so the plan seen here over a few rows is the plan at 100,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from service.context import ServiceContext
from service.usecases import tasks
from service.usecases.directory import Caller
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auxpolice.db'}"


@contextmanager
def task_queries(ctx: ServiceContext) -> Iterator[list[tuple[str, Any]]]:
    """Collect the SELECTs on human_tasks the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "human_tasks" in statement:
            seen.append((statement, parameters))

    engine = ctx.database.read_engine
    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def plans(ctx: ServiceContext, queries: list[tuple[str, Any]]) -> list[str]:
    with ctx.database.read_engine.connect() as connection:
        return [
            " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in queries
        ]


def test_queue_overview_and_pages_use_the_active_task_indexes(
    ctx: ServiceContext, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    bureau = Caller("bureau", "bureau", frozenset({"police_bureau", "party_affairs", "finance"}))
    with task_queries(ctx) as queries:
        tasks.queues(ctx, bureau)
        tasks.queue_tasks(ctx, bureau, "police_bureau", None, 1, 50)
        tasks.queue_tasks(ctx, bureau, "police_bureau", None, 1, 50, overdue_only=True)
    found = plans(ctx, queries)
    assert len(found) == 5, found  # overview; count and page; count and page of the overdue ones
    for plan in found:
        # An index range of the department's active tasks (the partial indexes, or the history index
        # by department and state), never the table, and no sort of the whole queue for one page.
        assert plan.startswith("SEARCH human_tasks USING"), plan
        assert "(department_code=?" in plan, plan
        assert "SCAN" not in plan, plan
        # Only the overdue page may sort, and only the department's overdue tasks (a range up to now).
        assert "TEMP B-TREE" not in plan or "due_at<?" in plan, plan
    assert "COVERING INDEX ix_human_tasks_active_counts" in found[0]  # the overview reads no table row


def test_a_heads_overview_and_pages_use_the_same_indexes(ctx: ServiceContext, users: dict[str, User]) -> None:
    # A head also counts the head-only tasks of the departments they head (issue 11, part 6).
    start_recruitment(users["bureau"])
    head = Caller("bureau_head", "bureau_head", frozenset({"police_bureau"}), frozenset({"police_bureau"}))
    with task_queries(ctx) as queries:
        tasks.queues(ctx, head)
        tasks.queue_tasks(ctx, head, "police_bureau", None, 1, 50)
    found = plans(ctx, queries)
    assert len(found) == 3, found
    for plan in found:
        assert plan.startswith("SEARCH human_tasks USING"), plan
        assert "SCAN" not in plan, plan
        # Only the overdue page may sort, and only the department's overdue tasks (a range up to now).
        assert "TEMP B-TREE" not in plan or "due_at<?" in plan, plan
    assert "COVERING INDEX ix_human_tasks_active_counts" in found[0]
