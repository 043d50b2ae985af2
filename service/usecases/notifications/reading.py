"""Read one's notifications: the bell's count, the list (newest first), marking one or all read.

A user sees the notifications addressed to them and those of their departments (head-only ones only where
they are the head), never those about their own officer (service/usecases/own_cases.py). Read state is the
user's own view of the list, not a decision on a case: it is not an audit event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import HumanTaskModel
from service.persistence.models.notifications import (
    NotificationMarkModel,
    NotificationModel,
    NotificationReadModel,
)
from service.persistence.rows import insert_for
from service.usecases.directory import Caller, personal_queue
from service.usecases.errors import NotFoundError
from service.usecases.instance_access import staff_may_read
from service.usecases.instances import Page
from service.usecases.names import department_names, person_names, process_names, villages_by_chinese_name
from service.usecases.notifications.texts import KIND_NAMES, about, texts
from service.usecases.own_cases import instances_about
from service.usecases.subjects import english_subject

# The bell counts at most this many unread (shown as "99+"): the count stays a short index range however
# long a user leaves their notifications unread.
COUNT_CAP = 100

N = NotificationModel


def _addressed_to(caller: Caller) -> ColumnElement[bool]:
    """The notifications ``caller`` may read."""
    mine: list[ColumnElement[bool]] = [N.username == caller.username]
    if caller.departments:
        offered = (
            N.head_only.is_(False)
            if not caller.heads_of
            else or_(N.head_only.is_(False), N.department_code.in_(sorted(caller.heads_of)))
        )
        mine.append(and_(N.department_code.in_(sorted(caller.departments)), offered))
    return or_(*mine) if len(mine) > 1 else mine[0]


def _watermark(session: Session, caller: Caller) -> int:
    """The id up to which every notification counts as read for ``caller`` (0: none)."""
    mark = session.scalar(
        select(NotificationMarkModel.read_through).where(NotificationMarkModel.username == caller.username)
    )
    return int(mark or 0)


def _read_one_by_one(caller: Caller) -> ColumnElement[bool]:
    return exists().where(
        NotificationReadModel.notification_id == N.id, NotificationReadModel.username == caller.username
    )


def _read(caller: Caller, watermark: int) -> ColumnElement[bool]:
    return or_(N.id <= watermark, _read_one_by_one(caller))


def _visible(caller: Caller, unread_above: int | None = None) -> Any:
    """The caller's notifications; ``unread_above`` (the watermark): only the unread ones."""
    query = select(N).where(_addressed_to(caller))
    if caller.officer_id is not None:
        # Nothing about the officer's own cases, but for what is in their own queue (their field report).
        own_queue = N.department_code == personal_queue(caller.officer_id)
        query = query.where(
            or_(own_queue, N.instance_id.is_(None), N.instance_id.not_in(instances_about(caller.officer_id)))
        )
    if unread_above is None:
        return query
    # The watermark as a number: a range of the (department_code, id) and (username, id) indexes, so what
    # was marked read all at once is never read again.
    return query.where(N.id > unread_above, ~_read_one_by_one(caller))


def unread_count(ctx: ServiceContext, caller: Caller) -> int:
    """How many unread notifications ``caller`` has, counted up to ``COUNT_CAP``."""
    with ctx.database.reading() as session:
        unread = _visible(caller, _watermark(session, caller))
        capped = unread.with_only_columns(N.id).limit(COUNT_CAP).subquery()
        return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def notification_page(
    ctx: ServiceContext, caller: Caller, unread_only: bool, page: int, per_page: int
) -> Page:
    """``caller``'s notifications, newest first, each with its texts, read state and its task's state."""
    with ctx.database.reading() as session:
        watermark = _watermark(session, caller)
        query = _visible(caller, watermark if unread_only else None)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        read = _read(caller, watermark).label("read")
        listed = query.add_columns(read, HumanTaskModel.state.label("task_state"))
        listed = listed.outerjoin(HumanTaskModel, HumanTaskModel.id == N.task_id)
        rows = session.execute(listed.order_by(N.id.desc()).offset((page - 1) * per_page).limit(per_page))
        items = _described(ctx, session, caller, list(rows))
        return Page(items, total, page, per_page)


