"""Start many instances of one process: engine work first, outside any transaction, then set-based writes.

A month's appraisal starts tens of thousands of instances at once. The engine runs per instance as usual
(``prepare``), holding no database lock, so several processes can prepare in parallel; then ``write``
stores the instance rows, queue rows, timers and audit events, each kind with one multi-row statement, in
the caller's (short) transaction (the audit events when it commits, chained). The projections and events
are the same ones ``InstanceRunner`` writes for a single start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service.persistence.models import (
    DefinitionModel,
    HumanTaskModel,
    InstanceModel,
    TimerModel,
    encode_state,
)
from service.persistence.rows import insert_rows, table_of
from service.usecases.errors import OperatorFailedError
from service.usecases.incidents import guarded
from service.usecases.notifications.raising import on_new_tasks
from service.usecases.projections import (
    link_subjects,
    queue_row,
    record_started,
    record_steps,
    record_task_ready,
    subject_of,
    subject_refs,
    timer_row,
)
from service.usecases.starting import check_start
from workflows.budget import DEFAULT_LIMITS, ActionLimits
from workflows.engine import EngineStep, PendingTimer, ReadyUserTask, WorkflowEngine
from workflows.scripting import OperatorCall
from workflows.serialization import SERIALIZER_VERSION
from workflows.specs import ProcessSpecs


@dataclass(frozen=True)
class PreparedStart:
    """An instance run to its first wait, encoded, with its projections; not yet stored."""

    key: Any
    data: dict[str, Any]
    business_key: str
    state: bytes
    completed: bool
    ready: list[ReadyUserTask]
    timers: list[PendingTimer]
    steps: list[EngineStep]


def _no_operators(call: OperatorCall) -> Any:
    # Operators may need the instance row, which a prepared start does not have yet.
    raise OperatorFailedError("批量启动的流程在启动阶段不能调用服务操作（{operation}）", operation=call.name)


def prepare(
    specs: ProcessSpecs,
    process_id: str,
    key: Any,
    data: dict[str, Any],
    business_key: str,
    *,
    use_case: str,
    now: datetime | None = None,
    limits: ActionLimits = DEFAULT_LIMITS,
) -> PreparedStart:
    """Run one new instance to its first wait without touching the database.

    ``use_case`` names the use case starting it; the process's model must allow it (``startedBy``).
    """
    check_start(specs, process_id, use_case, data)
    engine = WorkflowEngine(
        operator_handler=_no_operators, limits=limits, clock=(lambda: now) if now else None
    )
    workflow = guarded(lambda: engine.start(specs, process_id, data), "system")
    # Keep the encoded state and the projections, not the workflow: thousands of live task trees would
    # make every garbage-collection pass slower.
    return PreparedStart(
        key=key,
        data=data,
        business_key=business_key,
        state=encode_state(engine.dump(workflow)),
        completed=engine.is_completed(workflow),
        ready=engine.ready_user_tasks(workflow),
        timers=engine.pending_timers(workflow),
        steps=engine.steps,
    )


def write(
    session: Session, definition: DefinitionModel, prepared: list[PreparedStart], actor: str, now: datetime
) -> list[int]:
    """Store prepared starts and their projections; return the new instance ids in the same order."""
    table = table_of(InstanceModel)
    rows = [
        {
            "definition_id": definition.id,
            "process_id": definition.process_id,
            "business_key": start.business_key,
            "status": "completed" if start.completed else "running",
            "subject": subject_of(start.data),
            "state": start.state,
            "serializer_version": SERIALIZER_VERSION,
            "lock_version": 1,
            "started_by": actor,
            "created_at": now,
            "updated_at": now,
            "completed_at": now if start.completed else None,
        }
        for start in prepared
    ]
    # Multi-row INSERT ... RETURNING, ids in the order of the rows (no ORM objects: nothing to track).
    ids = list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))

    tasks: list[dict[str, Any]] = []
    timers: list[dict[str, Any]] = []
    for instance_id, start in zip(ids, prepared, strict=True):
        record_started(session, now, actor, instance_id, definition, start.business_key, start.data)
        for ready in start.ready:
            tasks.append(queue_row(instance_id, definition.process_id, ready, now))
            record_task_ready(session, now, tasks[-1])
        timers.extend(timer_row(instance_id, timer) for timer in start.timers)
        record_steps(session, now, instance_id, start.steps)
    insert_rows(session, HumanTaskModel, tasks)
    on_new_tasks(session, now, actor, tasks, new_instances=True)
    insert_rows(session, TimerModel, timers)
    link_subjects(
        session,
        [
            {"instance_id": instance_id, "kind": kind, "ref": ref}
            for instance_id, start in zip(ids, prepared, strict=True)
            for kind, ref in subject_refs(start.data)
        ],
    )
    return ids
