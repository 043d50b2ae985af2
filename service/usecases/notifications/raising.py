"""Raise notifications: with the change that causes them, or once per task and kind in the scheduler's round.

- ``new_task``: a task came into a department's queue; to its members (a head-only task to its heads).
- ``returned``: a task of a step somebody of the instance already completed (the work came back to it, as a
  staffing plan returned for redraft); to that person instead of the department, naming who returned it.
- ``escalation``: a head-only task the service itself created (a boundary timer fired: the overdue
  scoring's 督办); to the department's heads.
- ``reassigned``: a head handed a task over to one member (service/usecases/handover.py); to that member,
  naming the head. Not when the head takes it over themselves.
- ``handed_away``: the same hand-over took a claimed task from the member who held it; to that member,
  naming whom it went to (in ``actor``), linking to the case when they may still read it.
- ``moved``: a migration to another version of the process put a waiting task at another step or in another
  department's queue (service/usecases/migration/moves.py); to the department it is now in (to whoever
  holds it, if it stayed in its department), naming who migrated it.
- ``due_today`` / ``due_tomorrow``: an open task due by the end of today / of tomorrow (China time); to
  whoever claimed it, else to the department.
- ``overdue``: an open task past its due time; to the department (its heads included).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, literal, null, select, text, update
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, HumanTaskModel
from service.persistence.models.notifications import NotificationModel, NotificationReadModel
from service.persistence.rows import insert_for, insert_rows, table_of
from workflows.ports import CHINA


def _row(kind: str, task: dict[str, Any], now: datetime, **audience: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "department_code": audience.get("department_code"),
        "username": audience.get("username"),
        "head_only": audience.get("head_only", False),
        "task_id": task["id"],
        "instance_id": task["instance_id"],
        "process_id": task["process_id"],
        "task_name_zh": task["name_zh"],
        "task_name_en": task["name_en"],
        "subject": task["subject"] or "",
        "actor": audience.get("actor"),
        "created_at": now,
    }


def _returned_to(session: Session, instance_id: int, spec_names: set[str]) -> dict[str, str]:
    """Who last completed each of these steps of the instance (the work now comes back to them)."""
    rows = session.execute(
        select(HumanTaskModel.spec_name, HumanTaskModel.completed_by)
        .where(
            HumanTaskModel.instance_id == instance_id,
            HumanTaskModel.spec_name.in_(sorted(spec_names)),
            HumanTaskModel.state == "completed",
            HumanTaskModel.completed_by.is_not(None),
        )
        .order_by(HumanTaskModel.completed_at)
    )
    return {spec_name: str(completed_by) for spec_name, completed_by in rows}


# The kind an earlier hand-over's notification holds for the moment between its replacement's insert and its
# own deletion (in one transaction, so no reader ever sees it).
SUPERSEDED = "superseded"


def on_new_tasks(
    session: Session, now: datetime, actor: str, tasks: list[dict[str, Any]], *, new_instances: bool = False
) -> None:
    """Notify the new queue rows ``tasks`` (``human_tasks`` rows as dicts), in the caller's transaction.

    ``new_instances``: the rows are of instances started in this transaction (the month's batch start),
    so none can be a return and nothing is read back.
    """
    if not tasks:
        return
    returned: dict[tuple[int, str], str] = {}
    if not new_instances:
        for instance_id in sorted({task["instance_id"] for task in tasks}):
            names = {task["spec_name"] for task in tasks if task["instance_id"] == instance_id}
            for spec_name, username in _returned_to(session, instance_id, names).items():
                returned[(instance_id, spec_name)] = username
    rows = []
    for task in tasks:
        department = task["department_code"]
        back_to = returned.get((task["instance_id"], task["spec_name"]))
        if back_to is not None:
            rows.append(_row("returned", task, now, username=back_to, actor=actor))
        elif task["head_only"] and actor == "system" and not new_instances:  # a timer fired
            rows.append(_row("escalation", task, now, department_code=department, head_only=True))
        else:
            rows.append(_row("new_task", task, now, department_code=department, head_only=task["head_only"]))
    insert_rows(session, NotificationModel, rows)


def on_handover(
    session: Session,
    now: datetime,
    actor: str,
    kind: str,
    task: dict[str, Any],
    *,
    username: str | None = None,
    department_code: str | None = None,
) -> None:
    """Notify the person or the department a task was handed to (``reassigned``, ``moved``), in the caller's
    transaction; ``task`` is its ``human_tasks`` row as it is now (its new name, department).

    One notification of a kind per task (the unique key), so a later hand-over replaces the earlier one: that
    one no longer holds (the task is not that person's, or not at that step, any more).
    """
    notifications = table_of(NotificationModel)
    same = and_(notifications.c.kind == kind, notifications.c.task_id == task["id"])
    # The earlier one is renamed out of the key first and deleted after the insert: deleted first, SQLite
    # could give the new row the same id again (it reuses the highest), which a reader's "all read" watermark
    # may already cover, so the new notification would never show as unread.
    earlier = list(
        session.execute(
            update(notifications).where(same).values(kind=SUPERSEDED).returning(notifications.c.id)
        )
        .scalars()
        .all()
    )
    audience = {"username": username, "department_code": department_code, "actor": actor}
    insert_rows(session, NotificationModel, [_row(kind, task, now, head_only=task["head_only"], **audience)])
    if earlier:
        session.execute(
            delete(NotificationReadModel).where(NotificationReadModel.notification_id.in_(earlier))
        )
        session.execute(delete(notifications).where(notifications.c.id.in_(earlier)))


def _raise_for(session: Session, kind: str, due: ColumnElement[bool], now: datetime, to_claimer: bool) -> int:
    """One notification of ``kind`` for every open task matching ``due`` that has none yet."""
    tasks = table_of(HumanTaskModel)
    notifications = table_of(NotificationModel)
    already = exists().where(notifications.c.kind == kind, notifications.c.task_id == tasks.c.id)
    department = (
        case((tasks.c.claimed_by.is_(None), tasks.c.department_code), else_=null())
        if to_claimer
        else tasks.c.department_code
    )
    chosen = select(
        literal(kind),
        department,
        tasks.c.claimed_by if to_claimer else null(),
        tasks.c.head_only,
        tasks.c.id,
        tasks.c.instance_id,
        tasks.c.process_id,
        tasks.c.name_zh,
        tasks.c.name_en,
        tasks.c.subject,
        null(),
        literal(now, NotificationModel.created_at.type),
    ).where(text(ACTIVE_TASK), due, ~already)
    columns = [
        "kind",
        "department_code",
        "username",
        "head_only",
        "task_id",
        "instance_id",
        "process_id",
        "task_name_zh",
        "task_name_en",
        "subject",
        "actor",
        "created_at",
    ]
    statement = (
        insert_for(session, NotificationModel)
        .from_select(columns, chosen)
        .on_conflict_do_nothing(index_elements=["kind", "task_id"])
        .returning(notifications.c.id)
    )
    return len(session.execute(statement).all())  # rowcount: -1 on PostgreSQL for INSERT ... SELECT


def notify_due(ctx: ServiceContext) -> int:
    """The scheduler's round: due-today, due-tomorrow and overdue notifications not raised yet; how many were
    raised.

    Idempotent (one of a kind per task, by the unique key and the NOT EXISTS), so any number of workers may
    run it at any interval.
    """
    now = ctx.clock.now()
    today_ends = datetime.combine(now.astimezone(CHINA).date() + timedelta(days=1), time(0, 0), tzinfo=CHINA)
    tomorrow_ends = today_ends + timedelta(days=1)
    due_at = HumanTaskModel.due_at
    with ctx.database.transaction() as session:
        today = _raise_for(
            session, "due_today", and_(due_at >= now, due_at <= today_ends), now, to_claimer=True
        )
        tomorrow = _raise_for(
            session, "due_tomorrow", and_(due_at > today_ends, due_at <= tomorrow_ends), now, to_claimer=True
        )
        overdue = _raise_for(session, "overdue", due_at < now, now, to_claimer=False)
    return today + tomorrow + overdue
