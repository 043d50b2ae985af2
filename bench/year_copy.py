"""Write generated rows into PostgreSQL: COPY, the audit chain's sealing, the size of each table.

Used by bench/year_generator.py. ``Chain`` seals events the way ``service.audit.seal`` does (the service's
own ``audit.digest``, payloads stored as the canonical text that was hashed), without a session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg

from service import audit


@contextmanager
def copying(url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(url) as connection:
        yield connection


def copy_rows(connection: psycopg.Connection[Any], table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 - our own table and column names
        ) as copy,
    ):
        for row in rows:
            copy.write_row([row[c] for c in columns])


class Chain:
    """The audit chain's end while sealing generated events, as ``audit.seal`` keeps it."""

    def __init__(self, seq: int, hash_value: str) -> None:
        self.seq, self.hash = seq, hash_value

    def seal(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            payload = (
                orjson.loads(event["payload"]) if isinstance(event["payload"], str) else event["payload"]
            )
            # Stored as the sealing stores it: the canonical text it hashed (keys sorted), which the fast
            # verify (service/audit/chain_reader.py) hashes as it is.
            event["payload"] = orjson.dumps(
                payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
            ).decode()
            self.seq += 1
            event["seq"], event["prev_hash"] = self.seq, self.hash
            event["hash"] = self.hash = audit.digest(self.hash, {**event, "payload": payload})


def table_sizes(url: str) -> list[tuple[str, int, int, int]]:
    """(table, rows, table bytes with TOAST, index bytes) for every table of the schema, largest first."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
            "ORDER BY pg_total_relation_size(c.oid) DESC"
        ).fetchall()
    return [(name, max(int(count), 0), int(size), int(index)) for name, count, size, index in rows]
