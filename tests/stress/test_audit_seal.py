"""Sealing the audit chain at commit never deadlocks with the rows a transaction writes (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from service import audit
from service.persistence import migrate
from service.persistence.db import Database
from service.persistence.models import AuditEventModel, DepartmentModel


def test_a_writer_holding_a_row_and_one_waiting_for_it_both_commit(database_url: str) -> None:
    # The first transaction writes a row early, then commits late; the second changes the same row
    # but leaves it to the commit's flush. Taking the chain lock before that flush made the second
    # wait for the row while holding the chain lock the first needed: PostgreSQL killed one of them.
    migrate.upgrade(database_url)
    database = Database(database_url)
    audit.install(database.sessions, "test-key")
    now = datetime.now(UTC)
    try:
        with database.transaction() as session:
            session.add(DepartmentModel(code="d1", name_zh="甲", name_en="A", kind="bureau"))
            audit.record(session, now, "seed", "department_created")
        first_wrote = threading.Event()
        results: dict[str, str] = {}

        def early_writer() -> None:
            try:
                with database.transaction() as session:
                    department = session.get(DepartmentModel, "d1")
                    assert department is not None  # noqa: S101
                    department.name_en = "B"
                    session.flush()  # the row is locked from here until the commit
                    first_wrote.set()
                    audit.record(session, now, "first", "department_renamed")
                    time.sleep(1.0)  # the other transaction reaches its commit meanwhile
                results["first"] = "committed"
            except Exception as error:  # noqa: BLE001 - reported below
                results["first"] = repr(error)

        def late_writer() -> None:
            first_wrote.wait(timeout=30)
            try:
                with database.transaction() as session:
                    department = session.get(DepartmentModel, "d1")
                    assert department is not None  # noqa: S101
                    department.name_en = "C"  # flushed only when it commits
                    audit.record(session, now, "second", "department_renamed")
                results["second"] = "committed"
            except Exception as error:  # noqa: BLE001 - reported below
                results["second"] = repr(error)

        threads = [threading.Thread(target=early_writer), threading.Thread(target=late_writer)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results == {"first": "committed", "second": "committed"}
        with database.reading() as session:
            checked, problems = audit.verify(session, "test-key")
            assert (checked, problems) == (3, [])
            assert session.get(DepartmentModel, "d1").name_en == "C"  # type: ignore[union-attr]
            assert session.query(AuditEventModel).count() == 3
    finally:
        database.dispose()
