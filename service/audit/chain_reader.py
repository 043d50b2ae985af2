"""Read the sealed chain fast: pages of plain tuples, the hashed fields as the database stores them.

``verify`` re-computes one hash per event; over a year's events that is millions of rows, so the reader
skips what the ORM would do per row. The payload is read as its stored text: the sealing code stores
exactly the canonical JSON it hashed (service/audit/__init__.py, ``seal``), so that text is hashed as it
is, without parsing and re-serialising it. The time is formatted the way the hash covers it (UTC, ISO 8601
with microseconds) by the database (PostgreSQL) or from SQLite's fixed text form.

A row whose stored bytes do not reproduce its hash this way is checked again the slow way
(``digest`` over the values the ORM reads), so the fast path only decides "unaltered" when the stored
bytes are byte for byte what was sealed, and never reports a row the slow way would accept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any, cast

import orjson
from sqlalchemy import Connection

# One page of the chain per query: large enough that the queries cost nothing next to the hashing, small
# enough to keep the memory of a page (about 10 MB of tuples) low.
PAGE = 20_000

# (seq, id, prev_hash, hash, at as hashed, actor, action, instance_id, task_id, department_code, payload)
_SQLITE_COLUMNS = (
    "seq, id, prev_hash, hash,"
    # SQLite keeps a datetime as text 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (models/base.py); any other
    # text (a row written outside the service) gets no fast form and is checked the slow way.
    " CASE WHEN length(at) = 26 AND substr(at, 11, 1) = ' '"
    " THEN substr(at, 1, 10) || 'T' || substr(at, 12) || '+00:00' END,"
    " actor, action, instance_id, task_id, department_code, CAST(payload AS BLOB)"
)
_POSTGRES_COLUMNS = (
    "seq, id, prev_hash, hash,"
    # The payload column is `json`, which keeps the text it was given (`jsonb` would not).
    """ to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),"""
    " actor, action, instance_id, task_id, department_code, convert_to(payload::text, 'UTF8')"
)


def _statements(dialect: str) -> tuple[str, str]:
    """(a page after a position, the events of one instance), in the driver's parameter style."""
    columns, mark = (_SQLITE_COLUMNS, "?") if dialect == "sqlite" else (_POSTGRES_COLUMNS, "%s")
    page = f"SELECT {columns} FROM audit_events WHERE seq > {mark} ORDER BY seq LIMIT {mark}"  # noqa: S608
    instance = (
        f"SELECT {columns} FROM audit_events"  # noqa: S608 - fixed text, values are parameters
        f" WHERE instance_id = {mark} AND seq IS NOT NULL ORDER BY seq"
    )
    return page, instance


def pages(connection: Connection, after: int, page: int = PAGE) -> Iterator[list[tuple[Any, ...]]]:
    """The sealed events after position ``after`` in chain order, a page of tuples at a time."""
    sql, _instance = _statements(connection.dialect.name)
    cursor = connection.connection.cursor()
    try:
        while True:
            cursor.execute(sql, (after, page))
            rows = cast(list[tuple[Any, ...]], cursor.fetchall())  # the drivers' fetchall makes a list
            if not rows:
                return
            yield rows
            after = rows[-1][0]
    finally:
        cursor.close()


