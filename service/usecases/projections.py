"""The projections of an instance's state: its queue rows and whom it is about.

Shared by the instance runner (one instance at a time) and the month's batch start (set-wise), so both
write the same rows and the same audit events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import DefinitionModel, InstanceSubjectModel
from service.persistence.rows import insert_for
from service.usecases.errors import InvalidInputError
from workflows.engine import EngineStep, PendingTimer, ReadyUserTask


def resolve_queue(lane: str, data: dict[str, Any]) -> str:
    """Turn a lane template such as ``police_station:{town}`` into a concrete department code."""
    if "{" not in lane:
        return lane
    try:
        return lane.format_map(data)
    except KeyError as error:
        raise InvalidInputError("无法确定任务所属部门：流程数据缺少 {key}", key=error.args[0]) from error


def subject_refs(data: dict[str, Any]) -> list[tuple[str, int]]:
    """The officer and application an instance's data is about, for the auditors' history search."""
    refs = []
    officer = data.get("officer")
    officer_id = officer.get("officer_id") if isinstance(officer, dict) else data.get("officer_id")
    if isinstance(officer_id, int):
        refs.append(("officer", officer_id))
    candidate = data.get("candidate")
    application = data.get("application_id")
    if isinstance(candidate, dict) and isinstance(candidate.get("application_id"), int):
        application = candidate["application_id"]
    if isinstance(application, int):
        refs.append(("application", application))
    return refs


def link_subjects(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record (instance, kind, ref) rows, ignoring ones already recorded."""
    if rows:
        session.execute(insert_for(session, InstanceSubjectModel).values(rows).on_conflict_do_nothing())


def record_started(
    session: Session,
    now: datetime,
    actor: str,
    instance_id: int,
    definition: DefinitionModel,
    business_key: str | None,
    data: dict[str, Any],
) -> None:
    audit.record(
        session,
        now,
        actor,
        "instance_started",
        instance_id=instance_id,
        process_id=definition.process_id,
        definition_id=definition.id,
        version=definition.version,
        business_key=business_key,
        data=data,
    )


def record_steps(session: Session, now: datetime, instance_id: int, steps: list[EngineStep]) -> None:
    """The engine's own steps (decisions, gateways, service tasks, timers), in the order they ran."""
    for step in steps:
        audit.record(
            session,
            now,
            "system",
            f"{step.kind}_executed",
            instance_id=instance_id,
            element=step.spec_name,
            name=step.name,
            detail=step.detail,
        )


def timer_row(instance_id: int, timer: PendingTimer) -> dict[str, Any]:
    """The ``timers`` row of a pending timer event."""
    return {
        "instance_id": instance_id,
        "task_id": timer.task_id,
        "spec_name": timer.spec_name,
        "due_at": timer.due_at,
    }


def subject_of(data: dict[str, Any]) -> str:
    """Describe whom an instance is about, for queue rows: the candidate with the village, the officer or
    the post its start named (``subject``), or a campaign by its plan's title once the plan is drafted."""
    candidate = data.get("candidate")
    village = data.get("village_name", "")
    if isinstance(candidate, dict) and candidate.get("found"):
        return f"{candidate.get('name', '')}（{village}）"
    return str(data.get("subject") or data.get("plan_title") or "")[:256]


def due_at_of(task: ReadyUserTask, now: datetime) -> datetime | None:
    """A task's due time: from the data variable its model names, or a number of days from now."""
    if task.info.due_at_variable:
        value = task.data.get(task.info.due_at_variable)
        try:
            return datetime.fromisoformat(str(value)) if value else None
        except ValueError as error:
            raise InvalidInputError("任务期限数据格式不正确：{value}", value=value) from error
    if task.info.due_in_days:
        return now + timedelta(days=task.info.due_in_days)
    return None


def queue_row(instance_id: int, process_id: str, task: ReadyUserTask, now: datetime) -> dict[str, Any]:
    """The ``human_tasks`` row of a ready user task: its place in its department's queue."""
    return {
        "id": task.task_id,
        "instance_id": instance_id,
        "process_id": process_id,
        "spec_name": task.info.spec_name,
        "name_zh": task.info.name_zh,
        "name_en": task.info.name_en,
        "department_code": resolve_queue(task.info.lane, task.data),
        "form": task.info.form,
        "subject": subject_of(task.data),
        "village_code": _text_or_none(task.data.get("village_code")),
        "town": _text_or_none(task.data.get("town")),
        "head_only": task.info.head_only,
        "state": "open",
        "due_at": due_at_of(task, now),
        "created_at": now,
    }


def record_task_ready(session: Session, now: datetime, row: dict[str, Any]) -> None:
    audit.record(
        session,
        now,
        "system",
        "task_ready",
        instance_id=row["instance_id"],
        task_id=row["id"],
        department_code=row["department_code"],
        element=row["spec_name"],
        name=row["name_zh"],
    )


def _text_or_none(value: Any) -> str | None:
    """A code from the instance's data for a queue column (the village, the town), if it is one."""
    return value[:32] if isinstance(value, str) and value else None
