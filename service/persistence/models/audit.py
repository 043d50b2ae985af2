"""The audit log: events chained by hash (the head row), and the instances' subjects it is searched by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    column,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base, UTCDateTime


class AuditEventModel(Base):
    """Append-only history; never updated after sealing, never cascade-deleted.

    ``seq`` and ``hash`` are assigned when the writing transaction commits (service.audit): ``seq`` is the
    chain order (commit order) and ``hash`` covers the event and the previous event's hash.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_audit_events_seq"),
        # The auditors' search, newest first within an action, an actor or a department (issue 15, point 7).
        Index("ix_audit_events_action_at", "action", "at", "id"),
        Index("ix_audit_events_actor_at", "actor", "at", "id"),
        Index("ix_audit_events_department_at", "department_code", "at", "id"),
        # A range of days newest first, read backwards; seq too, so that the range's chain order is
        # sorted from the index alone (issue 16, migration 0028).
        Index("ix_audit_events_at_id", "at", "id", "seq"),
        # PostgreSQL only: trigrams of the data's text, for the free-text search (its exact expression,
        # audit_search.by_text). The migration creates it with pg_trgm's schema named (0028).
        Index(
            "ix_audit_events_payload_trgm",
            cast(column("payload"), Text).label("payload_text"),
            postgresql_using="gin",
            postgresql_ops={"payload_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No index of its own: (actor, at, id) above serves a search by actor alone too (migration 0025).
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    department_code: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]


class InstanceSubjectModel(Base):
    """Whom an instance is about (an officer, an application), for the auditors' history search."""

    __tablename__ = "instance_subjects"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = (Index("ix_instance_subjects_ref", "kind", "ref"),)


class AuditHeadModel(Base):
    """The chain's newest position, authenticated with a key kept outside the database.

    Without it, deleting the newest events would leave a shorter chain that still verifies.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class AuditVerificationModel(Base):
    """A point up to which ``audit verify`` found the chain intact: where an incremental run starts.

    ``mac`` authenticates the row with the audit key (as the head's does), so a point moved or pointed at
    another hash is reported instead of trusted. Rows are kept: they say who verified the chain, and when.
    """

    __tablename__ = "audit_verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # the last event verified (0: an empty chain)
    hash: Mapped[str] = mapped_column(String(64))  # that event's hash
    checked: Mapped[int] = mapped_column(Integer)  # events re-computed by this run
    full: Mapped[bool] = mapped_column(Boolean)  # from the first event (else from the previous point)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_by: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