def instance_rows(connection: Connection, instance_id: int) -> list[tuple[Any, ...]]:
    """The sealed events of one instance, in chain order, as ``pages`` reads them."""
    _page, sql = _statements(connection.dialect.name)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, (instance_id,))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def rows_at(connection: Connection, positions: set[int]) -> dict[int, tuple[Any, ...]]:
    """{seq: row} of the events at these chain positions (those that exist), as ``pages`` reads them."""
    columns, mark = (
        (_SQLITE_COLUMNS, "?") if connection.dialect.name == "sqlite" else (_POSTGRES_COLUMNS, "%s")
    )
    wanted = sorted(position for position in positions if position > 0)
    found: dict[int, tuple[Any, ...]] = {}
    cursor = connection.connection.cursor()
    try:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join([mark] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM audit_events WHERE seq IN ({marks})", chunk)  # noqa: S608
            found.update((row[0], row) for row in cursor.fetchall())
    finally:
        cursor.close()
    return found


def hash_matches() -> Callable[[tuple[Any, ...]], bool]:
    """A function telling whether a row's stored bytes hash to its stored hash (its own prev_hash link).

    The hashed content is the canonical JSON array [at, actor, action, instance_id, task_id,
    department_code, payload]: the first six are serialised here, the payload's stored text is spliced in.
    """
    dumps, sha256 = orjson.dumps, hashlib.sha256

    def matches(row: tuple[Any, ...]) -> bool:
        _seq, _id, prev_hash, hash_value, at, actor, action, instance_id, task_id, department, payload = row
        if at is None or prev_hash is None:
            return False
        fields = dumps((at, actor, action, instance_id, task_id, department))
        content = b"".join((prev_hash.encode(), fields[:-1], b",", payload, b"]"))
        return bool(sha256(content).hexdigest() == hash_value)

    return matches


# PostgreSQL re-computes every hash itself (sha256 in C) and checks every link with lag() over the chain
# order; only the rows it cannot vouch for come back to Python, which checks them the way ``pages``' rows
# are checked. The hashed text is built as ``hash_matches`` builds it: the six fields as a JSON array
# (to_json escapes strings the way orjson does; a value it would write differently only makes the row
# come back and be checked in Python), the payload's stored text spliced in as it is.
_HASHED_TEXT = (
    "prev_hash || '[\"' || at_text || '\",'"
    " || coalesce(to_json(actor)::text, 'null') || ',' || coalesce(to_json(action)::text, 'null') || ','"
    " || coalesce(instance_id::text, 'null') || ',' || coalesce(to_json(task_id)::text, 'null') || ','"
    " || coalesce(to_json(department_code)::text, 'null') || ',' || payload::text || ']'"
)
# The hash is computed as the page is read; the window functions then see narrow rows only (no payload), and
# none of them needs the whole page buffered: lag/lead look one row back or ahead.
_SUSPECTS = f"""
SELECT seq, id, prev_hash, hash, before_seq, before_hash, sealed, position
FROM (
    SELECT seq, id, prev_hash, hash, sealed,
           lag(seq, 1, %s) OVER chain AS before_seq,
           lag(coalesce(hash, ''), 1, %s) OVER chain AS before_hash,
           lead(seq) OVER chain AS next_seq,
           row_number() OVER chain AS position
    FROM (
        SELECT seq, id, prev_hash, hash,
               coalesce(encode(sha256(convert_to({_HASHED_TEXT}, 'UTF8')), 'hex') = hash, false) AS sealed
        FROM (
            SELECT seq, id, prev_hash, hash, actor, action, instance_id, task_id, department_code, payload,
                   to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') AS at_text
            FROM audit_events WHERE seq > %s ORDER BY seq LIMIT %s
        ) AS page
    ) AS hashed
    WINDOW chain AS (ORDER BY seq)
) AS checked
WHERE NOT sealed OR seq <> before_seq + 1 OR prev_hash IS DISTINCT FROM before_hash OR next_seq IS NULL
ORDER BY seq
"""  # noqa: S608 - fixed text, values are parameters


def suspect_pages(
    connection: Connection, after: int, after_hash: str, page: int | None = None
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """PostgreSQL only: for each page of the chain after event ``after`` (whose hash is ``after_hash``),
    (its number of events, the rows the database could not vouch for), each row as (seq, id, prev_hash,
    hash, the previous event's seq and hash, whether its stored bytes reproduce its hash). A page's last row
    always comes back: the next page's first row is linked to it in the database.
    """
    cursor = connection.connection.cursor()
    try:
        while True:
            cursor.execute(_SUSPECTS, (after, after_hash, after, page or PAGE))
            rows = cast(list[tuple[Any, ...]], cursor.fetchall())
            if not rows:
                return
            yield rows[-1][-1], [row[:-1] for row in rows]  # the last row's position: the page's size
            after, after_hash = rows[-1][0], rows[-1][3] or ""
    finally:
        cursor.close()
