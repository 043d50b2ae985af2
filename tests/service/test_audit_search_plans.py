"""The auditors' search newest first by action, actor or department reads its index in order (issue 15,
point 7): no scan of the audit log and no sort of its matching events, however long the history. SQLite
plans from the schema alone (no ANALYZE), so the plan over an empty table is the plan at a million events.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from service.persistence import migrate
from service.persistence.db import make_engine
from service.persistence.models import AuditEventModel
from service.usecases.audit_trail import AuditFilters, _filtered


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.db'}"
    migrate.upgrade(url)
    made = make_engine(url)
    yield made
    made.dispose()


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (AuditFilters(actions=("task_completed",)), "ix_audit_events_action_at"),
        (AuditFilters(action="task_completed"), "ix_audit_events_action_at"),
        (AuditFilters(actor="party"), "ix_audit_events_actor_at"),
        (AuditFilters(department_code="party_affairs"), "ix_audit_events_department_at"),
    ],
)
def test_newest_first_reads_the_index_in_order(engine: Engine, filters: AuditFilters, index: str) -> None:
    query = _filtered(filters, is_sqlite=True).order_by(AuditEventModel.at.desc(), AuditEventModel.id.desc())
    with engine.connect() as connection:
        statement = query.limit(50).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = " / ".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {statement}")))
    assert f"USING INDEX {index}" in plan and "TEMP B-TREE" not in plan and "SCAN" not in plan, plan
