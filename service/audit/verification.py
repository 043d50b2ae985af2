"""Verify the audit chain: all of it, only what was recorded since the last verified point, or one instance.

A full run re-computes every event's hash and link and compares the end with the authenticated head. An
incremental run starts from the last point a run found intact (``audit_verifications``, authenticated
with the audit key): it checks that the event at that point still has the hash recorded for it, then
re-computes only the events after it. What it cannot see is an event before the point altered without
touching the point's own hash: only a full run finds that. One instance's check re-computes that
instance's events and their links to the events either side of each, not the rest of the chain.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from service.audit import _HASHED as HASHED
from service.audit import GENESIS, ChainProblem, digest, head_mac
from service.audit.chain_reader import hash_matches, instance_rows, pages, rows_at, suspect_pages
from service.persistence.models import AuditEventModel, AuditHeadModel, AuditVerificationModel

_POINT_PREFIX = b"auxpolice audit verified point v1\n"


@dataclass(frozen=True)
class VerifiedPoint:
    """Where a run found the chain intact: event ``seq`` with hash ``hash``."""

    seq: int
    hash: str
    checked: int
    full: bool
    verified_at: datetime
    verified_by: str


@dataclass(frozen=True)
class Verification:
    """What a run checked: events re-computed, the chain's end it reached, every problem found."""

    checked: int
    problems: list[ChainProblem]
    last_seq: int
    last_hash: str
    since: VerifiedPoint | None = None  # the point an incremental run started after (None: from the start)


def verify(session: Session, key: str, in_database: bool = True) -> Verification:
    """Re-compute the whole chain and check its head (on PostgreSQL the database hashes, unless
    ``in_database`` is False: the benchmark compares the two)."""
    return _verify_after(session, key, 0, GENESIS, in_database)


def _verify_after(
    session: Session, key: str, after: int, start_hash: str, in_database: bool = True
) -> Verification:
    connection = session.connection()
    problems: list[ChainProblem] = []
    walk = _walk_in_database if in_database and connection.dialect.name == "postgresql" else _walk
    checked, expected_seq, prev_hash = walk(session, connection, after, start_hash, problems)
    problems.extend(_unsealed(session))
    problems.extend(_check_head(session, key, expected_seq - 1, prev_hash))
    return Verification(checked, problems, expected_seq - 1, prev_hash)


def _walk(
    session: Session, connection: Connection, after: int, start_hash: str, problems: list[ChainProblem]
) -> tuple[int, int, str]:
    """Re-compute each event after ``after``; return (events checked, next position, last hash)."""
    checked, expected_seq, prev_hash = 0, after + 1, start_hash
    # Bound once: this loop runs once per event of the chain (see docs/benchmarks.md, issue 16).
    dumps, sha256, join, slow_check = orjson.dumps, hashlib.sha256, b"".join, _altered_slow
    for rows in pages(connection, after):
        checked += len(rows)
        for row in rows:
            seq, event_id, stored_prev, stored_hash, at, actor, action, instance, task, dept, payload = row
            if (
                at is None
                or stored_prev is None
                or sha256(
                    join(
                        (
                            stored_prev.encode(),
                            dumps((at, actor, action, instance, task, dept))[:-1],
                            b",",
                            payload,
                            b"]",
                        )
                    )
                ).hexdigest()
                != stored_hash
            ) and slow_check(session, event_id):
                problems.append(_altered(seq, event_id))
            if seq != expected_seq:
                problems.append(_gap(expected_seq, seq))
            elif stored_prev != prev_hash:
                problems.append(_broken_link(session, seq, event_id, stored_prev))
            expected_seq, prev_hash = seq + 1, stored_hash or ""
    return checked, expected_seq, prev_hash


def _walk_in_database(
    session: Session, connection: Connection, after: int, start_hash: str, problems: list[ChainProblem]
) -> tuple[int, int, str]:
    """``_walk`` with PostgreSQL re-computing the hashes and links (issue 16: 200,000 events a second).

    The rows it returns are checked exactly as ``_walk`` checks every row, so each problem is found and
    reported as before; a row it does not return reproduced its hash and follows its predecessor.
    """
    checked, expected_seq, prev_hash = 0, after + 1, start_hash
    matches = hash_matches()
    for count, suspects in suspect_pages(connection, after, start_hash):
        checked += count
        # Read as ``_walk`` reads them, to be checked as it checks them: the fast way, then the slow way.
        recheck = rows_at(connection, {row[0] for row in suspects if not row[-1]})
        for seq, event_id, stored_prev, stored_hash, before_seq, before_hash, sealed in suspects:
            # The events since the last row returned were intact: continue from this one's predecessor.
            expected_seq, prev_hash = before_seq + 1, before_hash
            fast = recheck.get(seq)
            if not sealed and not (fast and matches(fast)) and _altered_slow(session, event_id):
                problems.append(_altered(seq, event_id))
            if seq != expected_seq:
                problems.append(_gap(expected_seq, seq))
            elif stored_prev != prev_hash:
                problems.append(_broken_link(session, seq, event_id, stored_prev))
            expected_seq, prev_hash = seq + 1, stored_hash or ""
    return checked, expected_seq, prev_hash


