"""The officers' earlier labour contracts: each one a renewal replaced (the current one is on the officer)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class OfficerContractModel(Base):
    """A contract the officer held before a renewal, kept when ``record_renewal`` writes the new one, so the
    officer's page lists every contract without reading the audit log."""

    __tablename__ = "officer_contracts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    contract_number: Mapped[str] = mapped_column(String(64))
    contract_start: Mapped[date] = mapped_column(Date)
    contract_end: Mapped[date] = mapped_column(Date)
    # The renewal that replaced it: its instance, when, and the service company's user who signed the next.
    renewal_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    renewed_at: Mapped[datetime]
    renewed_by: Mapped[str] = mapped_column(String(64))
