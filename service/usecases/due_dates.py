"""A follow-up moves the due date of the task it follows up (``movesDueDate``, docs/design.md).

The appraisal's escalation asks the head for a 新的完成期限. The scoring task reads its due time from its
data (``dueAtVariable`` = ``due_at``), and the queue row holds the same time for the queue, the overdue
mark and the counts; both move together, in the completion's transaction, with a ``task_due_moved`` event.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import HumanTaskFacts, HumanTaskModel
from service.persistence.rows import table_of
from service.usecases.errors import InvalidInputError
from workflows.engine import WorkflowEngine
from workflows.extensions import UserTaskInfo
from workflows.ports import CHINA

_TASKS = table_of(HumanTaskModel)
_DUE_OF = select(_TASKS.c.due_at, _TASKS.c.department_code).where(_TASKS.c.id == bindparam("task_id"))
_SET_DUE = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(due_at=bindparam("due_at"))


def new_due_at(info: UserTaskInfo | None, data: dict[str, Any], now: datetime) -> datetime | None:
    """The due time a follow-up's submission sets: the end of the chosen day in China time (00:00 of the
    next day, as every deadline of the service), or None when the task moves nothing or the field is
    empty. A day already over is refused: it would make the task overdue again at once."""
    if info is None or info.moves_due_date is None:
        return None
    _task, field = info.moves_due_date
    raw = data.get(field)
    if not raw:
        return None
    try:
        day = date.fromisoformat(str(raw))
    except ValueError as error:
        raise InvalidInputError(
            "新的完成期限不是有效日期：{value}",
            errors={field: ["不是有效日期", "Not a valid date"]},
            value=raw,
        ) from error
    if day < now.astimezone(CHINA).date():
        raise InvalidInputError(
            "新的完成期限不能早于今天（北京时间）",
            errors={field: ["不能早于今天", "Cannot be before today"]},
        )
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CHINA)


def move_due_dates(
    session: Session,
    engine: WorkflowEngine,
    workflow: BpmnWorkflow,
    follow_up: HumanTaskFacts,
    info: UserTaskInfo | None,
    due: datetime,
    now: datetime,
    actor: str,
) -> None:
    """Give the waiting task(s) the follow-up names the new due time, in the data it reads and its row."""
    assert info is not None and info.moves_due_date is not None  # noqa: S101 - new_due_at gave a time
    target, _field = info.moves_due_date
    for task in engine.ready_user_tasks(workflow):
        if task.info.spec_name != target:
            continue
        if task.info.due_at_variable:
            engine.set_ready_task_data(workflow, task.task_id, {task.info.due_at_variable: due.isoformat()})
        row = session.connection().execute(_DUE_OF, {"task_id": task.task_id}).first()
        session.connection().execute(_SET_DUE, {"task_id": task.task_id, "due_at": due})
        audit.record(
            session,
            now,
            actor,
            "task_due_moved",
            instance_id=follow_up.instance_id,
            task_id=task.task_id,
            department_code=row.department_code if row is not None else None,
            element=target,
            by_task=follow_up.id,
            from_due=row.due_at.isoformat() if row is not None and row.due_at else None,
            to_due=due.isoformat(),
        )
