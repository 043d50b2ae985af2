"""Auditors' use cases over the audit log: chain verification, history search and streamed exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service import audit
from service.audit import verification
from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel, InstanceSubjectModel
from service.usecases import action_labels, audit_search
from service.usecases.directory import Caller
from service.usecases.errors import InvalidInputError, NotFoundError
from service.usecases.event_names import EventNames
from service.usecases.export_cells import csv_value
from service.usecases.inbox.bounded import Count, count_upto
from service.usecases.own_cases import hide_own
from workflows.ports import CHINA

EXPORT_CHUNK = 1_000
# A search counts its events up to here and then says "1,000+" (as the inbox does, inbox/bounded.py): an
# exact count read every matching event, and for free text every event (a scan of the 1.5 million of
# 7,000 officers' year, 6 s; docs/benchmarks.md, issue 16), while the page itself reads 50.
SEARCH_COUNT_BOUND = 1_000
EXPORT_FORMATS = ("csv", "jsonl")
# Chinese headers of the CSV export, in column order: each name or label followed by its code.
CSV_HEADERS = (
    "序号",
    "时间（北京时间）",
    "操作人",
    "操作人账号（代码）",
    "操作",
    "操作（代码）",
    "流程实例",
    "任务",
    "部门",
    "部门（代码）",
    "内容(JSON)",
    "哈希",
)

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
    # What people know (issue 15, point 7; service/usecases/audit_search.py): names contain the text.
    person: str | None = None  # the actor's display name (or username)
    department: str | None = None  # a department's name or code
    village: str | None = None  # a village's name (now or earlier) or code
    officer: str | None = None  # an officer's name
    actions: tuple[str, ...] = ()  # action codes (chosen by their labels)
    action_label: str | None = None  # text in an action's label, 办结 or "complete task"
    text: str | None = None  # text in the event's data (its JSON)
    date_from: date | None = None  # Beijing dates, both included
    date_to: date | None = None


def beijing_midnight(day: date) -> datetime:
    """The start of ``day`` in Beijing, as UTC: 2026-11-25 starts at 2026-11-24T16:00:00Z."""
    return datetime.combine(day, time(0, 0), tzinfo=CHINA).astimezone(UTC)


def verify_chain(ctx: ServiceContext, instance_id: int | None = None) -> dict[str, Any]:
    """Check the whole chain, or one instance's events and their neighbours (service/audit/verification.py);
    ``intact`` is true only when no problem was found."""
    with ctx.database.reading() as session:
        if instance_id is None:
            checked, problems = audit.verify(session, ctx.settings.audit_key)
        else:
            checked, problems = verification.verify_instance(session, instance_id)
            if not checked and not problems and session.get(InstanceModel, instance_id) is None:
                raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=instance_id)
    result = {"intact": not problems, "checked": checked, "problems": problems}
    return result if instance_id is None else {**result, "instance_id": instance_id}


def _utc(value: datetime) -> datetime:
    # Stored times are UTC (SQLite keeps them without the zone), so bounds are compared in UTC too.
    return (value if value.tzinfo else value.replace(tzinfo=CHINA)).astimezone(UTC)


def _filtered(filters: AuditFilters, is_sqlite: bool) -> Select[Any]:
    """The events matching ``filters``, as a SELECT of the export columns (no order, no limit)."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInputError(
            "起始时间必须早于截止时间",
            errors={"since": ["起始时间必须早于截止时间", "Must be before the end time"]},
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInputError(
            "起始日期不能晚于截止日期",
            errors={"date_from": ["起始日期不能晚于截止日期", "Must not be after the end date"]},
        )
    query = select(*_COLUMNS).where(*audit_search.conditions(filters, is_sqlite))
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
    if filters.date_from:
        query = query.where(AuditEventModel.at >= beijing_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEventModel.at < beijing_midnight(filters.date_to + timedelta(days=1)))
    return query


def _event(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in _COLUMNS}


