"""Adding to the appraisal counts from two transactions at once loses neither (issue 16, point 3)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, select

from service.persistence.appraisal_counts import add_counts
from service.persistence.migrate import upgrade
from service.persistence.models import AppraisalCountModel
from service.persistence.rows import table_of


def test_two_transactions_adding_to_a_row_that_does_not_exist_yet_both_count(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    counts = table_of(AppraisalCountModel)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with engine.begin() as connection:  # waits for the first transaction's row (or file) lock
                add_counts(connection, [{"month": "2026-11", "town": "gushan", "started": 2, "vetoes": 1}])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    with engine.begin() as first:
        add_counts(first, [{"month": "2026-11", "town": "gushan", "started": 1}])
        add_counts(first, [{"month": "2026-11", "town": "boyu", "appraised": 1, "competent": 1}])
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second is waiting now, having found no committed row
    thread.join(timeout=30)
    assert not errors
    with engine.connect() as connection:
        rows = {
            (r.month, r.town): (r.started, r.appraised, r.competent, r.vetoes)
            for r in connection.execute(select(counts))
        }
    engine.dispose()
    assert rows == {("2026-11", "gushan"): (3, 0, 0, 1), ("2026-11", "boyu"): (0, 1, 1, 0)}


def test_a_count_the_table_has_no_column_for_is_refused(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection, pytest.raises(ValueError, match="superb"):
        add_counts(connection, [{"month": "2026-11", "town": "gushan", "superb": 1}])
    engine.dispose()
