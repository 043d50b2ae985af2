"""Officers' monthly field reports (issue 17, point 7): one row per officer and month, kept by the
field_report process's operators as the report is submitted, returned and confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class FieldReportModel(Base):
    """An officer's report of one month's work to the station, as it stands now.

    ``counts`` holds the form's numbers by field (the model's form decides which duties are counted), so a
    designer adds a duty to the form without a migration. ``status``: ``submitted`` (waiting for the
    station), ``returned`` (sent back for correction, ``return_reason``), ``confirmed``.
    """

    __tablename__ = "field_reports"
    __table_args__ = (UniqueConstraint("officer_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    town: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]]
    highlights: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    return_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None]
    station_remarks: Mapped[str | None] = mapped_column(Text)
    # Who entered the report on the officer's behalf from the officer's signed paper sheet (the station's
    # clerk); None when the officer reported in person (migration 0036).
    entered_by: Mapped[str | None] = mapped_column(String(64))
