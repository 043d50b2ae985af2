"""Notifications inside the app (issue 15, point 5): one row per event and audience, read state per user.

A notification is addressed to a department (every member; a head-only task's only to its heads) or to one
person (a task returned to the one who completed the step it came back to, or handed over to them). A
department of 40 staff with 1,000 new tasks a month thus gets 1,000 rows, not 40,000. What a user has read
is kept apart: the notifications at or below their watermark (``notification_marks``, moved by "mark all
read") and any read one by one above it (``notification_reads``, pruned when the watermark passes them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.persistence.models.base import Base

# What a notification is about; one notification of a kind per task (the scheduler's rounds are idempotent).
NOTIFICATION_KINDS = (
    "new_task",
    "returned",
    "reassigned",
    "handed_away",
    "moved",
    "due_today",
    "due_tomorrow",
    "overdue",
    "escalation",
)


class NotificationModel(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "task_id", name="uq_notifications_kind_task"),
        # The bell's count and the list: a user's departments' and their own notifications, newest first.
        Index("ix_notifications_department", "department_code", "id"),
        Index("ix_notifications_username", "username", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(String(64))  # to its members (or heads) ...
    username: Mapped[str | None] = mapped_column(String(64))  # ... or to this one person
    head_only: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    task_name_zh: Mapped[str] = mapped_column(String(256))
    task_name_en: Mapped[str] = mapped_column(String(256))
    subject: Mapped[str] = mapped_column(String(256), default="")
    # Who sent the work back (a return), handed it over or moved it; for ``handed_away``, whom it went to.
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class NotificationReadModel(Base):
    """A notification one user has read, above their watermark."""

    __tablename__ = "notification_reads"
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime]


class NotificationMarkModel(Base):
    """A user's watermark: every notification with an id up to ``read_through`` counts as read."""

    __tablename__ = "notification_marks"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_through: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
