"""Department queues and the actions on a human task: claim, release, complete."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn, cast

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import ColumnElement, bindparam, case, func, or_, select, text, update
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    ACTIVE_TASK,
    OPEN_STATES,
    DepartmentModel,
    HumanTaskFacts,
    HumanTaskModel,
    InstanceModel,
)
from service.persistence.rows import table_of
from service.usecases.case_notes.attachments import check_required_attachment
from service.usecases.directory import Caller, is_personal_queue
from service.usecases.due_dates import move_due_dates, new_due_at
from service.usecases.duties import check_not_done_by, check_not_subject, check_separation
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError
from service.usecases.grounds import grounds_for
from service.usecases.incidents import incidents_recorded
from service.usecases.instances import Page
from service.usecases.names import person_names
from service.usecases.own_cases import hide_own, refuse_own
from service.usecases.runner import InstanceRunner
from service.usecases.starting import refuse_reserved_keys
from service.usecases.submissions import check_submission
from workflows.engine import WorkflowEngine
from workflows.extensions import UserTaskInfo
from workflows.specs import ProcessSpecs

_TASKS = table_of(HumanTaskModel)
# Built once: the task actions read and write their task as a plain row (see complete_task).
_TASK_ROW_FOR_UPDATE = select(_TASKS).where(_TASKS.c.id == bindparam("task_id")).with_for_update()
_COMPLETE_TASK = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(state="completed", completed_by=bindparam("by"), completed_at=bindparam("at"))
)
_SET_CLAIM = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(state=bindparam("new_state"), claimed_by=bindparam("user"), claimed_at=bindparam("at"))
)
_DEPARTMENT_OF_TASK = select(_TASKS.c.department_code).where(_TASKS.c.id == bindparam("task_id"))
_DEFINITION_OF_INSTANCE = select(InstanceModel.definition_id).where(
    InstanceModel.id == bindparam("instance_id")
)


# How a queue may be sorted; the first is the default (tasks without a due date last).
QUEUE_ORDERS = {
    "created": (HumanTaskModel.created_at,),
    "due": (HumanTaskModel.due_at.is_(None), HumanTaskModel.due_at),
    "name": (HumanTaskModel.name_zh,),
}


def queues(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """The caller's departments, each with its open, claimed-by-me and overdue counts."""
    now = ctx.clock.now()
    with ctx.database.reading() as session:
        departments = session.scalars(
            select(DepartmentModel)
            .where(DepartmentModel.code.in_(sorted(caller.departments)))
            .order_by(DepartmentModel.code)
        )
        counts = {
            row.department_code: row
            for row in session.execute(
                hide_own(
                    select(
                        HumanTaskModel.department_code,
                        func.count().label("open"),
                        func.count(case((HumanTaskModel.claimed_by == caller.username, 1))).label("mine"),
                        func.count(case((HumanTaskModel.due_at < now, 1))).label("overdue"),
                    )
                    .where(
                        HumanTaskModel.department_code.in_(sorted(caller.departments)),
                        text(ACTIVE_TASK),
                        _offered_to(caller),
                    )
                    .group_by(HumanTaskModel.department_code),
                    caller,
                    HumanTaskModel.instance_id,
                )
            )
        }
        return [
            {
                "department": department.code,
                "name_zh": department.name_zh,
                "name_en": department.name_en,
                "open": counts[department.code].open if department.code in counts else 0,
                "claimed_by_me": counts[department.code].mine if department.code in counts else 0,
                "overdue": counts[department.code].overdue if department.code in counts else 0,
            }
            for department in departments
        ]


