"""`audit verify` on PostgreSQL has the database re-compute every hash and link (issue 16): it must find
exactly what the Python walk finds (still the path on SQLite), at page boundaries too, and vouch by itself
for events whose text needs escaping in JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from service import audit
from service.audit import chain_reader, verification
from service.context import ServiceContext
from tests.conftest import build_app
from workflows.ports import ManualClock

# Every kind of character JSON escapes or passes through: quotes, backslash, control characters, DEL,
# Chinese, a character outside the BMP, the line separator, a slash.
AWKWARD = 'a "quote" \\ back\nslash\t\x07\x1f \x7f 中文（全角）😀 \u2028 </script>'
EVENTS = 30
PAGE = 4  # so that the tampering below falls on the first and last rows of pages


@pytest.fixture
def chain(database_url: str, clock: ManualClock) -> Iterator[ServiceContext]:
    """A migrated database holding a chain of EVENTS events (three transactions), nothing else."""
    app = build_app(database_url, clock)
    ctx: ServiceContext = app.extensions["auxpolice"]
    for start in range(0, EVENTS, 10):
        with ctx.database.transaction() as session:
            for number in range(start, start + 10):
                audit.record(
                    session,
                    clock.now() + timedelta(seconds=number, microseconds=number * 7),
                    f"user{number}" if number % 3 else AWKWARD,
                    "task_completed",
                    instance_id=number if number % 2 else None,
                    task_id=AWKWARD[:36] if number % 5 == 0 else None,
                    department_code=AWKWARD if number % 4 == 0 else "police_bureau",
                    submitted={"reason": AWKWARD, "score": number / 3, "items": [1, None, True]},
                    **{AWKWARD[:8]: number},
                )
    yield ctx
    ctx.database.dispose()


def sql(ctx: ServiceContext, statement: str, **params: object) -> None:
    with ctx.database.engine.begin() as connection:
        connection.execute(text(statement), params)


def run(ctx: ServiceContext, in_database: bool) -> verification.Verification:
    with ctx.database.reading() as session:
        return verification.verify(session, ctx.settings.audit_key, in_database=in_database)


def test_an_intact_chain_is_vouched_for_by_the_database_alone(
    chain: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_reader, "PAGE", PAGE)
    assert run(chain, True) == run(chain, False)
    result = run(chain, True)
    assert result.checked == EVENTS and result.problems == [] and result.last_seq == EVENTS
    if chain.database.engine.dialect.name != "postgresql":
        return  # SQLite keeps the Python walk
    with chain.database.reading() as session:
        returned = list(chain_reader.suspect_pages(session.connection(), 0, audit.GENESIS))
    # Only each page's last row comes back (to link the next page), each reproducing its hash in SQL.
    assert [count for count, _rows in returned] == [PAGE] * (EVENTS // PAGE) + [EVENTS % PAGE]
    assert [[(row[0], row[6]) for row in rows] for _count, rows in returned] == [
        [(min(end, EVENTS), True)] for end in range(PAGE, EVENTS + PAGE, PAGE)
    ]


def test_tampering_at_page_boundaries_is_found_as_the_python_walk_finds_it(
    chain: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_reader, "PAGE", PAGE)
    with chain.database.engine.connect() as connection:
        ids = {seq: id_ for seq, id_ in connection.execute(text("SELECT seq, id FROM audit_events"))}
    sql(
        chain, "UPDATE audit_events SET payload = :p WHERE seq = 4", p='{"submitted": "changed"}'
    )  # a page's end
    sql(chain, "UPDATE audit_events SET actor = 'someone' WHERE seq = 9")
    sql(chain, "UPDATE audit_events SET instance_id = 77 WHERE seq = 10")
    sql(chain, "DELETE FROM audit_events WHERE seq = 14")
    # Two events swapped across what is then a page boundary, through a free position (seq is unique).
    sql(chain, "UPDATE audit_events SET seq = -1 WHERE seq = 20")
    sql(chain, "UPDATE audit_events SET seq = 20 WHERE seq = 21")
    sql(chain, "UPDATE audit_events SET seq = 21 WHERE seq = -1")
    sql(chain, "DELETE FROM audit_events WHERE seq >= 29")  # the end: only the head knows
    in_database, in_python = run(chain, True), run(chain, False)
    assert in_database == in_python
    assert in_database.checked == EVENTS - 3
    assert [(p.kind, p.seq, p.event_id) for p in in_database.problems] == [
        ("altered", 4, ids[4]),
        ("altered", 9, ids[9]),
        ("altered", 10, ids[10]),
        ("removed", 14, None),
        ("reordered", 20, ids[21]),
        ("reordered", 21, ids[20]),
        ("reordered", 22, ids[22]),
        ("removed", 29, None),
    ]


def test_an_incremental_run_starts_after_the_point_in_the_database_too(
    chain: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_reader, "PAGE", PAGE)
    key = chain.settings.audit_key
    with chain.database.transaction() as session:
        intact = verification.verify(session, key)
        verification.record_point(session, key, intact, True, chain.clock.now(), "test")
    sql(chain, "UPDATE audit_events SET payload = :p WHERE seq = 3", p='{"x": 1}')  # before the point
    with chain.database.transaction() as session:
        audit.record(session, chain.clock.now(), "late", "task_completed", note=AWKWARD)
    sql(chain, "UPDATE audit_events SET action = 'task_ready' WHERE seq = 31")
    with chain.database.reading() as session:
        since = verification.verify_since_last(session, key)
    assert since.checked == 1 and [(p.kind, p.seq) for p in since.problems] == [("altered", 31)]
