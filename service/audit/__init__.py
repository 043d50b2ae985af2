"""Append-only, hash-chained audit log, written in the same transaction as the change it records.

``record`` collects events on the session as plain rows. When the transaction commits, ``seal`` takes the
chain lock (PostgreSQL: the head row, locked until the commit; SQLite: the write lock every write
transaction already holds), numbers the transaction's events after the last sealed one, chains their hashes
and inserts them with one statement. So the chain follows commit order, the lock is held only for the moment
of the commit, and an event row written any other way stays unsealed, which ``verify`` reports.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, event, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from service.persistence.models import AuditEventModel, AuditHeadModel

GENESIS = "0" * 64
_ENTRIES = "audit_entries"
# Any constant works: it only has to be the same in every process that writes audit events.
_CHAIN_LOCK_KEY = 7_311_000_042
# What an event's hash covers, in this order (``at`` is normalised to UTC first).
_HASHED = ("at", "actor", "action", "instance_id", "task_id", "department_code", "payload")
# Core tables: the commit hook writes plain rows, without the unit of work's per-object bookkeeping.
_EVENTS = cast(Table, AuditEventModel.__table__)
_HEAD = cast(Table, AuditHeadModel.__table__)
# Built once: the commit hook runs on every write transaction (see service/persistence/rows.py).
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_EVENTS = insert(_EVENTS)
_INSERT_HEAD = insert(_HEAD)
_UPDATE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"), mac=bindparam("new_mac"))
)


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    department_code: str | None = None,
    **payload: Any,
) -> None:
    """Append one event to the session's transaction; it is chained and inserted at commit."""
    session.info.setdefault(_ENTRIES, []).append(
        {
            "at": at,
            "actor": actor,
            "action": action,
            "instance_id": instance_id,
            "task_id": task_id,
            "department_code": department_code,
            "payload": payload,
        }
    )


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)


def digest(prev_hash: str, row: Mapping[str, Any]) -> str:
    """Hash an event's content with the previous event's hash (the position is covered by the link)."""
    at = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content = [at, *(row[name] for name in _HASHED[1:])]
    return hashlib.sha256(prev_hash.encode() + _canonical(content)).hexdigest()


def head_mac(key: str, seq: int, hash_value: str) -> str:
    return hmac.new(key.encode(), f"{seq}:{hash_value}".encode(), hashlib.sha256).hexdigest()


def seal(session: Session, key: str) -> None:
    """Number, chain and insert the events this transaction recorded (the before_commit hook).

    Recorded events are inserted here, already chained, in one statement: no row is written twice.
    """
    recorded: list[dict[str, Any]] = session.info.pop(_ENTRIES, [])
    if not recorded:
        return
    # Write the transaction's own rows before queueing for the chain lock: a flush after it (the commit
    # flushes after this hook) could wait for a row whose writer waits for the chain lock, a deadlock.
    session.flush()
    connection = session.connection()
    # The head row is the chain lock: sealers queue on it, and each reads the head its predecessor
    # committed (PostgreSQL re-reads a row it waited for; SQLite's writer already holds the database).
    head = connection.execute(_LOCK_HEAD).first()
    if head is None and connection.dialect.name == "postgresql":
        # No head yet (the first event ever, or a deleted head): nothing to lock, so take a lock by name.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
        head = connection.execute(_LOCK_HEAD).first()
    # Continue from the head, not from the table's last row: events deleted from the end stay a gap.
    if head is not None:
        seq, prev_hash = head
    else:
        last = session.execute(
            select(_EVENTS.c.seq, _EVENTS.c.hash)
            .where(_EVENTS.c.seq.is_not(None))
            .order_by(_EVENTS.c.seq.desc())
            .limit(1)
        ).first()
        seq = (last[0] or 0) if last else 0
        prev_hash = (last[1] or GENESIS) if last else GENESIS
    for row in recorded:  # in the order they were recorded
        # Store exactly what is hashed: the JSON round trip makes the payload what the database returns.
        row["payload"] = orjson.loads(_canonical(row["payload"]))
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev_hash
        row["hash"] = prev_hash = digest(prev_hash, row)
    connection.execute(_INSERT_EVENTS, recorded)
    mac = head_mac(key, seq, prev_hash)
    if head is None:
        connection.execute(_INSERT_HEAD, {"id": 1, "seq": seq, "hash": prev_hash, "mac": mac})
    else:
        connection.execute(_UPDATE_HEAD, {"new_seq": seq, "new_hash": prev_hash, "new_mac": mac})


def install(factory: sessionmaker[Session], key: str) -> None:
    """Seal audit events on every commit of sessions made by ``factory``."""
    event.listen(factory, "before_commit", lambda session: seal(session, key))


@dataclass(frozen=True)
class ChainProblem:
    """One place where the stored chain disagrees with itself."""

    kind: str  # altered | removed | reordered | unsealed
    seq: int | None
    event_id: int | None
    message: str


def verify(session: Session, key: str) -> tuple[int, list[ChainProblem]]:
    """Re-compute the chain and check its head; return how many events were checked and every problem."""
    from service.audit.verification import verify as verify_chain  # it builds on this module

    run = verify_chain(session, key)
    return run.checked, run.problems
