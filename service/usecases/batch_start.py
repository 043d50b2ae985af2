"""Start many instances of one process: engine work first, outside any transaction, then set-based writes.

A month's appraisal starts tens of thousands of instances at once. The engine runs per instance as usual
(``prepare``), holding no database lock, so several processes can prepare in parallel; then ``write``
stores the instance rows, queue rows, timers and audit events, each kind with one multi-row statement, in
the caller's (short) transaction. The projections are the same ones ``InstanceRunner`` writes for a
single start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service import audit
from service.persistence.models import (
    AuditEventModel,
    DefinitionModel,
    HumanTaskModel,
    InstanceModel,
    TimerModel,
    encode_state,
)
from service.usecases.errors import OperatorFailedError
from service.usecases.runner import (
    InstanceRunner,
    due_at_of,
    link_subjects,
    resolve_queue,
    subject_of,
    subject_refs,
)
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
    specs: ProcessSpecs, process_id: str, key: Any, data: dict[str, Any], business_key: str
) -> PreparedStart:
    """Run one new instance to its first wait without touching the database."""
    engine = WorkflowEngine(operator_handler=_no_operators)
    workflow = InstanceRunner.guard(lambda: engine.start(specs, process_id, data))
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
    instances = [
        InstanceModel(
            definition_id=definition.id,
            process_id=definition.process_id,
            business_key=start.business_key,
            status="completed" if start.completed else "running",
            subject=subject_of(start.data),
            state=start.state,
            serializer_version=SERIALIZER_VERSION,
            started_by=actor,
            created_at=now,
            updated_at=now,
            completed_at=now if start.completed else None,
        )
        for start in prepared
    ]
    session.add_all(instances)
    session.flush()  # one multi-row INSERT ... RETURNING id

    tasks: list[dict[str, Any]] = []
    timers: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    base = {"at": now, "task_id": None, "department_code": None}
    for instance, start in zip(instances, prepared, strict=True):
        events.append(
            {
                **base,
                "actor": actor,
                "action": "instance_started",
                "instance_id": instance.id,
                "payload": {
                    "process_id": definition.process_id,
                    "definition_id": definition.id,
                    "version": definition.version,
                    "business_key": start.business_key,
                    "data": start.data,
                },
            }
        )
        for ready in start.ready:
            queue = resolve_queue(ready.info.lane, ready.data)
            tasks.append(
                {
                    "id": ready.task_id,
                    "instance_id": instance.id,
                    "process_id": definition.process_id,
                    "spec_name": ready.info.spec_name,
                    "name_zh": ready.info.name_zh,
                    "name_en": ready.info.name_en,
                    "department_code": queue,
                    "form": ready.info.form,
                    "subject": subject_of(ready.data),
                    "head_only": ready.info.head_only,
                    "state": "open",
                    "due_at": due_at_of(ready, now),
                    "created_at": now,
                    "claimed_by": None,
                    "completed_by": None,
                    "claimed_at": None,
                    "completed_at": None,
                }
            )
            events.append(
                {
                    **base,
                    "actor": "system",
                    "action": "task_ready",
                    "instance_id": instance.id,
                    "task_id": ready.task_id,
                    "department_code": queue,
                    "payload": {"element": ready.info.spec_name, "name": ready.info.name_zh},
                }
            )
        for timer in start.timers:
            timers.append(
                {
                    "instance_id": instance.id,
                    "task_id": timer.task_id,
                    "spec_name": timer.spec_name,
                    "due_at": timer.due_at,
                    "fired_at": None,
                }
            )
        for step in start.steps:
            events.append(
                {
                    **base,
                    "actor": "system",
                    "action": f"{step.kind}_executed",
                    "instance_id": instance.id,
                    "payload": {"element": step.spec_name, "name": step.name, "detail": step.detail},
                }
            )
    for model, rows in ((HumanTaskModel, tasks), (TimerModel, timers)):
        if rows:
            session.execute(insert(model), rows)
    event_ids = list(session.scalars(insert(AuditEventModel).returning(AuditEventModel.id), events))
    link_subjects(
        session,
        [
            {"instance_id": instance.id, "kind": kind, "ref": ref}
            for instance, start in zip(instances, prepared, strict=True)
            for kind, ref in subject_refs(start.data)
        ],
    )
    audit.mark_pending(session, event_ids)
    return [instance.id for instance in instances]
