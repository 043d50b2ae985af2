"""Recruitment and the roster: campaigns, applications, officers and the contract renewals started."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base

# "The application has reasons", as the partial index and the queries that use it both write it: literal
# SQL, so that SQLite and PostgreSQL see the index's own condition (an empty list is stored as the text []).
REASONS_GIVEN_SQLITE = "reasons <> '[]'"
REASONS_GIVEN_POSTGRESQL = "(reasons)::text <> '[]'"


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
        # The applications that have reasons (most have none), for the dashboard's tally by reason without
        # reading every application's row (migration 0027; service/usecases/campaign_charts.py).
        Index(
            "ix_applications_campaign_reasons",
            "campaign_id",
            sqlite_where=text(REASONS_GIVEN_SQLITE),
            postgresql_where=text(REASONS_GIVEN_POSTGRESQL),
        ),
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
    # The dashboard's counts by status and town, its leavers by status and day of leaving (migration 0038).
    __table_args__ = (Index("ix_officers_status_town", "status", "town", "left_on"),)
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