def queue_tasks(
    ctx: ServiceContext,
    caller: Caller,
    department: str,
    state: str | None,
    page: int,
    per_page: int,
    overdue_only: bool = False,
    search: str = "",
    sort: str = "created",
) -> Page:
    """List a department's tasks, oldest first (or by ``sort``); for its members and for auditors.

    ``search`` keeps the tasks whose subject or name contains it; both apply to the whole queue.
    """
    with ctx.database.reading() as session:
        _require_reader(caller, department, session)
        if session.get(DepartmentModel, department) is None:
            raise NotFoundError("部门 {department} 不存在", department=department)
        query = select(HumanTaskModel).where(
            HumanTaskModel.department_code == department,
            HumanTaskModel.state == state if state else text(ACTIVE_TASK),
        )
        query = hide_own(query, caller, HumanTaskModel.instance_id)
        if not caller.has_role("auditor"):
            query = query.where(_offered_to(caller))
        if overdue_only:
            query = query.where(HumanTaskModel.due_at < ctx.clock.now())
        if search:
            query = query.where(
                or_(
                    *(
                        column.contains(search, autoescape=True)
                        for column in (HumanTaskModel.subject, HumanTaskModel.name_zh, HumanTaskModel.name_en)
                    )
                )
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = QUEUE_ORDERS.get(sort, QUEUE_ORDERS["created"])
        items = list(
            session.scalars(
                query.order_by(*order, HumanTaskModel.id).offset((page - 1) * per_page).limit(per_page)
            )
        )
        now = ctx.clock.now()
        for item in items:
            item.overdue = item.state in OPEN_STATES and item.due_at is not None and item.due_at < now
        return Page(items, total, page, per_page)


def _offered_to(caller: Caller) -> ColumnElement[bool]:
    """The tasks a member may take: a head-only task only in the departments the caller heads.

    Plain staff are not offered them at all (as a candidate group leaves them out), rather than shown a
    claim that would be refused; auditors read every queue whole.
    """
    if not caller.heads_of:  # most callers: no empty IN (), which SQLite plans as a subquery
        return HumanTaskModel.head_only.is_(False)
    return or_(
        HumanTaskModel.head_only.is_(False), HumanTaskModel.department_code.in_(sorted(caller.heads_of))
    )


def task_detail(ctx: ServiceContext, caller: Caller, task_id: str, with_data: bool = True) -> dict[str, Any]:
    """A task with its form schema and, while it is open, the data its form starts from.

    ``with_data=False`` skips loading the workflow (a page that only needs the form and the task).
    """
    with ctx.database.reading() as session:
        task = _task(session, task_id)
        _require_reader(caller, task.department_code, session)
        if task.department_code not in caller.departments or not is_personal_queue(task.department_code):
            refuse_own(session, caller, task.instance_id)  # an officer's own queue is theirs to read
        instance = session.get(InstanceModel, task.instance_id)
        if instance is None:
            raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=task.instance_id)
        runner = InstanceRunner(ctx, session, "system")
        specs = runner.specs_for(instance.definition_id)
        schema = specs.forms.get(task.form) if task.form else None
        data: dict[str, Any] = {}
        if with_data and task.state in OPEN_STATES:
            engine, workflow = runner.load(instance)
            data = engine.task_data(workflow, task.id)
        info = specs.user_task(task.process_id, task.spec_name)
        fields = {column.key: getattr(task, column.key) for column in HumanTaskModel.__table__.columns}
        # The grounds of the decision are rendered on reading an open task only, never on completing one.
        reading = with_data and task.state in OPEN_STATES
        shown = grounds_for(session, task, data, specs, info) if reading else []
        return {
            **fields,
            "form_schema": schema,
            "data": data,
            "form_values": form_values(info, data),
            "grounds": shown,
        }


def form_values(info: UserTaskInfo | None, data: dict[str, Any]) -> dict[str, Any]:
    """What a task's form opens with: only the defaults its model declares (``formDefaults``).

    Never the inherited data under the form's own field names: that is another task's answer (Party's
    ``decision`` on Finance's form) or the last loop pass's (the previous candidate's ``findings``).
    """
    defaults = info.form_defaults if info is not None else ()
    return {name: data[key] for name, key in defaults if data.get(key) is not None}


def _fields_of(schema: dict[str, Any] | None) -> list[str]:
    return list((schema or {}).get("properties", {}))


