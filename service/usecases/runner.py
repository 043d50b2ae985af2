"""Load an instance, let the engine act on it, save state and projections, all in the caller's transaction.

The state JSON and its projections (queue rows, timers, audit events) are written here together, so they
can never disagree; the month's batch start writes new instances set-wise with the same projections
(``service/usecases/projections.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    DefinitionModel,
    HumanTaskModel,
    InstanceModel,
    TimerModel,
)
from service.persistence.rows import insert_rows, table_of, update_loaded
from service.usecases.archived import refuse_archived
from service.usecases.errors import ConflictError, NotFoundError, OperatorFailedError, ServiceError
from service.usecases.incidents import guarded, open_incident
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
from workflows.engine import PendingTimer, ReadyUserTask, WorkflowEngine
from workflows.scripting import OperatorCall
from workflows.serialization import SERIALIZER_VERSION
from workflows.specs import ProcessSpecs

Operator = Callable[["InstanceRunner", OperatorCall], Any]
OPERATORS: dict[str, Operator] = {}


def operator(name: str) -> Callable[[Operator], Operator]:
    """Register a service-task operator under the name BPMN models use."""

    def register(function: Operator) -> Operator:
        OPERATORS[name] = function
        return function

    return register


@dataclass
class Before:
    """What the projections held before an action: ready user tasks and pending timers of the state."""

    ready: set[str] = field(default_factory=set)
    timers: dict[str, PendingTimer] = field(default_factory=dict)
    subjects: set[tuple[str, int]] = field(default_factory=set)
    completing: str | None = None


# Built once (see service/persistence/rows.py): every action on an instance starts with one of these.
_INSTANCE_FOR_UPDATE = (
    select(InstanceModel).where(InstanceModel.id == bindparam("instance_id")).with_for_update()
)
_INSTANCE_OF_TASK = select(HumanTaskModel.instance_id).where(
    HumanTaskModel.id == bindparam("task_id"),
    HumanTaskModel.department_code.in_(bindparam("departments", expanding=True)),
)
_INSTANCE_OF_TASK_FOR_UPDATE = (
    select(InstanceModel).where(InstanceModel.id == _INSTANCE_OF_TASK.scalar_subquery()).with_for_update()
)


class InstanceDataTooLargeError(ServiceError):
    """The instance's data would grow past AUXPOLICE_MAX_INSTANCE_DATA_BYTES; nothing is saved."""

    status = 413
    code = "too_large"


def check_data_size(data: dict[str, Any], limit: int) -> None:
    """Refuse instance data larger than ``limit`` bytes as stored (JSON): every read of the instance would
    carry it (a 100 MB string was once accepted into task data)."""
    size = len(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str))
    if size > limit:
        raise InstanceDataTooLargeError(
            "流程实例的数据过大（{size} 字节，上限 {limit} 字节），本次操作未生效",
            english="The instance's data is too large ({size} bytes, at most {limit}); nothing was saved",
            size=size,
            limit=limit,
        )


