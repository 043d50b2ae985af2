"""The monthly appraisal: the months started, each officer's record, and their counts by month and town."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


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


class AppraisalCountModel(Base):
    """The appraisal dashboard's numbers of one month and town, kept by the use cases that change them.

    A projection (service/persistence/appraisal_counts.py): each start, veto decision and confirmed record
    adds to its row in the same transaction, so the dashboard reads 12 x towns rows rather than every
    start and record of the twelve months (issue 15, point 6). ``vetoes`` counts from the town
    government's decision; ``vetoes_confirmed`` those of them in a confirmed record (the rest await it).
    """

    __tablename__ = "appraisal_counts"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    town: Mapped[str] = mapped_column(String(32), primary_key=True)
    started: Mapped[int] = mapped_column(Integer, default=0)
    appraised: Mapped[int] = mapped_column(Integer, default=0)
    excellent: Mapped[int] = mapped_column(Integer, default=0)
    competent: Mapped[int] = mapped_column(Integer, default=0)
    basically_competent: Mapped[int] = mapped_column(Integer, default=0)
    incompetent: Mapped[int] = mapped_column(Integer, default=0)
    vetoes: Mapped[int] = mapped_column(Integer, default=0)
    vetoes_confirmed: Mapped[int] = mapped_column(Integer, default=0)