def one_item(ctx: ServiceContext, caller: Caller, notification_id: int) -> dict[str, Any]:
    """One of ``caller``'s notifications as the list shows it."""
    with ctx.database.reading() as session:
        _one(session, caller, notification_id)
        listed = _visible(caller).where(N.id == notification_id)
        read = _read(caller, _watermark(session, caller)).label("read")
        listed = listed.add_columns(read, HumanTaskModel.state.label("task_state"))
        listed = listed.outerjoin(HumanTaskModel, HumanTaskModel.id == N.task_id)
        return _described(ctx, session, caller, list(session.execute(listed)))[0]


def _link(session: Session, caller: Caller, notification: NotificationModel) -> str | None:
    """Where opening a notification leads: its task's page; for a task handed away from the reader, the
    case's page if they may still read it, else nowhere."""
    if notification.kind != "handed_away":
        return f"/tasks/{notification.task_id}"
    readable = (
        caller.has_role("auditor")
        or caller.has_role("designer")
        or staff_may_read(session, caller, notification.instance_id)
    )
    return f"/instances/{notification.instance_id}" if readable else None


def _described(
    ctx: ServiceContext, session: Session, caller: Caller, rows: list[Any]
) -> list[dict[str, Any]]:
    processes = process_names(ctx, session) if rows else {}
    # Subjects are kept in Chinese: the English texts name the villages and the payroll in English.
    villages = villages_by_chinese_name(session) if any(row[0].subject for row in rows) else {}
    people = person_names(session, {row[0].actor for row in rows if row[0].actor})
    # A moved task names the queue it is now in (only those need the departments read).
    departments = department_names(session) if any(row[0].kind == "moved" for row in rows) else {}
    items = []
    for notification, read, task_state in rows:
        process, actor = processes.get(notification.process_id), people.get(notification.actor or "")
        department = departments.get(notification.department_code or "")
        subject_en = english_subject(notification.subject, villages)
        zh, en = texts(notification, process, actor, department, subject_en)
        about_zh, about_en = about(notification, process, actor, department, subject_en)
        kind = KIND_NAMES.get(notification.kind)
        items.append(
            {
                "id": notification.id,
                "kind": notification.kind,
                "kind_zh": kind.zh if kind else notification.kind,
                "kind_en": kind.en if kind else notification.kind,
                "text_zh": zh,
                "text_en": en,
                "about_zh": about_zh,
                "about_en": about_en,
                "subject": notification.subject,
                "subject_en": subject_en,
                "task_id": notification.task_id,
                "instance_id": notification.instance_id,
                "process_id": notification.process_id,
                "task_state": task_state,
                "created_at": notification.created_at,
                "read": bool(read),
                "link": _link(session, caller, notification),
            }
        )
    return items


def _one(session: Session, caller: Caller, notification_id: int) -> NotificationModel:
    found = session.scalars(_visible(caller).where(N.id == notification_id)).first()
    if found is None:  # another's notification is as unknown as a missing one
        raise NotFoundError(
            "通知 {id} 不存在", english="Notification {id} does not exist", id=notification_id
        )
    return found  # type: ignore[no-any-return]


def mark_read(ctx: ServiceContext, caller: Caller, notification_id: int) -> NotificationModel:
    """Mark one notification read (again is no change); return it."""
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        notification = _one(session, caller, notification_id)
        session.execute(
            insert_for(session, NotificationReadModel)
            .values(notification_id=notification.id, username=caller.username, read_at=now)
            .on_conflict_do_nothing()
        )
        session.expunge(notification)
        return notification


def mark_all_read(ctx: ServiceContext, caller: Caller) -> int:
    """Mark every notification there is so far read for ``caller`` (one row moves); return how many of the
    caller's were unread."""
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        unread_now = _visible(caller, _watermark(session, caller))
        unread = session.scalar(select(func.count()).select_from(unread_now.subquery()))
        newest = session.scalar(select(func.max(N.id))) or 0
        mark = session.get(NotificationMarkModel, caller.username, with_for_update=True)
        if mark is None:
            session.add(NotificationMarkModel(username=caller.username, read_through=newest, updated_at=now))
        elif mark.read_through < newest:
            mark.read_through, mark.updated_at = newest, now
        # What the watermark covers needs no row of its own.
        session.execute(
            delete(NotificationReadModel).where(
                NotificationReadModel.username == caller.username,
                NotificationReadModel.notification_id <= newest,
            )
        )
        return int(unread or 0)
