"""The sandbox of the designer's workbench (issue 14, point 3): throwaway runs of a draft and the scenarios
saved from them. Never live: nothing here is an instance, a queue row or a timer row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base, CompressedJSON


class SandboxRunModel(Base):
    """A run of a draft's process on sample data, with its own state and clock; deleted with its draft."""

    __tablename__ = "sandbox_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(128))
    # The draft's files the run was started on: a run goes on only while the draft is unchanged.
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # running, completed, stalled
    state: Mapped[dict[str, Any]] = mapped_column(CompressedJSON)
    start_data: Mapped[dict[str, Any]]
    # Results given in place of service-task operators, by element id (the run's "sample operators").
    operator_results: Mapped[dict[str, Any]]
    # What the designer did, in order: {"kind": "complete", "element_id", "data"} or {"kind": "skip"}.
    actions: Mapped[list[Any]]
    # What ran, in order: element, kind, detail and the data after it (workbench/sandbox_engine.py).
    steps: Mapped[list[Any]]
    started_clock: Mapped[datetime]
    clock_at: Mapped[datetime]  # the run's own clock: "skip the wait" moves it, never the service's
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DraftScenarioModel(Base):
    """A run saved as a regression test of a process: replayed on every check of a draft of it."""

    __tablename__ = "draft_scenarios"
    __table_args__ = (UniqueConstraint("process_id", "name", name="uq_draft_scenarios_process_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # Where it was recorded; the scenario outlives the draft (it belongs to the process).
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True)
    start_data: Mapped[dict[str, Any]]
    operator_results: Mapped[dict[str, Any]]
    actions: Mapped[list[Any]]
    expected_steps: Mapped[list[Any]]
    end_data: Mapped[dict[str, Any]]
    finished: Mapped[bool] = mapped_column(Boolean)
    started_clock: Mapped[datetime]
    created_at: Mapped[datetime]