def claim_task(ctx: ServiceContext, caller: Caller, task_id: str) -> dict[str, Any]:
    with ctx.database.transaction() as session:
        task = locked_task(session, caller, task_id)
        if task.state == "claimed" and task.claimed_by == caller.username:
            return task._asdict()
        _require_open(task, caller, session)
        if task.state == "claimed":
            raise ConflictError("该任务已被 {user} 认领", user=_person(session, task.claimed_by))
        info = specs_of_instance(ctx, session, task.instance_id).user_task(task.process_id, task.spec_name)
        check_separation(session, caller.username, task, info)
        check_not_subject(caller.officer_id, task, info, lambda: open_task_data(ctx, session, task))
        check_not_done_by(caller.username, task, info, lambda: open_task_data(ctx, session, task))
        now = ctx.clock.now()
        audit.record(
            session,
            now,
            caller.username,
            "task_claimed",
            instance_id=task.instance_id,
            task_id=task.id,
            department_code=task.department_code,
        )
        return set_claim(session, task, "claimed", caller.username, now)


def release_task(ctx: ServiceContext, caller: Caller, task_id: str) -> dict[str, Any]:
    with ctx.database.transaction() as session:
        task = locked_task(session, caller, task_id)
        _require_open(task, caller, session)
        if task.state != "claimed":
            raise ConflictError("该任务尚未被认领，无需释放")
        audit.record(
            session,
            ctx.clock.now(),
            caller.username,
            "task_released",
            instance_id=task.instance_id,
            task_id=task.id,
            department_code=task.department_code,
        )
        return set_claim(session, task, "open", None, None)


