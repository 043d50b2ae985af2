"""The village register: towns, villages (the entry in force today) and their versions with effective
dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


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