class InstanceRunner:
    """Acts on instances inside one session; the caller owns the transaction."""

    def __init__(self, ctx: ServiceContext, session: Session, actor: str) -> None:
        self.ctx = ctx
        self.session = session
        self.actor = actor
        self.instance: InstanceModel | None = None

    # -- definitions ---------------------------------------------------------------------------------
    def latest_definition(self, process_id: str) -> DefinitionModel:
        definition = self.session.scalars(
            select(DefinitionModel)
            .where(DefinitionModel.process_id == process_id, DefinitionModel.retired_at.is_(None))
            .order_by(DefinitionModel.version.desc())
            .limit(1)
        ).first()
        if definition is None:
            raise NotFoundError("流程“{process_id}”尚未部署", process_id=process_id)
        return definition

    def specs_for(self, definition_id: int) -> ProcessSpecs:
        try:
            return self.ctx.specs_for_definition(self.session, definition_id)
        except LookupError as error:
            raise NotFoundError(
                "流程定义 {definition_id} 或其文件缺失", definition_id=definition_id
            ) from error

    # -- instances -----------------------------------------------------------------------------------
    def start(
        self, process_id: str, data: dict[str, Any], business_key: str | None, *, use_case: str | None
    ) -> InstanceModel:
        """Create and run a new instance of the latest version of ``process_id``.

        ``use_case`` names the use case starting it, None for a start through the API; the process's
        model must allow that (``startedBy``, service/usecases/starting.py).
        """
        definition = self.latest_definition(process_id)
        specs = self.specs_for(definition.id)
        check_start(specs, process_id, use_case, data)
        now = self.ctx.clock.now()
        instance = InstanceModel(
            definition_id=definition.id,
            process_id=process_id,
            business_key=business_key,
            status="running",
            # A campaign started without a name is known by its business key until its plan has a title.
            subject=subject_of(data) or business_key or "",
            state={},
            serializer_version=SERIALIZER_VERSION,
            started_by=self.actor,
            created_at=now,
            updated_at=now,
        )
        self.session.add(instance)
        self.session.flush()
        record_started(self.session, now, self.actor, instance.id, definition, business_key, data)
        engine = self._engine_for(instance)
        # The instance row is rolled back with a failed start, so its incident names no instance.
        incident = {"instance_id": None, "process_id": process_id, "definition_id": definition.id}
        workflow = self.guard(lambda: engine.start(specs, process_id, data), incident)
        self._save(instance, engine, workflow, Before())
        return instance

    def lock(self, instance_id: int) -> InstanceModel:
        """Load an instance row for update: one transaction changes one instance at a time."""
        instance = self.session.scalars(_INSTANCE_FOR_UPDATE, {"instance_id": instance_id}).first()
        if instance is None:
            raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=instance_id)
        return instance

    def lock_for_task(self, task_id: str, departments: Iterable[str]) -> InstanceModel | None:
        """Lock the instance of a human task of one of ``departments``, found in the same statement.

        None when there is no such task (unknown, or another department's: nothing is locked for it).
        Read the task row only after this: then it shows what the previous holder of the lock committed.
        """
        return self.session.scalars(
            _INSTANCE_OF_TASK_FOR_UPDATE, {"task_id": task_id, "departments": sorted(departments)}
        ).first()

    def act(
        self,
        instance: InstanceModel,
        action: Callable[[WorkflowEngine, BpmnWorkflow], Any],
        completing: str | None = None,
    ) -> Any:
        """Load ``instance`` (already locked), run ``action`` on it and save the result.

        ``completing`` names the human task the action completes; the caller marks its row.
        """
        engine, workflow = self.load(instance)
        # The projections mirror the state, so what changed is the difference of the state before and
        # after the action: no need to read the queue and timer rows back.
        before = Before(
            ready={task.task_id for task in engine.ready_user_tasks(workflow)} - {completing or ""},
            timers={timer.task_id: timer for timer in engine.pending_timers(workflow)},
            subjects=set(subject_refs(engine.data(workflow))),
            completing=completing,
        )
        incident = {
            "instance_id": instance.id,
            "process_id": instance.process_id,
            "definition_id": instance.definition_id,
        }
        result = self.guard(lambda: action(engine, workflow), incident)
        self._save(instance, engine, workflow, before)
        return result

    def load(self, instance: InstanceModel) -> tuple[WorkflowEngine, BpmnWorkflow]:
        """Rebuild an instance's workflow for reading (no operators run)."""
        refuse_archived(instance)  # retention dropped its state: a clear refusal, never a failed load
        engine = self._engine_for(instance)
        specs = self.specs_for(instance.definition_id)
        return engine, engine.load(specs, instance.process_id, dict(instance.state))

    def current_data(self, instance: InstanceModel) -> dict[str, Any]:
        engine, workflow = self.load(instance)
        return engine.data(workflow)

    def _engine_for(self, instance: InstanceModel) -> WorkflowEngine:
        def handle(call: OperatorCall) -> Any:
            function = OPERATORS.get(call.name)
            if function is None:
                raise OperatorFailedError("未注册的服务操作 {operation}", operation=call.name)
            previous, self.instance = self.instance, instance
            try:
                return function(self, call)
            finally:
                self.instance = previous

        return WorkflowEngine(
            operator_handler=handle, limits=self.ctx.action_limits, clock=self.ctx.clock.now
        )

    def guard(self, step: Callable[[], Any], incident: dict[str, Any] | None = None) -> Any:
        """Run engine work; a model's failure becomes a 422, and an incident when ``incident`` says where."""
        return guarded(step, self.actor, incident)

    # -- projections ---------------------------------------------------------------------------------
    def _save(
        self, instance: InstanceModel, engine: WorkflowEngine, workflow: BpmnWorkflow, before: Before
    ) -> None:
        now = self.ctx.clock.now()
        data = engine.data(workflow)
        check_data_size(data, self.ctx.settings.max_instance_data_bytes)
        values: dict[str, Any] = {
            "state": engine.dump(workflow),
            "serializer_version": SERIALIZER_VERSION,
            "updated_at": now,
            "subject": subject_of(data) or instance.subject,
            "lock_version": instance.lock_version + 1,
        }
        completed = engine.is_completed(workflow) and instance.status != "completed"
        if completed:
            values.update(status="completed", completed_at=now)
        # The row is locked, so the version can only differ if someone wrote it outside the service.
        if not update_loaded(self.session, instance, values, lock_version=instance.lock_version):
            raise ConflictError("流程实例已被其他操作修改，请刷新后重试")
        # Only what the action added: an appraisal names its officer from the start, every save after that
        # would insert the same row again.
        new_subjects = sorted(set(subject_refs(data)) - before.subjects)
        link_subjects(
            self.session,
            [{"instance_id": instance.id, "kind": kind, "ref": ref} for kind, ref in new_subjects],
        )
        record_steps(self.session, now, instance.id, engine.steps)
        engine.steps.clear()
        ready = engine.ready_user_tasks(workflow)
        self._sync_tasks(instance, ready, before)
        self._sync_timers(instance, engine.pending_timers(workflow), before)
        if completed:
            audit.record(
                self.session, now, "system", "instance_completed", instance_id=instance.id, data=data
            )
        elif not ready and (stall := engine.stall(workflow)) is not None:
            open_incident(
                self.session,
                now,
                instance_id=instance.id,
                process_id=instance.process_id,
                definition_id=instance.definition_id,
                kind="stalled",
                element=stall.element,
                message=stall.message,
                message_en=stall.message_en,
                actor=self.actor,
            )

    def _sync_tasks(self, instance: InstanceModel, ready: list[ReadyUserTask], before: Before) -> None:
        now = self.ctx.clock.now()
        ready_ids = {task.task_id for task in ready}
        new_rows = [
            queue_row(instance.id, instance.process_id, task, now)
            for task in ready
            if task.task_id not in before.ready and task.task_id != before.completing
        ]
        for row in new_rows:  # a task whose data names nobody is about what its instance is about
            row["subject"] = row["subject"] or instance.subject or ""
        for row in new_rows:
            record_task_ready(self.session, now, row)
        insert_rows(self.session, HumanTaskModel, new_rows)
        on_new_tasks(self.session, now, self.actor, new_rows)
        gone = sorted(before.ready - ready_ids)
        if gone:
            tasks = table_of(HumanTaskModel)
            cancelled = self.session.execute(
                update(tasks)
                .where(tasks.c.id.in_(gone), tasks.c.state.in_(OPEN_STATES))
                .values(state="cancelled")
                .returning(tasks.c.id, tasks.c.department_code, tasks.c.spec_name)
            ).all()
            for task_id, department, spec_name in cancelled:
                audit.record(
                    self.session,
                    now,
                    "system",
                    "task_cancelled",
                    instance_id=instance.id,
                    task_id=task_id,
                    department_code=department,
                    element=spec_name,
                )

    def _sync_timers(self, instance: InstanceModel, pending: list[PendingTimer], before: Before) -> None:
        current = {timer.task_id: timer for timer in pending}
        timers = table_of(TimerModel)
        new_rows = []
        for task_id, timer in current.items():
            previous = before.timers.get(task_id)
            if previous is None:
                new_rows.append(timer_row(instance.id, timer))
            elif previous.due_at != timer.due_at:
                self.session.execute(
                    update(timers)
                    .where(timers.c.instance_id == instance.id, timers.c.task_id == task_id)
                    .values(due_at=timer.due_at)
                )
        insert_rows(self.session, TimerModel, new_rows)
        gone = sorted(set(before.timers) - set(current))
        if gone:
            self.session.execute(
                update(timers)
                .where(
                    timers.c.instance_id == instance.id,
                    timers.c.task_id.in_(gone),
                    timers.c.fired_at.is_(None),
                )
                .values(fired_at=self.ctx.clock.now())
            )
