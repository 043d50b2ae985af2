"""Injury leave (停工留薪期): one row per reported work injury, the days the officer is off work for it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class InjuryLeaveModel(Base):
    """The officer's injury leave of one ``work_injury`` instance (issue 17, point 4).

    Written by the process's operators (service/usecases/welfare/injury.py): opened when the station reports
    the injury, ended by the return to work, by leaving the post (disability grades 1-4) or by a recognition
    that refuses the injury. The officer is on leave on day D when ``leave_from <= D <= leave_limit`` and the
    leave has not ended by D (``ended_on`` is the first day off it); the roster's status and the month start
    of the appraisal read it.
    """

    __tablename__ = "injury_leaves"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    leave_from: Mapped[date] = mapped_column(Date)
    # The last day the leave may last: the model's maximum (max_leave_months) from the injury day.
    leave_limit: Mapped[date] = mapped_column(Date)
    max_months: Mapped[int] = mapped_column(Integer)
    # The first day no longer on leave, and why: returned | left_post | not_recognised (None: still open).
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(16))
