"""The history of instance migrations (issue 14, point 5), read from the audit trail's
``instance_migrated`` events: designers, admins and auditors see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.directory import Caller
from service.usecases.migration.choices import require_reader
from service.usecases.migration.report import instance_subjects

HISTORY_PAGE = 50


@dataclass
class HistoryRow:
    at: datetime
    actor: str
    instance_id: int | None
    business_key: str | None
    subject: str
    process_id: str
    from_version: int | None
    to_version: int | None


def history(ctx: ServiceContext, caller: Caller, page: int) -> tuple[list[HistoryRow], int]:
    """The ``instance_migrated`` events, newest first, HISTORY_PAGE a page; and the number of pages."""
    require_reader(caller)
    migrated = AuditEventModel.action == "instance_migrated"
    with ctx.database.reading() as session:
        total = session.scalar(select(func.count()).select_from(AuditEventModel).where(migrated)) or 0
        events = list(
            session.scalars(
                select(AuditEventModel)
                .where(migrated)
                .order_by(AuditEventModel.id.desc())
                .offset((page - 1) * HISTORY_PAGE)
                .limit(HISTORY_PAGE)
            )
        )
        instance_ids = {e.instance_id for e in events if e.instance_id}
        keys = (
            dict(
                session.execute(
                    select(InstanceModel.id, InstanceModel.business_key).where(
                        InstanceModel.id.in_(instance_ids)
                    )
                ).all()
            )
            if instance_ids
            else {}
        )
        subjects = instance_subjects(session, (i for i in instance_ids if i is not None))
    rows = [
        HistoryRow(
            e.at,
            e.actor,
            e.instance_id,
            keys.get(e.instance_id) if e.instance_id else None,
            subjects.get(e.instance_id, "") if e.instance_id else "",
            str(e.payload.get("process_id", "")),
            e.payload.get("from_version"),
            e.payload.get("to_version"),
        )
        for e in events
    ]
    return rows, max(1, -(-total // HISTORY_PAGE))
