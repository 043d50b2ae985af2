"""The appraisal dashboard counts overdue tasks from the partial index alone (SQLite and PostgreSQL).

At 140,000 open tasks, 45,000 past due, joining each to its instance for the month took 0.3-1.5 s
(docs/benchmarks.md); the count by department and due time reads ix_human_tasks_active_process_due only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select, text

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, DepartmentModel, HumanTaskModel, InstanceModel
from service.usecases.dashboards import overdue_counts
from tests.api.appraisal_steps import seed
from tests.conftest import User
from workflows.ports import CHINA, ManualClock


def explain(ctx: ServiceContext, sql: str, params: Any) -> str:
    with ctx.database.read_engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            return " / ".join(row[3] for row in rows)
        # A few rows make a table scan cheapest; forbid it to see which index the planner can use.
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        return " / ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params))


def test_overdue_counts_read_the_index_and_match_the_months_of_the_instances(
    ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    seed(ctx)
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": month}, expect=201)
    clock.advance(timedelta(days=62))  # past the scoring's due day of the following month
    now = clock.now()
    with ctx.database.reading() as session:
        towns = {town for town in session.scalars(select(DepartmentModel.town)) if town is not None}
        month_of = func.substr(InstanceModel.business_key, 1, 7)
        expected = {
            (m, kind, town): n
            for m, kind, town, n in session.execute(
                select(month_of, DepartmentModel.kind, DepartmentModel.town, func.count())
                .select_from(HumanTaskModel)
                .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
                .join(DepartmentModel, DepartmentModel.code == HumanTaskModel.department_code)
                .where(
                    text(f"human_tasks.{ACTIVE_TASK}"),
                    HumanTaskModel.process_id == "appraisal",
                    HumanTaskModel.due_at < now,
                )
                .group_by(month_of, DepartmentModel.kind, DepartmentModel.town)
            )
        }
        seen: list[tuple[str, Any]] = []

        def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            if "human_tasks" in statement:
                seen.append((statement, parameters))

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", collect)
        try:
            found = overdue_counts(session, [month], sorted(towns), now)
        finally:
            event.remove(engine, "before_cursor_execute", collect)
    assert sum(expected.values()) > 0, expected
    assert {(m, kind, town): n for m, kind, town, n in found} == expected
    assert len(seen) == 1, seen  # every task is due at its month's due time: no instance is read
    plan = explain(ctx, *seen[0])
    if ctx.database.read_engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_human_tasks_active_process_due" in plan, plan
    else:
        assert "Index Only Scan using ix_human_tasks_active_process_due" in plan, plan
