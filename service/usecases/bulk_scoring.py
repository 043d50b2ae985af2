"""Complete the open tasks of one step of a department in a table (issue 15, point 1: month-end scoring).

A step may be completed this way when its model says so (``bulkComplete`` = ``true``, workflows/extensions.py)
and its form can be a table (workflows/form_columns.py). ``bulk_table`` reads the rows: one per open task of
the step in the department that the caller is offered (head-only tasks for heads only, never a case about
the caller's own officer), with the officer and village the task is about. ``bulk_complete`` completes each
row through the single completion's use case (``tasks.complete_task``): its own transaction, the same
server-side validation against the task's own form and the same audit events; an open task is completed
without a separate claim, as on its own page. Each row gets a result: completed, refused (with the field
errors), skipped (left completely empty) or taken (someone else claimed or completed it meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    ApplicationModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    InstanceSubjectModel,
    OfficerModel,
)
from service.usecases import tasks
from service.usecases.bulk_links import bulk_steps as bulk_steps  # the pages and the API call it here
from service.usecases.directory import Caller
from service.usecases.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from service.usecases.id_numbers import masked_document
from service.usecases.names import person_names, village_names
from service.usecases.own_cases import hide_own
from workflows.extensions import UserTaskInfo
from workflows.form_columns import Column, ColumnError, form_columns, is_blank

# One request completes at most this many rows (a town has 20-60 officers; each row is a transaction).
MAX_ROWS = 300


def bulk_table(ctx: ServiceContext, caller: Caller, department: str, step: str) -> dict[str, Any]:
    """The table of ``step`` in ``department``: its columns and a row per open task the caller is offered."""
    with ctx.database.reading() as session:
        _require_member(session, caller, department)
        info, schema, columns = _step(ctx, session, caller, department, step)
        found = session.execute(
            _tasks(caller, department, step).order_by(HumanTaskModel.created_at, HumanTaskModel.id)
        ).all()
        # Only the tasks whose own version of the model completes them in this very table.
        same = [
            row
            for row in found
            if (own := _info(ctx, session, row.definition_id, row.process_id, step)) is not None
            and own.bulk_complete
            and own.form == info.form
            and ctx.specs_for_definition(session, row.definition_id).forms.get(own.form or "") == schema
        ]
        subjects = _officers(session, [row.HumanTaskModel.instance_id for row in same])
        villages = village_names(session, [s["village_code"] for s in subjects.values()])
        holders = person_names(session, [row.HumanTaskModel.claimed_by or "" for row in same])
        now = ctx.clock.now()
        rows = []
        for row in same:
            task = row.HumanTaskModel
            officer = subjects.get(task.instance_id, {})
            village = villages.get(officer.get("village_code", ""))
            holder = holders.get(task.claimed_by or "")
            rows.append(
                {
                    "task_id": task.id,
                    "instance_id": task.instance_id,
                    "state": task.state,
                    "claimed_by": task.claimed_by,
                    "claimed_by_name": holder.zh if holder else task.claimed_by,
                    "may_complete": task.state == "open" or task.claimed_by == caller.username,
                    "officer_id": officer.get("officer_id"),
                    "officer_name": officer.get("name") or task.subject,
                    "id_number_masked": officer.get("id_number_masked", ""),
                    "village_code": officer.get("village_code"),
                    "village_name_zh": village.zh if village else "",
                    "village_name_en": village.en if village else "",
                    "subject": task.subject,
                    "due_at": task.due_at,
                    "overdue": task.due_at is not None and task.due_at < now,
                }
            )
        rows.sort(key=lambda r: (r["village_code"] or "", r["officer_name"] or "", r["task_id"]))
        return {
            "department": department,
            "step": step,
            "process_id": same[0].process_id if same else None,
            "name_zh": info.name_zh,
            "name_en": info.name_en,
            "form": info.form,
            "form_schema": schema,
            "columns": [column_entry(c) for c in columns],
            "rows": rows,
        }


def bulk_complete(
    ctx: ServiceContext, caller: Caller, department: str, step: str, items: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Complete each item's task with its data, one transaction each; a result per item, in their order."""
    if len(items) > MAX_ROWS:
        raise InvalidInputError("一次最多提交 {limit} 行", limit=MAX_ROWS)
    with ctx.database.reading() as session:
        _require_member(session, caller, department)
        _step(ctx, session, caller, department, step)
        ids = sorted({str(item.get("task_id") or "") for item in items})
        facts = {
            row.id: row
            for row in session.execute(
                select(
                    HumanTaskModel.id,
                    HumanTaskModel.department_code,
                    HumanTaskModel.spec_name,
                    HumanTaskModel.process_id,
                    HumanTaskModel.state,
                    HumanTaskModel.claimed_by,
                    InstanceModel.definition_id,
                )
                .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
                .where(HumanTaskModel.id.in_(ids))
            )
        }
        bulk = {
            task_id: bool(
                (i := _info(ctx, session, f.definition_id, f.process_id, f.spec_name)) and i.bulk_complete
            )
            for task_id, f in facts.items()
        }
    results, seen = [], set()
    for item in items:
        task_id, data = str(item.get("task_id") or ""), item.get("data")
        fact = facts.get(task_id)
        if task_id in seen:
            result = _refused(task_id, ConflictError("同一任务在本次提交中出现了两次"))
        elif fact is None:
            result = _refused(task_id, NotFoundError("任务 {task_id} 不存在", task_id=task_id))
        elif fact.department_code != department:
            result = _refused(task_id, ForbiddenError("该任务不属于本部门的待办，不能在此表格中办理"))
        elif fact.spec_name != step or not bulk[task_id]:
            result = _refused(task_id, ConflictError("该任务不是本表格所列环节的任务，请在任务页面单独办理"))
        elif not isinstance(data, dict) or is_blank(data):
            result = {"task_id": task_id, "result": "skipped", "status": 200}
        else:
            result = _complete_one(ctx, caller, task_id, data)
        seen.add(task_id)
        results.append(result)
    counts = {kind: sum(1 for r in results if r["result"] == kind) for kind in RESULTS}
    return {"results": results, **counts}


