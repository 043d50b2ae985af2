"""Dismissal cases (清退): one row per case, opened when a dismissal instance starts (issue 17, point 1)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class DismissalCaseModel(Base):
    """A case the sub-bureau opened to dismiss an officer, and how it ended.

    The row is what the officer's page and the campaign's screening read: the officer's earlier dismissals
    and whether the category of one bars re-hiring (the model's ``bars_rehiring``, kept on the row when the
    case is recorded, so a later change of the model does not re-decide old cases).
    """

    __tablename__ = "dismissal_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    # incompetent (two incompetent grades in 12 months) | disqualifier | serious_breach
    category: Mapped[str] = mapped_column(String(32))
    disqualifier: Mapped[str | None] = mapped_column(String(32))  # a code of the policy's twelve
    facts: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    # None while the case is open; dismissed | kept once recorded.
    outcome: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    grounds: Mapped[str | None] = mapped_column(Text)
    rehire_barred: Mapped[bool] = mapped_column(Boolean, default=False)
