"""The inbox's saved filters: a name and the query string of the inbox's filters, per user (issue 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class SavedFilterModel(Base):
    """One of a user's saved inbox filters; ``query`` is the inbox's query string (``due=overdue&...``)."""

    __tablename__ = "inbox_filters"
    __table_args__ = (UniqueConstraint("username", "name", name="uq_inbox_filters_username_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]
