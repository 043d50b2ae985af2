"""Auditors' use cases over the audit log: chain verification, history search and streamed exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceSubjectModel
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError
from service.usecases.export_cells import csv_value
from service.usecases.own_cases import hide_own
from workflows.ports import CHINA

EXPORT_CHUNK = 1_000
EXPORT_FORMATS = ("csv", "jsonl")
# Chinese headers of the CSV export, in column order.
CSV_HEADERS = ("序号", "时间（北京时间）", "操作人", "操作", "流程实例", "任务", "部门", "内容(JSON)", "哈希")
# A spreadsheet runs a cell starting with one of these as a formula: such text is exported quoted.

_COLUMNS = (
    AuditEventModel.id,
    AuditEventModel.seq,
    AuditEventModel.prev_hash,
    AuditEventModel.hash,
    AuditEventModel.at,
    AuditEventModel.actor,
    AuditEventModel.action,
    AuditEventModel.instance_id,
    AuditEventModel.task_id,
    AuditEventModel.department_code,
    AuditEventModel.payload,
)


@dataclass(frozen=True)
class AuditFilters:
    """What an auditor searches by; every given filter must match (``since`` <= at < ``until``)."""

    instance_id: int | None = None
    officer_id: int | None = None
    application_id: int | None = None
    actor: str | None = None
    department_code: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def verify_chain(ctx: ServiceContext) -> dict[str, Any]:
    """Check the whole chain; ``intact`` is true only when no problem was found."""
    with ctx.database.reading() as session:
        checked, problems = audit.verify(session, ctx.settings.audit_key)
    return {"intact": not problems, "checked": checked, "problems": problems}


def _utc(value: datetime) -> datetime:
    # Stored times are UTC (SQLite keeps them without the zone), so bounds are compared in UTC too.
    return (value if value.tzinfo else value.replace(tzinfo=CHINA)).astimezone(UTC)


def _filtered(filters: AuditFilters) -> Select[Any]:
    """The events matching ``filters``, as a SELECT of the export columns (no order, no limit)."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInputError(
            "起始时间必须早于截止时间",
            errors={"since": ["起始时间必须早于截止时间", "Must be before the end time"]},
        )
    query = select(*_COLUMNS)
    if filters.instance_id is not None:
        query = query.where(AuditEventModel.instance_id == filters.instance_id)
    for kind, ref in (("officer", filters.officer_id), ("application", filters.application_id)):
        if ref is not None:
            about = select(InstanceSubjectModel.instance_id).where(
                InstanceSubjectModel.kind == kind, InstanceSubjectModel.ref == ref
            )
            query = query.where(AuditEventModel.instance_id.in_(about))
    if filters.actor:
        query = query.where(AuditEventModel.actor == filters.actor)
    if filters.department_code:
        query = query.where(AuditEventModel.department_code == filters.department_code)
    if filters.action:
        query = query.where(AuditEventModel.action == filters.action)
    if filters.since:
        query = query.where(AuditEventModel.at >= _utc(filters.since))
    if filters.until:
        query = query.where(AuditEventModel.at < _utc(filters.until))
    return query


def _event(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in _COLUMNS}


def search(
    ctx: ServiceContext, caller: Caller, filters: AuditFilters, page: int, per_page: int
) -> dict[str, Any]:
    """One page of the matching events in chain order (unsealed events, which verify flags, last)."""
    query = hide_own(_filtered(filters), caller, AuditEventModel.instance_id)
    with ctx.database.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(
            query.order_by(AuditEventModel.seq.is_(None), AuditEventModel.seq, AuditEventModel.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    return {"items": [_event(row) for row in rows], "total": total, "page": page, "per_page": per_page}


def _chunks(session: Session, query: Select[Any], size: int) -> Iterator[Sequence[Any]]:
    """All rows of ``query`` in chain order, ``size`` at a time (keyset by seq, then unsealed by id)."""
    last_seq = 0
    while rows := session.execute(
        query.where(AuditEventModel.seq > last_seq).order_by(AuditEventModel.seq).limit(size)
    ).all():
        yield rows
        last_seq = rows[-1].seq
    last_id = 0
    while rows := session.execute(
        query.where(AuditEventModel.seq.is_(None), AuditEventModel.id > last_id)
        .order_by(AuditEventModel.id)
        .limit(size)
    ).all():
        yield rows
        last_id = rows[-1].id


def _csv_row(row: Any) -> list[Any]:
    at = row.at.astimezone(CHINA).isoformat(timespec="seconds") if row.at else ""
    content = orjson.dumps(row.payload, option=orjson.OPT_SORT_KEYS, default=str).decode()
    values = [row.seq, at, row.actor, row.action, row.instance_id, row.task_id, row.department_code]
    return [csv_value(value) for value in values] + [content, row.hash or ""]


def _jsonl_line(row: Any) -> str:
    event = _event(row)
    event["at"] = row.at.isoformat() if row.at else None
    return orjson.dumps(event, default=str).decode() + "\n"


def export(
    ctx: ServiceContext, caller: Caller, filters: AuditFilters, fmt: str, chunk: int = EXPORT_CHUNK
) -> Iterator[str]:
    """Every matching event in chain order as CSV (UTF-8 with BOM, Chinese headers) or JSON Lines.

    A generator: events are read ``chunk`` at a time, so a large export is never held in memory. Filters
    are checked at once (before the first chunk), so a bad request fails before a response starts.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(
            "导出格式只能是 csv 或 jsonl", errors={"format": ["只能是 csv 或 jsonl", "Must be csv or jsonl"]}
        )
    query = hide_own(_filtered(filters), caller, AuditEventModel.instance_id)
    return _stream(ctx, query, fmt, chunk)


def _stream(ctx: ServiceContext, query: Select[Any], fmt: str, chunk: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if fmt == "csv":
        writer.writerow(CSV_HEADERS)
        yield "\ufeff" + buffer.getvalue()
    with ctx.database.reading() as session:
        for rows in _chunks(session, query, chunk):
            if fmt == "jsonl":
                yield "".join(_jsonl_line(row) for row in rows)
                continue
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(_csv_row(row) for row in rows)
            yield buffer.getvalue()
