"""Retention finds its batches through the partial index over finished instances not archived yet (SQLite).

A run archives a batch at a time for as long as there are candidates; if each batch read every finished
instance (the status index) and sorted them, archiving a province's backlog would cost batches x instances.
SQLite plans from the schema alone (no ANALYZE), so the plan over a few rows is the plan at 100,000.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from service.context import ServiceContext
from service.usecases.retention import archive_finished


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auxpolice.db'}"


def test_the_batches_and_the_count_read_the_retention_index(ctx: ServiceContext) -> None:
    seen: list[tuple[str, Any]] = []

    def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "archived_at IS NULL" in statement:
            seen.append((statement, parameters))

    engines = (ctx.database.engine, ctx.database.read_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", collect)
    try:
        archive_finished(ctx, "test", older_than_days=30)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", collect)
    assert len(seen) == 2, seen  # the count, then one (empty) batch
    with ctx.database.read_engine.connect() as connection:
        for statement, parameters in seen:
            plan = " / ".join(
                row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "USING INDEX ix_instances_to_archive (status=? AND completed_at<?)" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # the batch comes in end-date order from the index
