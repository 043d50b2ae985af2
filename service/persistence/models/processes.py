"""Definitions and instances and their projections: an instance's state JSON is the source of truth;
human tasks, timers and incidents are written in the same transaction as the state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base, CompressedJSON, UTCDateTime


class BundleModel(Base):
    """A deployed set of BPMN/DMN/form files, immutable, stored once by content hash."""

    __tablename__ = "bundles"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class DefinitionModel(Base):
    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256"))
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    # A retired version starts no new instances; running ones go on with it.
    retired_at: Mapped[datetime | None]


# A finished instance whose engine state is still kept; literal so that SQLite matches the partial index.
NOT_ARCHIVED = "status = 'completed' AND archived_at IS NULL"


class InstanceModel(Base):
    __tablename__ = "instances"
    # A business key names one instance of a process: starting a month twice cannot create a duplicate.
    __table_args__ = (
        UniqueConstraint("process_id", "business_key", name="uq_instances_process_business_key"),
        # Retention (service/usecases/retention.py) takes the finished instances not archived yet by end date.
        Index(
            "ix_instances_to_archive",
            "status",  # fixed by the WHERE, but SQLite (no statistics) prefers ix_instances_status without it
            "completed_at",
            "id",
            sqlite_where=text(NOT_ARCHIVED),
            postgresql_where=text(NOT_ARCHIVED),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    business_key: Mapped[str | None] = mapped_column(String(256), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    subject: Mapped[str] = mapped_column(String(256), default="")
    state: Mapped[dict[str, Any]] = mapped_column(CompressedJSON)
    serializer_version: Mapped[str] = mapped_column(String(64))
    # Bumped on every save, so a writer that lost a race notices instead of overwriting.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    started_by: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # Set when retention dropped the engine state (``state`` is then ``{}``); the audit log keeps the rest.
    archived_at: Mapped[datetime | None]
    __mapper_args__ = {"version_id_col": lock_version}


# A task waiting for a person; the SQL form is literal so that SQLite matches the partial indexes.
OPEN_STATES = ("open", "claimed")
ACTIVE_TASK = f"state IN ({', '.join(repr(state) for state in OPEN_STATES)})"


class HumanTaskFacts(Protocol):
    """A plain row of ``human_tasks`` as the task actions read it (they skip the ORM: busiest writes)."""

    def _asdict(self) -> dict[str, Any]: ...

    @property
    def id(self) -> str: ...
    @property
    def instance_id(self) -> int: ...
    @property
    def process_id(self) -> str: ...
    @property
    def spec_name(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def form(self) -> str | None: ...
    @property
    def department_code(self) -> str: ...
    @property
    def head_only(self) -> bool: ...
    @property
    def state(self) -> str: ...
    @property
    def claimed_by(self) -> str | None: ...
    @property
    def on_behalf_of(self) -> str | None: ...


class HumanTaskModel(Base):
    """The queue projection of a user task."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        # The work queue: partial indexes over open and claimed tasks only, so a queue's first page and its
        # counts read a few index pages however much history the department has. Queries must repeat the
        # literal ACTIVE_TASK condition for SQLite to use them.
        Index(
            "ix_human_tasks_active",
            "department_code",
            "created_at",
            "id",
            sqlite_where=text(ACTIVE_TASK),
            postgresql_where=text(ACTIVE_TASK),
        ),
        Index(
            "ix_human_tasks_active_counts",
            "department_code",
            "state",
            "due_at",
            "claimed_by",
            "head_only",  # staff do not count head-only tasks: the overview still reads the index alone
            sqlite_where=text(ACTIVE_TASK),
            postgresql_where=text(ACTIVE_TASK),
        ),
        Index("ix_human_tasks_history", "department_code", "state", "created_at", "id"),
        # The inbox (issue 15): one department's first page by due date, and the tasks a person holds.
        Index(
            "ix_human_tasks_active_due",
            "department_code",
            "due_at",
            "id",
            sqlite_where=text(ACTIVE_TASK),
            postgresql_where=text(ACTIVE_TASK),
        ),
        Index(
            "ix_human_tasks_active_claimed",
            "claimed_by",
            "due_at",
            sqlite_where=text(ACTIVE_TASK),
            postgresql_where=text(ACTIVE_TASK),
        ),
        # A process's overdue open tasks by department and due date, counted from the index alone: the
        # appraisal dashboard's overdue figures (dashboards.overdue_counts, migration 0026).
        Index(
            "ix_human_tasks_active_process_due",
            "process_id",
            "department_code",
            "due_at",
            "state",  # in the condition: SQLite reads the index alone only if it holds every column used
            sqlite_where=text(ACTIVE_TASK),
            postgresql_where=text(ACTIVE_TASK),
        ),
        # "Returned to me": the steps a person completed, to find a later pass of the same step of a case.
        Index("ix_human_tasks_completed_by", "completed_by", "instance_id", "spec_name"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    spec_name: Mapped[str] = mapped_column(String(128))
    name_zh: Mapped[str] = mapped_column(String(256))
    name_en: Mapped[str] = mapped_column(String(256))
    department_code: Mapped[str] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(256), default="")
    # Where the case is, from the instance's data (``village_code``, ``town``), for the inbox's filters.
    village_code: Mapped[str | None] = mapped_column(String(32))
    town: Mapped[str | None] = mapped_column(String(32))
    head_only: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    completed_by: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # The person's own queue (``officer:<id>``) a task was taken from by a member of the model's
    # ``onBehalfBy`` department, to enter it on that person's behalf from their signed paper (migration 0036).
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    # Not stored: set by the queue use case from the service clock so the list can mark overdue work.
    overdue = False


class TimerModel(Base):
    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("instance_id", "task_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fired_at: Mapped[datetime | None]
    # A scheduler worker claims due timers for a while; if it dies, the lease runs out and another takes over.
    leased_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]


class IncidentModel(Base):
    """An instance that cannot go on by itself: an action past its budget, or a stall.

    Visible to designers and admins until someone resolves it. ``instance_id`` is empty for a start that
    failed (nothing of it was kept).
    """

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    definition_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    element: Mapped[str | None] = mapped_column(String(256))
    message: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
