"""The bell's count reads the notification indexes above the user's watermark, never the whole table
(SQLite plans from the schema alone, so the plan over a few rows is the plan at a million). Issue 15,
point 5."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from service.context import ServiceContext
from service.usecases.directory import Caller
from service.usecases.notifications import reading
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auxpolice.db'}"


def test_the_unread_count_is_an_index_range_above_the_watermark(
    ctx: ServiceContext, users: dict[str, User]
) -> None:
    start_recruitment(users["bureau"])
    users["bureau"].post("/api/v1/notifications/read-all")
    seen: list[tuple[str, Any]] = []

    def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM notifications" in statement and "count" in statement:
            seen.append((statement, parameters))

    engine = ctx.database.read_engine
    event.listen(engine, "before_cursor_execute", collect)
    try:
        bureau = Caller("bureau", "bureau", frozenset({"police_bureau", "finance"}), frozenset({"finance"}))
        assert reading.unread_count(ctx, bureau) == 0
    finally:
        event.remove(engine, "before_cursor_execute", collect)
    assert len(seen) == 1
    with engine.connect() as connection:
        plan = " / ".join(
            row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {seen[0][0]}", seen[0][1])
        )
    assert "ix_notifications_username (username=? AND id>?)" in plan, plan
    assert "ix_notifications_department (department_code=? AND id>?)" in plan, plan
    assert "SCAN notifications" not in plan, plan
