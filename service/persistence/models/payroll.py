"""The confirmed payroll's lines (issue 17, point 8): what each officer was paid in a month, written when
Finance confirms the month's payroll (service/usecases/payroll.py ``record_payroll``), read by the officer's
page and ``GET /api/v1/officers/<id>/pay`` (service/usecases/payroll_lines.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base

MONEY = Numeric(12, 2, asdecimal=False)


class PayrollLineModel(Base):
    """One officer's pay in one confirmed month: the wage, the five insurances and the housing fund, the
    awards and their total, with the payroll's instance and who confirmed it when. One line per officer and
    month (one payroll per month, service/usecases/payroll.py ``open_payroll``)."""

    __tablename__ = "payroll_lines"
    __table_args__ = (UniqueConstraint("officer_id", "month", name="uq_payroll_lines_officer_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    wage: Mapped[float] = mapped_column(MONEY)
    pension: Mapped[float] = mapped_column(MONEY)
    medical: Mapped[float] = mapped_column(MONEY)
    unemployment: Mapped[float] = mapped_column(MONEY)
    work_injury: Mapped[float] = mapped_column(MONEY)
    maternity: Mapped[float] = mapped_column(MONEY)
    housing_fund: Mapped[float] = mapped_column(MONEY)
    awards: Mapped[float] = mapped_column(MONEY)
    total: Mapped[float] = mapped_column(MONEY)
    confirmed_on: Mapped[date]
    confirmed_by: Mapped[str] = mapped_column(String(64))
