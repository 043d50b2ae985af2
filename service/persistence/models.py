"""SQLAlchemy 2 models: definitions, instances and their projections, people, the village register.

An instance's state JSON is the source of truth; human tasks, timers and audit events are projections
written in the same transaction as the state.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Store every datetime as UTC, read it back as aware UTC, on SQLite and PostgreSQL alike.

    SQLite keeps no zone: a China-time value (+08:00) written as it is came back eight hours late, labelled
    UTC. So aware values are converted to UTC on the way in (a naive one is taken as UTC already), and the
    zone is put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None and value.utcoffset():
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def encode_state(value: dict[str, Any]) -> bytes:
    """Encode a JSON document the way CompressedJSON stores it."""
    return zlib.compress(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str), 1)


class CompressedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON document stored zlib-compressed: instance states shrink about six-fold, and so does the I/O
    of every save (measured in docs/benchmarks.md)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | bytes | None, dialect: Any) -> bytes | None:
        if value is None or isinstance(value, bytes):
            return value  # bytes: already encoded by encode_state (batch starts keep no large dicts alive)
        return encode_state(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> dict[str, Any] | None:
        return None if value is None else orjson.loads(zlib.decompress(value))


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class DepartmentModel(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    town: Mapped[str | None] = mapped_column(String(32))


class UserModel(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    # argon2id hash (argon2-cffi); None for accounts that only use API tokens.
    password_hash: Mapped[str | None] = mapped_column(String(256))
    # Global roles: designer, auditor, admin. Staff and head come from department memberships.
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The officer this account belongs to, if any: nobody appraises themselves.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", name="fk_users_officer_id"))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ApiTokenModel(Base):
    """A bearer token, stored as its SHA-256 only, with an expiry and a revocation time."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginFailureModel(Base):
    """A failed login, kept to rate-limit guessing across every service process."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WebSessionModel(Base):
    """A browser session kept on the server: the cookie holds a random id, this row its SHA-256 and data.

    ``user_id`` is set once someone signs in; deleting a user's rows signs them out everywhere.
    """

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MembershipModel(Base):
    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), primary_key=True)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)


class VillageModel(Base):
    __tablename__ = "villages"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    town: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    households: Mapped[int] = mapped_column(Integer)
    many_small_venues: Mapped[bool] = mapped_column(Boolean, default=False)


class TownModel(Base):
    """A town of the register (镇); villages, police stations and town governments name it by code."""

    __tablename__ = "towns"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))


class VillageVersionModel(Base):
    """One village's register entry as it stood from ``effective_from`` until ``effective_to`` (exclusive;
    None: still in force). ``villages`` holds the version in force today; these rows keep the history, so
    the register (and its posts) can be read as of any date."""

    __tablename__ = "village_versions"
    __table_args__ = (UniqueConstraint("village_code", "effective_from", name="uq_village_versions_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    town: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    households: Mapped[int] = mapped_column(Integer)
    many_small_venues: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(256), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


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


class InstanceModel(Base):
    __tablename__ = "instances"
    # A business key names one instance of a process: starting a month twice cannot create a duplicate.
    __table_args__ = (
        UniqueConstraint("process_id", "business_key", name="uq_instances_process_business_key"),
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
    head_only: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    completed_by: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
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


class AuditEventModel(Base):
    """Append-only history; never updated after sealing, never cascade-deleted.

    ``seq`` and ``hash`` are assigned when the writing transaction commits (service.audit): ``seq`` is the
    chain order (commit order) and ``hash`` covers the event and the previous event's hash.
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_events_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
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


class CampaignModel(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    business_key: Mapped[str] = mapped_column(String(256))
    title: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    plan: Mapped[dict[str, Any]]
    registration_start: Mapped[date | None] = mapped_column(Date)
    registration_end: Mapped[date | None] = mapped_column(Date)
    # The one day every applicant's age is counted on, as the announcement states it (平等竞争).
    age_reference_date: Mapped[date | None] = mapped_column(Date)
    closes_at: Mapped[datetime | None]
    # How many days the list of people to be hired is shown (公示), as the announcement states it.
    notice_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    created_at: Mapped[datetime]


class ApplicationModel(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_campaign_village", "campaign_id", "village_code", "status"),
        # One application per identity document per campaign, even for two registrations at the same moment.
        UniqueConstraint("campaign_id", "id_type", "id_number", name="uq_applications_campaign_document"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"))
    name: Mapped[str] = mapped_column(String(64))
    id_type: Mapped[str] = mapped_column(String(16), default="resident_id", server_default="resident_id")
    id_number: Mapped[str] = mapped_column(String(32))
    birth_date: Mapped[date] = mapped_column(Date)
    applicant: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]]
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    screening_instance_id: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[datetime]


def _contract_start(context: Any) -> Any:
    # An officer is in service from the day the contract starts, unless the insert says otherwise.
    return context.get_current_parameters()["contract_start"]


class OfficerModel(Base):
    __tablename__ = "officers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    town: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(32))
    party_member: Mapped[bool] = mapped_column(Boolean)
    contract_number: Mapped[str] = mapped_column(String(64))
    contract_start: Mapped[date] = mapped_column(Date)
    contract_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    # The day the status took effect (the contract start for an officer in service), and for one who
    # left: the last day in service and why (service/usecases/roster/status.py).
    status_since: Mapped[date] = mapped_column(Date, default=_contract_start)
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(Text)
    hiring_instance_id: Mapped[int | None] = mapped_column(Integer)
    hired_at: Mapped[datetime]


class ContractRenewalStartModel(Base):
    """Claims the renewal of one officer's contract; the key makes the scheduler's start idempotent."""

    __tablename__ = "contract_renewal_starts"
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    contract_end: Mapped[date] = mapped_column(Date, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime]


class AppraisalStartModel(Base):
    """Claims one (month, officer) appraisal; the primary key makes a month's start idempotent."""

    __tablename__ = "appraisal_starts"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime]


class AppraisalRecordModel(Base):
    """An officer's confirmed appraisal for one month."""

    __tablename__ = "appraisal_records"
    __table_args__ = (UniqueConstraint("officer_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    town: Mapped[str] = mapped_column(String(32), index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    station_total: Mapped[float] = mapped_column(Float)
    town_total: Mapped[float] = mapped_column(Float)
    combined_score: Mapped[float] = mapped_column(Float)
    village_committee_opinion: Mapped[str | None] = mapped_column(String(32))
    veto: Mapped[bool] = mapped_column(Boolean)
    veto_reason: Mapped[str | None] = mapped_column(Text)
    veto_by: Mapped[str | None] = mapped_column(String(64))
    veto_at: Mapped[datetime | None]
    suggested_grade: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(32))
    promotion_level: Mapped[str] = mapped_column(String(16))
    reward: Mapped[bool] = mapped_column(Boolean)
    confirmed_by: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime]
