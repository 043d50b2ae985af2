"""Drafts: a designer's private, never-live copy of a bundle (issue 14, first slice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base


class DraftModel(Base):
    """A bundle being edited: started from a published version, owned by one designer, never started."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    # The version it was started from; the published bundle itself is immutable and never touched. None:
    # imported from another tool as a new process (service/usecases/workbench/camunda_import.py).
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("definitions.id"), nullable=True)
    process_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    files: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