def _gap(expected_seq: int, seq: int) -> ChainProblem:
    return ChainProblem("removed", expected_seq, None, f"第 {expected_seq}–{seq - 1} 条事件缺失（被删除）")


def _altered(seq: int, event_id: int) -> ChainProblem:
    return ChainProblem("altered", seq, event_id, f"第 {seq} 条事件（id {event_id}）的内容在记录后被修改")


def _altered_slow(session: Session, event_id: int) -> bool:
    """Whether the event's values (as the ORM reads them) no longer hash to its stored hash.

    Reached only when the stored bytes differ from the sealed ones: a payload stored in another JSON
    layout with the same content still verifies, as it always did.
    """
    entry = session.get(AuditEventModel, event_id)
    try:
        if entry is None or entry.prev_hash is None:
            return True
        return digest(entry.prev_hash, {name: getattr(entry, name) for name in HASHED}) != entry.hash
    except (TypeError, ValueError, AttributeError):  # a value no sealed event can hold
        return True
    finally:
        if entry is not None:
            session.expunge(entry)


def _broken_link(session: Session, seq: int, event_id: int, stored_prev: str | None) -> ChainProblem:
    # The link names an event that still exists elsewhere in the chain: the order was changed.
    if stored_prev is not None and _hash_exists(session, stored_prev):
        return ChainProblem("reordered", seq, event_id, f"第 {seq} 条事件（id {event_id}）的位置被调换")
    return ChainProblem("removed", seq, event_id, f"第 {seq} 条事件（id {event_id}）之前的事件被删除或替换")


def _hash_exists(session: Session, hash_value: str) -> bool:
    return session.scalar(select(AuditEventModel.seq).where(AuditEventModel.hash == hash_value)) is not None


def _unsealed(session: Session, instance_id: int | None = None) -> list[ChainProblem]:
    query = select(AuditEventModel.id).where(AuditEventModel.seq.is_(None)).order_by(AuditEventModel.id)
    if instance_id is not None:
        query = query.where(AuditEventModel.instance_id == instance_id)
    return [
        ChainProblem("unsealed", None, event_id, f"事件 id {event_id} 不在哈希链中：可能绕过系统直接写入")
        for event_id in session.scalars(query)
    ]


def _check_head(session: Session, key: str, last_seq: int, last_hash: str) -> list[ChainProblem]:
    """Compare the chain's end with the authenticated head: catches events deleted from the end."""
    head = session.get(AuditHeadModel, 1)
    if head is None:
        if last_seq == 0:
            return []
        return [ChainProblem("removed", None, None, "哈希链的链头记录缺失（被删除）")]
    if not hmac.compare_digest(head.mac, head_mac(key, head.seq, head.hash)):
        return [ChainProblem("altered", head.seq, None, "哈希链的链头记录被篡改（校验码不符）")]
    if head.seq > last_seq:
        return [
            ChainProblem(
                "removed", last_seq + 1, None, f"第 {last_seq + 1}–{head.seq} 条事件缺失（末尾被删除）"
            )
        ]
    if head.seq == last_seq and head.hash != last_hash:
        return [ChainProblem("altered", head.seq, None, f"第 {head.seq} 条事件与链头记录不符")]
    return []


# Incremental runs ---------------------------------------------------------------------------------------


def point_mac(key: str, seq: int, hash_value: str, checked: int, full: bool, at: datetime, by: str) -> str:
    """The verified point's MAC, with its own prefix so that it can never pass for a head's MAC."""
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    message = _POINT_PREFIX + f"{seq}:{hash_value}:{checked}:{int(full)}:{stamp}:{by}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def record_point(session: Session, key: str, run: Verification, full: bool, at: datetime, by: str) -> None:
    """Remember where an intact run ended, for the next incremental run (call only when it found none)."""
    values: dict[str, Any] = {
        "seq": run.last_seq,
        "hash": run.last_hash,
        "checked": run.checked,
        "full": full,
        "verified_at": at,
        "verified_by": by[:64],
    }
    values["mac"] = point_mac(key, run.last_seq, run.last_hash, run.checked, full, at, values["verified_by"])
    session.execute(insert(AuditVerificationModel).values(values))


