"""What is kept of an archived instance (retention, issue 16 point 4): its path and final data, read from the
audit log once the engine state is gone.

``instance_archived`` records the elements the instance ran (read from its state before it was dropped);
``instance_completed`` carries the final data (an instance that ended on its very start has no such event,
so its archive event carries the data instead). Pages and the API read these, never the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.errors import ConflictError
from workflows.ports import CHINA

ARCHIVED = "instance_archived"
COMPLETED = "instance_completed"


class InstanceArchivedError(ConflictError):
    """An action or a view needs the engine state of an instance whose state retention dropped."""

    code = "instance_archived"


def refuse_archived(instance: InstanceModel) -> None:
    """Refuse, with a message a person can act on, to read the engine state of an archived instance."""
    if instance.archived_at is not None:
        raise InstanceArchivedError(
            "流程实例 {instance_id} 已归档（{date}）：流程引擎状态已按保存期限删除，"
            "历史记录和流程图仍可在实例页查看",
            instance_id=instance.id,
            date=instance.archived_at.astimezone(CHINA).date().isoformat(),
        )


@dataclass(frozen=True)
class ArchivedRecord:
    archived_at: datetime
    path: list[str]
    data: dict[str, Any]


def archived_record(session: Session, instance: InstanceModel) -> ArchivedRecord:
    """The path and final data of an archived instance, from its ``instance_completed`` and
    ``instance_archived`` events (the newest of each: archiving is recorded once)."""
    assert instance.archived_at is not None  # noqa: S101 - callers check archived_at first
    payloads: dict[str, dict[str, Any]] = {}
    for action, payload in session.execute(
        select(AuditEventModel.action, AuditEventModel.payload)
        .where(
            AuditEventModel.instance_id == instance.id,
            AuditEventModel.action.in_((ARCHIVED, COMPLETED)),
        )
        .order_by(AuditEventModel.id)
    ):
        payloads[action] = payload or {}
    archived, completed = payloads.get(ARCHIVED, {}), payloads.get(COMPLETED, {})
    data = completed.get("data") if isinstance(completed.get("data"), dict) else archived.get("data")
    path = archived.get("path")
    return ArchivedRecord(
        archived_at=instance.archived_at,
        path=[str(element) for element in path] if isinstance(path, list) else [],
        data=data if isinstance(data, dict) else {},
    )
