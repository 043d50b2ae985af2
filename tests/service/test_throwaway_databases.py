"""The tests' PostgreSQL copies are dropped, in batches, and none is left after ``close``."""

from __future__ import annotations

import psycopg
import pytest

from bench.pgschema import POSTGRES_URL, create_database
from tests import throwaway_databases
from tests.conftest import REQUIRE_POSTGRES
from tests.throwaway_databases import DeferredDrops


def existing(names: list[str]) -> set[str]:
    with psycopg.connect(POSTGRES_URL) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (names,))
        return {row[0] for row in rows}


def test_databases_are_dropped_a_batch_at_a_time_and_the_rest_at_close(
    postgres_problem: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if postgres_problem:
        pytest.fail(postgres_problem) if REQUIRE_POSTGRES else pytest.skip(postgres_problem)
    monkeypatch.setattr(throwaway_databases, "BATCH", 2)
    names = [create_database("t", durable=False) for _ in range(3)]
    with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/" + names[0]) as connection:
        assert connection.execute("SHOW synchronous_commit").fetchone() == ("off",)
    drops = DeferredDrops()
    drops.add(names[0])
    assert existing(names) == set(names)  # below the batch: nothing dropped yet
    drops.add(names[1])
    drops.add(names[2])
    drops.close()
    assert existing(names) == set()
