"""Append-only audit log, written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.persistence.models import AuditEventModel


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    department_code: str | None = None,
    **payload: Any,
) -> AuditEventModel:
    """Append one event to the session's transaction."""
    event = AuditEventModel(
        at=at,
        actor=actor,
        action=action,
        instance_id=instance_id,
        task_id=task_id,
        department_code=department_code,
        payload=payload,
    )
    session.add(event)
    return event