def search(
    ctx: ServiceContext,
    caller: Caller,
    filters: AuditFilters,
    page: int,
    per_page: int,
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page of the matching events in chain order (unsealed events, which verify flags, last), or
    newest first (by time, then by id: the indexes on (action, at, id), (actor, at, id) and (at, id)
    serve it), and how many match, counted up to ``SEARCH_COUNT_BOUND`` (never less than the end of the
    page asked for): past it ``total`` is that bound and ``total_is_lower_bound`` is true."""
    query = hide_own(_filtered(filters, ctx.database.is_sqlite), caller, AuditEventModel.instance_id)
    offset = (page - 1) * per_page
    if newest_first:
        order = (AuditEventModel.at.desc(), AuditEventModel.id.desc())
        page_query = query.order_by(*order).offset(offset).limit(per_page)
    else:
        order = (AuditEventModel.seq.is_(None), AuditEventModel.seq, AuditEventModel.id)  # type: ignore[assignment]
        # The page's ids first, then its rows: a range of days is sorted from the (at, id, seq) index
        # alone, not from every event of the range read whole (migration 0028).
        ids = query.with_only_columns(AuditEventModel.id).order_by(*order).offset(offset).limit(per_page)
        page_query = select(*_COLUMNS).where(AuditEventModel.id.in_(ids)).order_by(*order)
    bound = max(SEARCH_COUNT_BOUND, offset + per_page)
    with ctx.database.reading() as session:
        total = Count.of(session.scalar(select(count_upto(query, bound + 1))) or 0, bound)
        rows = session.execute(page_query).all()
        subjects = _subjects(session, {row.instance_id for row in rows if row.instance_id})
    items = [{**_event(row), "subject": subjects.get(row.instance_id)} for row in rows]
    return {
        "items": items,
        "total": total.value,
        "total_is_lower_bound": total.more,
        "page": page,
        "per_page": per_page,
    }


def _subjects(session: Session, instance_ids: set[int]) -> dict[int, str]:
    """Whom each instance is about, as its subject reads (张建华（涝台村）2026-11): names, not codes."""
    if not instance_ids:
        return {}
    rows = session.execute(
        select(InstanceModel.id, InstanceModel.subject).where(InstanceModel.id.in_(sorted(instance_ids)))
    )
    return {row.id: row.subject for row in rows if row.subject}


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


def beijing_iso(at: datetime | None) -> str:
    """A stored time as ISO 8601 in Beijing time with its zone: ``2026-11-25T09:00:00+08:00``."""
    return at.astimezone(CHINA).isoformat(timespec="seconds") if at else ""


def _csv_row(row: Any, names: EventNames) -> list[Any]:
    content = orjson.dumps(row.payload, option=orjson.OPT_SORT_KEYS, default=str).decode()
    values = [
        row.seq,
        beijing_iso(row.at),
        names.person(row.actor),
        row.actor,
        action_labels.label(row.action, names.lang),
        row.action,
        row.instance_id,
        row.task_id,
        names.department(row.department_code),
        row.department_code,
    ]
    return [csv_value(value) for value in values] + [content, row.hash or ""]


def _jsonl_line(row: Any, names: EventNames) -> str:
    """An event as recorded (codes, ``at`` in UTC), with the Beijing time and the names beside the codes."""
    event = _event(row)
    event["at"] = row.at.isoformat() if row.at else None
    event["at_beijing"] = beijing_iso(row.at) or None
    event["actor_name"] = names.person(row.actor)
    event["action_label"] = action_labels.label(row.action, names.lang)
    event["department_name"] = names.department(row.department_code) or None
    return orjson.dumps(event, default=str).decode() + "\n"


def export(
    ctx: ServiceContext,
    caller: Caller,
    filters: AuditFilters,
    fmt: str,
    chunk: int = EXPORT_CHUNK,
    lang: str = "zh-CN",
) -> Iterator[str]:
    """Every matching event in chain order as CSV (UTF-8 with BOM, Chinese headers) or JSON Lines.

    A generator: events are read ``chunk`` at a time, so a large export is never held in memory. Filters
    are checked at once (before the first chunk), so a bad request fails before a response starts.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(
            "导出格式只能是 csv 或 jsonl", errors={"format": ["只能是 csv 或 jsonl", "Must be csv or jsonl"]}
        )
    query = hide_own(_filtered(filters, ctx.database.is_sqlite), caller, AuditEventModel.instance_id)
    return _stream(ctx, query, fmt, chunk, lang)


def _stream(ctx: ServiceContext, query: Select[Any], fmt: str, chunk: int, lang: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = EventNames(ctx, lang)
    if fmt == "csv":
        writer.writerow(CSV_HEADERS)
        yield "\ufeff" + buffer.getvalue()
    with ctx.database.reading() as session:
        for rows in _chunks(session, query, chunk):
            names.learn([{"actor": row.actor, "payload": None} for row in rows])
            if fmt == "jsonl":
                yield "".join(_jsonl_line(row, names) for row in rows)
                continue
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(_csv_row(row, names) for row in rows)
            yield buffer.getvalue()
