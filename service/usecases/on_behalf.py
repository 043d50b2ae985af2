"""Entering a person's own task on their behalf (代为录入, issue 17, point 7): an officer without an account
(or without a phone that month) hands the station a signed paper report, and a station clerk enters it.

The model declares who may (``onBehalfBy`` on the user task, a department or a template such as
``police_station:{town}``) and what file must then be attached (``onBehalfAttachment``, the signed paper).
Taking the task moves it from the person's own queue (``officer:<id>``) to that department, claimed by the
clerk, and records the queue it came from (``human_tasks.on_behalf_of``); from then on it is an ordinary
task of the station: its page, its attachments, its completion (which then requires the paper). The one
who entered it is its completer, so a later task declaring ``separateFrom`` it (the station's review) is
refused to them: a second person confirms what the first typed in (docs/design.md, "Monthly field reports").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from service import audit
from service.context import ServiceContext
from service.persistence.models import DepartmentModel, HumanTaskModel
from service.persistence.rows import table_of
from service.usecases.directory import Caller, is_personal_queue, personal_queue
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError
from service.usecases.names import person_names
from service.usecases.projections import resolve_queue
from service.usecases.tasks import open_task_data, specs_of_instance

_TASKS = table_of(HumanTaskModel)
_ROW_FOR_UPDATE = select(_TASKS).where(_TASKS.c.id == bindparam("task_id")).with_for_update()
_TAKE = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(
        department_code=bindparam("department"),
        on_behalf_of=bindparam("queue"),
        state="claimed",
        claimed_by=bindparam("user"),
        claimed_at=bindparam("at"),
    )
)


def take_on_behalf(ctx: ServiceContext, caller: Caller, task_id: str) -> dict[str, Any]:
    """Move an open task of a person's own queue to the caller's department, claimed by the caller, to be
    entered on that person's behalf; refused unless the model lets the caller's department do so."""
    with ctx.database.transaction() as session:
        task = session.connection().execute(_ROW_FOR_UPDATE, {"task_id": task_id}).first()
        if task is None:
            raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
        if task.state not in ("open", "claimed"):
            raise ConflictError("该任务已办结或已取消，不能代为录入")
        if not is_personal_queue(task.department_code):
            raise ConflictError("该任务不在辅警本人事项中（已由他人接办或本就属于部门），无需代为录入")
        info = specs_of_instance(ctx, session, task.instance_id).user_task(task.process_id, task.spec_name)
        if info is None or info.on_behalf_by is None:
            raise ForbiddenError("流程模型未允许代为录入“{task}”", task=task.name_zh)
        department = resolve_queue(info.on_behalf_by, open_task_data(ctx, session, task))
        if not caller.in_department(department):
            name = session.scalar(select(DepartmentModel.name_zh).where(DepartmentModel.code == department))
            raise ForbiddenError("只有{department}的人员可以代为录入“{task}”", department=name or department,
                                 task=task.name_zh)
        if caller.officer_id is not None and task.department_code == personal_queue(caller.officer_id):
            raise ConflictError("这是您本人的事项，请直接填报，无需代为录入")
        if task.state == "claimed":
            holder = person_names(session, [task.claimed_by or ""]).get(task.claimed_by or "")
            raise ConflictError(
                "{user} 已认领该任务，正在填报，不能代为录入", user=holder.zh if holder else task.claimed_by
            )
        now = ctx.clock.now()
        audit.record(
            session,
            now,
            caller.username,
            "task_taken_on_behalf",
            instance_id=task.instance_id,
            task_id=task.id,
            department_code=department,
            on_behalf_of=task.department_code,
            entered_by=caller.username,
            element=task.spec_name,
            name=task.name_zh,
        )
        moved = {"task_id": task.id, "department": department, "queue": task.department_code}
        session.connection().execute(_TAKE, {**moved, "user": caller.username, "at": now})
        return {
            **task._asdict(),
            "department_code": department,
            "on_behalf_of": task.department_code,
            "state": "claimed",
            "claimed_by": caller.username,
            "claimed_at": now,
        }
