"""Retention (issue 16, point 4): drop the engine state of instances that ended long ago, keep their history.

A finished instance's state is read by nothing but its diagram and data view, and it is most of what the
database keeps of it (the spec is stored once per version; the state is the task tree with its data). After
``AUXPOLICE_RETENTION_DAYS`` (docs/design.md, "Retention") the state is replaced by ``{}`` and
``archived_at`` set, one batch per transaction. Each instance gets an ``instance_archived`` audit event in
the same transaction: the elements it ran, read from the state before it goes (the diagram's path), the
size and sha256 of the stored bytes dropped (to match a backup copy) and the age applied. Its task rows,
comments, attachments and every earlier audit event stay as they were, so the chain still verifies.

Running instances are never touched: only ``status = 'completed'`` rows with an end date before the cutoff
are selected, locked, and re-checked in the same statement; running the command again finds nothing new.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import LargeBinary, func, select, text, type_coerce, update
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel, encode_state
from service.persistence.models.processes import NOT_ARCHIVED
from service.persistence.rows import table_of
from service.usecases.archived import ARCHIVED, COMPLETED
from service.usecases.diagrams import elements_run
from service.usecases.errors import InvalidInputError
from service.usecases.runner import InstanceRunner
from workflows.diagram import COMPLETED as RAN
from workflows.diagram import element_states
from workflows.engine import WorkflowEngine

BATCH_SIZE = 200
# What an archived instance keeps in its state column: an empty document, about a dozen bytes compressed.
EMPTY_STATE = encode_state({})
_RAW_STATE = type_coerce(InstanceModel.state, LargeBinary)  # the stored (compressed) bytes, not the dict


@dataclass
class RetentionReport:
    """What a run found and did: instances and the stored state bytes before and after."""

    older_than_days: int
    cutoff: datetime
    dry_run: bool
    candidates: int = 0
    archived: int = 0
    batches: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def bytes_saved(self) -> int:
        return self.bytes_before - self.bytes_after


def archive_finished(
    ctx: ServiceContext,
    actor: str,
    older_than_days: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> RetentionReport:
    """Archive every instance that ended more than ``older_than_days`` (default: the setting) ago.

    ``dry_run`` only counts them and their stored state. An instance whose state cannot be read (its
    definition's files missing) is left as it is and named in ``failed``; the others go on.
    """
    days = ctx.settings.retention_days if older_than_days is None else older_than_days
    if days < 1:
        raise InvalidInputError("保存期限至少为 1 天（当前为 {days} 天）", days=days)
    if batch_size < 1:
        raise InvalidInputError("每批数量至少为 1")
    cutoff = ctx.clock.now() - timedelta(days=days)
    report = RetentionReport(older_than_days=days, cutoff=cutoff, dry_run=dry_run)
    due = text(NOT_ARCHIVED), InstanceModel.completed_at < cutoff
    with ctx.database.reading() as session:
        count, size = session.execute(
            select(func.count(), func.coalesce(func.sum(func.length(_RAW_STATE)), 0)).where(*due)
        ).one()
    report.candidates, report.bytes_before = int(count), int(size)
    report.bytes_after = report.bytes_before  # each archived instance takes its bytes off
    if dry_run:
        return report
    while True:
        skip = [InstanceModel.id.not_in(sorted(report.failed))] if report.failed else []
        with ctx.database.transaction() as session:
            rows = session.execute(
                select(
                    InstanceModel.id,
                    InstanceModel.definition_id,
                    InstanceModel.process_id,
                    InstanceModel.completed_at,
                    _RAW_STATE.label("raw"),
                )
                .where(*due, *skip)
                .order_by(InstanceModel.completed_at, InstanceModel.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                _archive_one(ctx, session, actor, row, days, report)
        if not rows:
            return report
        report.batches += 1


def _archive_one(
    ctx: ServiceContext, session: Session, actor: str, row: Any, days: int, report: RetentionReport
) -> None:
    runner = InstanceRunner(ctx, session, actor)
    try:
        specs = runner.specs_for(row.definition_id)
        engine = WorkflowEngine()
        workflow = engine.load(specs, row.process_id, orjson.loads(zlib.decompress(row.raw)))
    except Exception as error:  # noqa: BLE001 - one unreadable instance must not stop the others
        report.failed[row.id] = f"{type(error).__name__}: {error}"
        return
    now = ctx.clock.now()
    states = element_states(workflow, elements_run(session, row.id))
    payload: dict[str, Any] = {
        "path": sorted(element for element, state in states.items() if state == RAN),
        "state_bytes": len(row.raw),
        "state_sha256": hashlib.sha256(row.raw).hexdigest(),
        "retention_days": days,
        "completed_at": row.completed_at.isoformat(),
    }
    if not _final_data_recorded(session, row.id):  # ended on its start: no completion event carries it
        payload["data"] = engine.data(workflow)
    instances = table_of(InstanceModel)
    session.execute(
        update(instances)
        .where(instances.c.id == row.id)
        .values(state=EMPTY_STATE, archived_at=now, lock_version=instances.c.lock_version + 1)
    )
    audit.record(session, now, actor, ARCHIVED, instance_id=row.id, **payload)
    report.archived += 1
    report.bytes_after -= len(row.raw) - len(EMPTY_STATE)


def _final_data_recorded(session: Session, instance_id: int) -> bool:
    return (
        session.scalar(
            select(AuditEventModel.id).where(
                AuditEventModel.instance_id == instance_id, AuditEventModel.action == COMPLETED
            )
        )
        is not None
    )