def last_point(session: Session) -> AuditVerificationModel | None:
    newest = select(func.max(AuditVerificationModel.id)).scalar_subquery()
    return session.scalar(select(AuditVerificationModel).where(AuditVerificationModel.id == newest))


def verify_since_last(session: Session, key: str) -> Verification:
    """Re-compute only the events after the last verified point (a full run when there is none)."""
    row = last_point(session)
    if row is None:
        return verify(session, key)
    point = VerifiedPoint(row.seq, row.hash, row.checked, row.full, row.verified_at, row.verified_by)
    expected = point_mac(
        key, point.seq, point.hash, point.checked, point.full, point.verified_at, row.verified_by
    )
    if not hmac.compare_digest(row.mac, expected):
        # Trust nothing it says: check everything, and say why.
        full = verify(session, key)
        forged = ChainProblem(
            "altered",
            point.seq,
            None,
            f"上次校验通过的记录（第 {point.seq} 条事件）被篡改（校验码不符），已改为完整校验"
            f" / the recorded verified point (event {point.seq}) was altered (its MAC does not match);"
            " the whole chain was verified instead",
        )
        return Verification(full.checked, [forged, *full.problems], full.last_seq, full.last_hash)
    problems: list[ChainProblem] = []
    if point.seq > 0:
        stored = session.scalar(select(AuditEventModel.hash).where(AuditEventModel.seq == point.seq))
        if stored != point.hash:
            problems.append(_point_diverged(point, stored))
    run = _verify_after(session, key, point.seq, point.hash)
    return Verification(run.checked, problems + run.problems, run.last_seq, run.last_hash, point)


def _point_diverged(point: VerifiedPoint, stored: str | None) -> ChainProblem:
    if stored is None:
        return ChainProblem(
            "removed",
            point.seq,
            None,
            f"上次校验通过的第 {point.seq} 条事件已不存在（被删除）"
            f" / event {point.seq}, where the last verification ended, no longer exists (deleted)",
        )
    return ChainProblem(
        "diverged",
        point.seq,
        None,
        f"第 {point.seq} 条事件的哈希与上次校验通过时记录的不符：该事件或之前的历史被改写，请运行完整校验"
        f" / event {point.seq} no longer has the hash recorded when the chain was last verified: it or the"
        " history before it was rewritten; run a full verification",
    )


# One instance ---------------------------------------------------------------------------------------------


def verify_instance(session: Session, instance_id: int) -> tuple[int, list[ChainProblem]]:
    """Re-compute one instance's events and the events either side of each, and check their links.

    Catches an event of the instance edited, deleted from between others, moved or slipped in unsealed,
    and an edit covered by re-hashing the event and re-linking the next one. An edit hidden by rewriting
    every later event (and the head, which needs the audit key) only a full run finds.
    """
    connection = session.connection()
    own = instance_rows(connection, instance_id)
    around = rows_at(connection, {seq for row in own for seq in (row[0] - 1, row[0] + 1)})
    around.update((row[0], row) for row in own)
    matches = hash_matches()
    problems = [
        _altered(row[0], row[1])
        for row in around.values()
        if not matches(row) and _altered_slow(session, row[1])
    ]
    for seq, event_id, stored_prev, stored_hash, *_rest in own:
        before = GENESIS if seq == 1 else (around[seq - 1][3] if seq - 1 in around else None)
        if before is None:
            problems.append(ChainProblem("removed", seq - 1, None, f"第 {seq - 1} 条事件缺失（被删除）"))
        elif stored_prev != before:
            problems.append(_broken_link(session, seq, event_id, stored_prev))
        after = around.get(seq + 1)
        if after is not None and after[2] != stored_hash:
            problems.append(_broken_link(session, seq + 1, after[1], after[2]))
    problems.extend(_unsealed(session, instance_id))
    return len(own), _unique(problems)


def _unique(problems: list[ChainProblem]) -> list[ChainProblem]:
    """Each problem once (two events of the instance can share a neighbour), in chain order."""
    seen: set[tuple[str, int | None, int | None]] = set()
    kept = []
    for problem in sorted(problems, key=lambda p: (p.seq is None, p.seq or 0, p.kind)):
        if (problem.kind, problem.seq, problem.event_id) not in seen:
            seen.add((problem.kind, problem.seq, problem.event_id))
            kept.append(problem)
    return kept
