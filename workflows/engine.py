"""A typed facade over SpiffWorkflow: start, load, step, complete, fire timers, deliver messages.

The facade knows nothing about databases or HTTP. The service hands it an operator handler for service
tasks and the current time for timers, and reads back what changed: ready user tasks, pending timers and
the engine steps that ran (for the audit log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ServiceTask, UserTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from workflows.budget import DEFAULT_LIMITS, ActionBudget, ActionLimits, BudgetExceeded, element_name
from workflows.compaction import COMPACT_AT_DEPTH, compact
from workflows.engine_errors import (
    ActionBudgetError,
    EngineError,
    InstanceTooLargeError,
    ModelError,
    TaskNotReadyError,
    cause_of,
    failure_of,
)
from workflows.extensions import UserTaskInfo, is_timer_catch, may_end_early, user_task_info
from workflows.scripting import OperatorHandler, RestrictedScriptEngine
from workflows.serialization import dump_state, load_state
from workflows.specs import ProcessSpecs
from workflows.timers import TimerValueError, due_of, mark_fired, recompute_due, service_clock

log = logging.getLogger(__name__)
# The engine's errors live in workflows/engine_errors.py and are imported from here as before.
__all__ = [
    "ActionBudgetError",
    "EngineError",
    "EngineStep",
    "InstanceTooLargeError",
    "ModelError",
    "PendingTimer",
    "ReadyUserTask",
    "Stall",
    "TaskNotReadyError",
    "WorkflowEngine",
    "cause_of",
]

# SpiffWorkflow's task iterator stops at depth 1000 and then silently offers no READY task; fail loudly
# well before that instead of stalling (see docs/design.md).
MAX_TREE_DEPTH = 900
MAX_TASKS = 20_000


@dataclass(frozen=True)
class ReadyUserTask:
    """A user task waiting for a person, with the data needed to route it."""

    task_id: str
    info: UserTaskInfo
    data: dict[str, Any]


@dataclass(frozen=True)
class PendingTimer:
    """A timer catch event waiting for its due time."""

    task_id: str
    spec_name: str
    due_at: datetime


@dataclass(frozen=True)
class Stall:
    """Where and why an instance stopped without waiting for anything."""

    element: str | None
    message: str
    message_en: str


@dataclass(frozen=True)
class EngineStep:
    """An automatic step the engine ran: a decision, a gateway, a service call or a timer."""

    kind: str
    spec_name: str
    name: str
    detail: dict[str, Any] = field(default_factory=dict)


class WorkflowEngine:
    """Run workflows of deployed bundles; one object serves many instances."""

    def __init__(
        self,
        operator_handler: OperatorHandler | None = None,
        limits: ActionLimits = DEFAULT_LIMITS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.operator_handler = operator_handler
        self.limits = limits
        self.clock = clock  # measures timeDuration and timeCycle timers; None: the system clock
        self.steps: list[EngineStep] = []
        self._budget: ActionBudget | None = None

    def _script_engine(self) -> RestrictedScriptEngine:
        return RestrictedScriptEngine(self.operator_handler)

    def start(self, specs: ProcessSpecs, process_id: str, data: dict[str, Any]) -> BpmnWorkflow:
        """Create an instance of ``process_id`` with start data and run it to its first wait."""
        spec, subprocess_specs = specs.spec_for(process_id)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine())
        workflow.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        with self._action():
            self.step(workflow)
        return workflow

    def load(self, specs: ProcessSpecs, process_id: str, state: dict[str, Any]) -> BpmnWorkflow:
        """Rebuild an instance from its saved state."""
        spec, subprocess_specs = specs.spec_for(process_id)
        workflow = load_state(state, spec, subprocess_specs)
        workflow.script_engine = self._script_engine()
        return workflow

    @staticmethod
    def dump(workflow: BpmnWorkflow) -> dict[str, Any]:
        return dump_state(workflow)

    @contextmanager
    def _action(self) -> Iterator[ActionBudget]:
        """Run one action (start, complete, fire, message) under its budget of steps and time."""
        if self._budget is not None:
            yield self._budget  # already inside this engine's action
            return
        self._budget = budget = ActionBudget(self.limits)
        try:
            with budget.running(), service_clock(self.clock):
                yield budget
        except BudgetExceeded as error:
            raise ActionBudgetError(
                f"流程环节“{error.element}”超出了一次操作的执行上限：{error}；本次操作未生效，请联系流程设计人员",
                f"element {error.element} exceeded the limits of one action: {error.message_en}; "
                "nothing was saved, please contact the process designers",
                element=error.element,
            ) from None
        finally:
            self._budget = None

    def step(self, workflow: BpmnWorkflow) -> None:
        """Run every automatic task until the instance waits for a person, a timer or a message."""
        with self._action() as budget:

            def did_complete(task: Any) -> None:
                budget.after_task(task)
                self._record_step(task)

            try:
                workflow.do_engine_steps(
                    will_complete_task=budget.before_task, did_complete_task=did_complete
                )
            except BudgetExceeded:
                raise
            except Exception as error:
                raise failure_of(error, budget) from error
        # Before compaction: it would cut away the depth the guard looks for.
        self._check_size(workflow)
        removed = compact(workflow, COMPACT_AT_DEPTH)
        if removed:
            # Housekeeping, not a business event: it stays out of the audit log.
            log.debug("compacted %d finished tasks out of the live tree", removed)

    def complete_user_task(
        self, workflow: BpmnWorkflow, task_id: str, data: dict[str, Any], form_fields: Iterable[str] = ()
    ) -> None:
        """Complete a ready user task with its validated form data (its answers are exactly those: the
        form's fields inherited from another task or loop pass are dropped first), and step on."""
        task = self._ready_task(workflow, task_id)
        for name in form_fields:
            task.data.pop(name, None)
        task.data.update(data)
        with self._action():
            task.run()
            self.step(workflow)

    def set_ready_task_data(self, workflow: BpmnWorkflow, task_id: str, values: dict[str, Any]) -> None:
        """Change what a ready user task reads from its data (a follow-up moves the due date the task
        takes from ``dueAtVariable``); the engine does not step."""
        self._ready_task(workflow, task_id).data.update(values)

    def task_data(self, workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        """Return a copy of a ready user task's data (for the audit's before/after)."""
        return dict(self._ready_task(workflow, task_id).data)

    def fire_due_timers(self, workflow: BpmnWorkflow, now: datetime) -> list[PendingTimer]:
        """Fire the timers due at ``now`` (the service clock, not the library's) and step on."""
        due = [timer for timer in self.pending_timers(workflow) if timer.due_at <= now]
        for timer in due:
            task = workflow.get_task_from_id(UUID(timer.task_id))
            mark_fired(task)
            self.steps.append(
                EngineStep(
                    "timer",
                    timer.spec_name,
                    task.task_spec.bpmn_name or "",
                    {"due_at": timer.due_at.isoformat(), "fired_at": now.isoformat()},
                )
            )
        if due:
            with self._action():
                workflow.refresh_timers()
                self.step(workflow)
        return due

    def move_timer(self, workflow: BpmnWorkflow, task_id: str, values: dict[str, Any]) -> PendingTimer:
        """Move a waiting timeDate timer by changing the data its expression reads (``values``: top-level
        keys, e.g. ``registration`` with a new ``closes_at``); its due time is then worked out again from
        that data, so the state's due time and the data can never disagree. The completed task before the
        timer gets the values too: a task takes its parent's data again whenever it is refreshed."""
        task = self._waiting_timer(workflow, task_id)
        for holder in (task.parent, task):
            if holder is not None:
                holder.data.update(deepcopy(values))
        with self._action():
            try:
                due = recompute_due(task)
            except (TimerValueError, SpiffWorkflowException) as error:
                raise EngineError(
                    f"定时事件的新时间无效：{error}", f"the timer's new time is not valid: {error}"
                ) from error
        return PendingTimer(task_id, task.task_spec.bpmn_id or task.task_spec.name, due)

    def timer_may_end_early(self, workflow: BpmnWorkflow, task_id: str) -> bool:
        """Whether the model lets a person end this waiting timer early (``mayEndEarly``)."""
        return may_end_early(self._waiting_timer(workflow, task_id).task_spec)

    def timer_data(self, workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        """A copy of a waiting timer's data (what its expression reads, for the audit's before/after)."""
        return deepcopy(dict(self._waiting_timer(workflow, task_id).data))

    def _waiting_timer(self, workflow: BpmnWorkflow, task_id: str) -> Any:
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError, KeyError, TaskNotFoundException):
            task = None
        if task is None or task.state != TaskState.WAITING or not is_timer_catch(task.task_spec):
            raise TaskNotReadyError("该定时事件已不在等待中", "the timer is no longer waiting")
        return task

    def deliver_message(self, workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
        """Deliver a BPMN message to the instance and step on."""
        with self._action():
            try:
                workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
            except SpiffWorkflowException as error:
                raise EngineError(f"该流程实例当前不等待消息“{name}”") from error
            self.step(workflow)

    @staticmethod
    def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyUserTask]:
        return [
            ReadyUserTask(task_id=str(task.id), info=user_task_info(task.task_spec), data=task.data)
            for task in _all_tasks(workflow)
            if task.state == TaskState.READY and isinstance(task.task_spec, UserTask)
        ]

    @staticmethod
    def pending_timers(workflow: BpmnWorkflow) -> list[PendingTimer]:
        timers = []
        for task in _all_tasks(workflow):
            if task.state != TaskState.WAITING or not is_timer_catch(task.task_spec):
                continue
            due = due_of(task)
            if due is not None:
                timers.append(PendingTimer(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, due))
        return timers

    @staticmethod
    def stall(workflow: BpmnWorkflow) -> Stall | None:
        """Why an instance can go no further by itself, or None when it is complete or waiting.

        Waiting means a ready user task, or a catch event (timer, message, signal) waiting for its
        event. Anything else after the engine stepped is a stall: a task left READY (the library's
        iterator stops at depth 1000) or nothing left to do at all.
        """
        if workflow.completed or workflow.waiting_events():
            return None
        tasks = list(_all_tasks(workflow))
        if any(t.state == TaskState.READY and isinstance(t.task_spec, UserTask) for t in tasks):
            return None
        stuck = [t for t in tasks if t.state == TaskState.READY]
        if stuck:
            element = element_name(stuck[0])
            return Stall(
                element,
                f"流程停在环节“{element}”：该环节已就绪，但引擎无法继续执行",
                f"the process stopped at {element}: the element is ready but the engine cannot go on",
            )
        # A join waiting for a branch that can no longer arrive (an exclusive split into a parallel join).
        waiting = [
            t for t in tasks if t.state == TaskState.WAITING and not isinstance(t.task_spec, CatchingEvent)
        ]
        if waiting:
            element = element_name(waiting[0])
            return Stall(
                element,
                f"流程停在环节“{element}”：它等待的分支已不会到达（如排他分支后接并行合并）",
                f"the process stopped at {element}: it waits for a branch that can no longer arrive "
                "(e.g. an exclusive split followed by a parallel join)",
            )
        return Stall(
            None,
            "流程既未结束，也没有等待人员办理、定时器或消息的环节",
            "the process has not ended and waits for no person, timer or message",
        )

    @staticmethod
    def is_completed(workflow: BpmnWorkflow) -> bool:
        return bool(workflow.completed)

    @staticmethod
    def data(workflow: BpmnWorkflow) -> dict[str, Any]:
        """Return the data of the instance: the workflow's data, or the last completed task's."""
        if workflow.completed:
            return dict(workflow.data)
        last = workflow.last_task
        return dict(last.data) if last is not None else dict(workflow.data)

    def _ready_task(self, workflow: BpmnWorkflow, task_id: str) -> Any:
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError, KeyError, TaskNotFoundException):
            task = None
        if task is None or task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
            raise TaskNotReadyError("该任务不在待办状态")
        return task

    def _record_step(self, task: Any) -> None:
        spec = task.task_spec
        name = spec.bpmn_name or ""
        if isinstance(spec, BusinessRuleTask):
            outputs = [output.name for output in spec.dmnEngine.decision_table.outputs]
            self.steps.append(
                EngineStep(
                    "decision",
                    spec.bpmn_id,
                    name,
                    {
                        "decision": spec.dmnEngine.decision_table.id,
                        "inputs": _decision_inputs(task, spec.dmnEngine.decision_table),
                        "result": {o: task.data.get(o) for o in outputs},
                    },
                )
            )
        elif isinstance(spec, ServiceTask):
            self.steps.append(
                EngineStep(
                    "service",
                    spec.bpmn_id,
                    name,
                    {"operator": spec.operation_name, "result": task.data.get(spec.result_variable)},
                )
            )
        elif isinstance(spec, ExclusiveGateway | InclusiveGateway):
            taken = [
                child.task_spec.bpmn_name or child.task_spec.bpmn_id or child.task_spec.name
                for child in task.children
                if child.state != TaskState.CANCELLED
            ]
            self.steps.append(EngineStep("gateway", spec.bpmn_id, name, {"taken": taken}))

    @staticmethod
    def _check_size(workflow: BpmnWorkflow) -> None:
        if len(workflow.tasks) > MAX_TASKS:
            raise InstanceTooLargeError(f"流程实例的任务数超过上限 {MAX_TASKS}，请联系流程设计人员")
        for task in workflow.tasks.values():
            if task.state in (TaskState.READY, TaskState.WAITING) and task.depth > MAX_TREE_DEPTH:
                element = element_name(task)
                raise InstanceTooLargeError(
                    f"流程在环节“{element}”处的任务树深度超过 {MAX_TREE_DEPTH}，已接近引擎上限"
                    "（可能是没有等待环节的循环）；本次操作未生效，请联系流程设计人员",
                    f"the task tree at element {element} is deeper than {MAX_TREE_DEPTH}, close to the "
                    "engine's limit (probably a loop without a wait state); nothing was saved, please "
                    "contact the process designers",
                    element=element,
                )


def _decision_inputs(task: Any, table: Any) -> dict[str, Any]:
    """The values a decision table saw, by input label, for the audit log."""
    values: dict[str, Any] = {}
    for entry in table.inputs:
        key = entry.label or entry.expression
        try:
            values[key] = task.workflow.script_engine.evaluate(task, entry.expression)
        except Exception:  # noqa: BLE001 - the decision already ran; a value we cannot re-read is recorded as such
            values[key] = None
    return values


def _all_tasks(workflow: BpmnWorkflow) -> Iterator[Any]:
    """Every task of the instance, subprocesses included, without the depth-limited tree iterator."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()