def complete_task(ctx: ServiceContext, caller: Caller, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` against the task's form, then complete it and step the instance, atomically.

    Returns the completed task's row. This is the busiest write of the service, so the task is read and
    written as a plain row (docs/benchmarks.md: the ORM object cost three times the statements).
    """
    with incidents_recorded(ctx), ctx.database.transaction() as session:
        runner = InstanceRunner(ctx, session, caller.username)
        instance = runner.lock_for_task(task_id, caller.departments)
        if instance is None:
            _refuse(session, caller, task_id)
        # Locked too: a claim takes only the task row, so it cannot slip in between (lock order: the
        # instance, then its task; a claim never takes the instance).
        task = locked_task(session, caller, task_id)
        _require_open(task, caller, session)
        specs = runner.specs_for(instance.definition_id)
        info = specs.user_task(task.process_id, task.spec_name)
        check_separation(session, caller.username, task, info)
        refuse_reserved_keys(data)
        if task.form is not None and task.form in specs.forms:
            check_submission(specs.forms, task.form, data)
        check_required_attachment(session, task, info)  # the model's `requiresAttachment` (issue 15)
        schema = specs.forms.get(task.form) if task.form else None
        now = ctx.clock.now()
        due = new_due_at(info, data, now)  # an escalation's new date for the task it follows up

        def complete(engine: WorkflowEngine, workflow: BpmnWorkflow) -> None:
            before = engine.task_data(workflow, task.id)
            check_not_subject(caller.officer_id, task, info, lambda: before)
            check_not_done_by(caller.username, task, info, lambda: before)
            # Recorded before the engine steps on, so the chain reads in causal order: this completion,
            # then the decisions and tasks it led to.
            audit.record(
                session,
                now,
                caller.username,
                "task_completed",
                instance_id=task.instance_id,
                task_id=task.id,
                department_code=task.department_code,
                element=task.spec_name,
                name=task.name_zh,
                submitted=data,
                data_before={key: before.get(key) for key in data},
            )
            engine.complete_user_task(workflow, task.id, data, form_fields=_fields_of(schema))
            if due is not None:
                move_due_dates(session, engine, workflow, task, info, due, now, caller.username)

        runner.act(instance, complete, completing=task.id)
        session.connection().execute(_COMPLETE_TASK, {"task_id": task.id, "by": caller.username, "at": now})
        return {**task._asdict(), "state": "completed", "completed_by": caller.username, "completed_at": now}


def _task(session: Session, task_id: str) -> HumanTaskModel:
    task = session.get(HumanTaskModel, task_id)
    if task is None:
        raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
    return task


def open_task_data(ctx: ServiceContext, session: Session, task: HumanTaskFacts) -> dict[str, Any]:
    """An open task's data, read from its instance's state (only the subject rule needs it on a claim)."""
    instance = session.get(InstanceModel, task.instance_id)
    if instance is None:
        raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=task.instance_id)
    engine, workflow = InstanceRunner(ctx, session, "system").load(instance)
    return engine.task_data(workflow, task.id)


def locked_task(session: Session, caller: Caller, task_id: str) -> HumanTaskFacts:
    """The task's row, locked for this transaction, if the caller is in its department."""
    row = session.connection().execute(_TASK_ROW_FOR_UPDATE, {"task_id": task_id}).first()
    if row is None:
        raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
    _require_member(caller, row.department_code, session)
    return cast(HumanTaskFacts, row)


def _refuse(session: Session, caller: Caller, task_id: str) -> NoReturn:
    """Why a task is not the caller's to act on: unknown (404) or another department's (403)."""
    department = session.connection().scalar(_DEPARTMENT_OF_TASK, {"task_id": task_id})
    if department is None:
        raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
    _require_member(caller, department, session)
    raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)  # no instance: cannot happen (foreign key)


def set_claim(
    session: Session, task: HumanTaskFacts, state: str, user: str | None, at: datetime | None
) -> dict[str, Any]:
    session.connection().execute(_SET_CLAIM, {"task_id": task.id, "new_state": state, "user": user, "at": at})
    return {**task._asdict(), "state": state, "claimed_by": user, "claimed_at": at}


def _require_member(caller: Caller, department: str, session: Session) -> None:
    if not caller.in_department(department):
        # The refusal names the department as people know it (崮山派出所), not by its code.
        names = session.execute(
            select(DepartmentModel.name_zh, DepartmentModel.name_en).where(DepartmentModel.code == department)
        ).first()
        zh, en = (names.name_zh, names.name_en) if names is not None else (department, department)
        raise ForbiddenError(
            "您不属于部门 {department}，无权查看或办理该部门的任务",
            department=zh,
            english=f"You are not a member of {en}, so you cannot see or do its tasks".replace("{", "{{"),
        )


def may_read_task(caller: Caller, department: str) -> bool:
    """Who may open a task's page: an auditor, or a member of the task's department."""
    return caller.has_role("auditor") or caller.in_department(department)


def _require_reader(caller: Caller, department: str, session: Session) -> None:
    if not may_read_task(caller, department):
        _require_member(caller, department, session)


def _person(session: Session, username: str | None) -> str:
    """Who holds a task, as a refusal names them: the display name, not the username."""
    name = person_names(session, [username or ""]).get(username or "")
    return name.zh if name else username or ""


def _require_open(task: HumanTaskFacts, caller: Caller, session: Session) -> None:
    if task.head_only and not caller.heads(task.department_code):
        raise ForbiddenError("该任务只能由部门负责人办理")
    if task.state == "completed":
        raise ConflictError("该任务已办结，不能重复办理")
    if task.state == "cancelled":
        raise ConflictError("该任务已取消")
    if task.state == "claimed" and task.claimed_by != caller.username:
        raise ConflictError("该任务已被 {user} 认领，请先由其释放", user=_person(session, task.claimed_by))


def specs_of_instance(ctx: ServiceContext, session: Session, instance_id: int) -> ProcessSpecs:
    definition_id = session.connection().scalar(_DEFINITION_OF_INSTANCE, {"instance_id": instance_id})
    if definition_id is None:
        raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=instance_id)
    return InstanceRunner(ctx, session, "system").specs_for(definition_id)