RESULTS = ("completed", "refused", "skipped", "taken")


def _complete_one(ctx: ServiceContext, caller: Caller, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        tasks.complete_task(ctx, caller, task_id, data)
    except ConflictError as error:
        taken = _taken_by(ctx, caller, task_id)
        if taken is not None:
            return {**_refused(task_id, error), "result": "taken", "taken_by": taken}
        return _refused(task_id, error)
    except ServiceError as error:
        return _refused(task_id, error)
    except OperationalError:  # a lock wait ran out: this row only, the others go on
        return _refused(task_id, ConflictError("该任务正被他人办理，请稍后重试"))
    return {"task_id": task_id, "result": "completed", "status": 200}


def _taken_by(ctx: ServiceContext, caller: Caller, task_id: str) -> str | None:
    """Who has the task now, when someone else claimed or completed it; None when it is still the caller's."""
    with ctx.database.reading() as session:
        task = session.get(HumanTaskModel, task_id)
        if task is None:
            return None
        holder = task.completed_by if task.state == "completed" else task.claimed_by
        if task.state == "cancelled" or (holder and holder != caller.username):
            name = person_names(session, [holder or ""]).get(holder or "")
            return name.zh if name else holder or ""
        return None


def _refused(task_id: str, error: ServiceError) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "result": "refused",
        "status": error.status,
        "message": error.message,
        "message_en": error.message_en,
        "errors": error.errors if isinstance(error, InvalidInputError) else None,
    }


def column_entry(column: Column) -> dict[str, Any]:
    """A column as the API and the page read it."""
    return {
        "field": column.name,
        "title_zh": column.title_zh,
        "title_en": column.title_en,
        "group_zh": column.group_zh,
        "group_en": column.group_en,
        "kind": column.kind,
        "required": column.required,
        "minimum": column.minimum,
        "maximum": column.maximum,
        "max_length": column.max_length,
        "options": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in column.options],
    }


# -- reading ---------------------------------------------------------------------------------------------


def _offered(caller: Caller) -> Any:
    return tasks._offered_to(caller)  # head-only tasks for heads, as the queue offers them


def _tasks(caller: Caller, department: str, step: str) -> Select[HumanTaskModel, int, str]:
    return hide_own(
        select(HumanTaskModel, InstanceModel.definition_id, HumanTaskModel.process_id)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.department_code == department,
            HumanTaskModel.spec_name == step,
            HumanTaskModel.state.in_(OPEN_STATES),
            _offered(caller),
        ),
        caller,
        HumanTaskModel.instance_id,
    )


def _info(
    ctx: ServiceContext, session: Session, definition_id: int, process_id: str, step: str
) -> UserTaskInfo | None:
    try:
        return ctx.specs_for_definition(session, definition_id).user_task(process_id, step)
    except (LookupError, KeyError):
        return None


def _step(
    ctx: ServiceContext, session: Session, caller: Caller, department: str, step: str
) -> tuple[UserTaskInfo, dict[str, Any], list[Column]]:
    """The step's model as its newest task in the department knows it; refused unless it is a table."""
    newest = session.execute(
        select(HumanTaskModel.process_id, InstanceModel.definition_id)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(HumanTaskModel.department_code == department, HumanTaskModel.spec_name == step)
        .order_by(InstanceModel.definition_id.desc(), HumanTaskModel.created_at.desc())
        .limit(1)
    ).first()
    info = _info(ctx, session, newest.definition_id, newest.process_id, step) if newest else None
    if newest is None or info is None:
        raise NotFoundError("本部门没有“{step}”环节的任务", step=step)
    if not info.bulk_complete or not info.form:
        raise ConflictError(
            "“{name}”环节的流程模型不允许批量办理，请逐个办理",
            name=info.name_zh,
            english=f"The model does not let “{info.name_en}” be completed in a table: do them one by one",
        )
    schema = ctx.specs_for_definition(session, newest.definition_id).forms.get(info.form) or {}
    try:
        columns = form_columns(schema)
    except ColumnError as error:  # a stored model from before the lint: refused, never a broken table
        raise ConflictError(
            "“{name}”环节的表单不能按表格填写：{reason}", name=info.name_zh, reason=error.zh, english=error.en
        ) from error
    return info, schema, columns


def _officers(session: Session, instance_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The officer each instance is about (``instance_subjects``), with the village they serve."""
    if not instance_ids:
        return {}
    rows = session.execute(
        select(
            InstanceSubjectModel.instance_id,
            OfficerModel.id,
            OfficerModel.name,
            OfficerModel.village_code,
            ApplicationModel.id_type,
            ApplicationModel.id_number,
        )
        .join(OfficerModel, OfficerModel.id == InstanceSubjectModel.ref)
        .outerjoin(ApplicationModel, ApplicationModel.id == OfficerModel.application_id)
        .where(InstanceSubjectModel.kind == "officer", InstanceSubjectModel.instance_id.in_(instance_ids))
    )
    return {
        r.instance_id: {
            "officer_id": r.id,
            "name": r.name,
            "village_code": r.village_code,
            # As every list shows it (370602********1234): an officer hired before the system has none.
            "id_number_masked": masked_document(r.id_type, r.id_number) if r.id_number else "",
        }
        for r in rows
    }


def _require_member(session: Session, caller: Caller, department: str) -> None:
    names = session.execute(
        select(DepartmentModel.name_zh, DepartmentModel.name_en).where(DepartmentModel.code == department)
    ).first()
    if names is None:
        raise NotFoundError("部门 {department} 不存在", department=department)
    if not caller.in_department(department):
        raise ForbiddenError(
            "您不属于部门 {department}，无权查看或办理该部门的任务",
            department=names.name_zh,
            english=f"You are not a member of {names.name_en}, so you cannot see or do its tasks".replace(
                "{", "{{"
            ),
        )
