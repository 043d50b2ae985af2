"""The sandbox's engine harness (issue 14, point 3): run a draft's process on sample data in memory, with
its own clock, recording each element that ran as a step a designer reads (who or what, the data after).

Nothing here touches a live table: the state lives in the caller's ``sandbox_runs`` row. A service task
either returns the result the designer gave for its element (a sample), or runs its registered operator in
a database transaction of its own that is always rolled back (its audit events, kept on that session until
a commit, are discarded with it), so an operator reads live data but never writes it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, InclusiveGateway, ParallelGateway
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ScriptTask, ServiceTask, UserTask
from SpiffWorkflow.util.task import TaskState

from service.context import ServiceContext
from service.usecases.errors import InvalidInputError, OperatorFailedError, ServiceError
from service.usecases.incidents import guarded
from service.usecases.projections import resolve_queue
from service.usecases.runner import OPERATORS, InstanceRunner, check_data_size
from service.usecases.starting import refuse_reserved_keys
from service.usecases.submissions import check_submission
from workflows.diagram import element_states, english_names, process_file
from workflows.engine import WorkflowEngine
from workflows.extensions import element_english_name, is_timer_catch
from workflows.scripting import OperatorCall
from workflows.specs import ProcessSpecs


def plain(value: Any) -> Any:
    """``value`` as JSON would store it (dates as strings), so a run and its replay compare alike."""
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str))


class _RecordingEngine(WorkflowEngine):
    """The engine, keeping each element it completes as it completes (compaction may cut it out of the
    tree before the action ends)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.completed: list[tuple[Any, str, dict[str, Any], dict[str, Any]]] = []

    def _record_step(self, task: Any) -> None:
        before = len(self.steps)
        super()._record_step(task)
        known = self.steps[-1].detail if len(self.steps) > before else {}
        if task.task_spec.bpmn_id:  # read now: compaction may soon cut the task's children away
            kind, detail = _kind_and_detail(task, dict(known))
            self.completed.append((task, kind, detail, plain(dict(task.data))))


class _FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


@dataclass
class Harness:
    """One sandbox action's engine: loads or starts the workflow, acts, and says what ran."""

    ctx: ServiceContext
    actor: str
    specs: ProcessSpecs
    process_id: str
    now: datetime
    operator_results: dict[str, Any] = field(default_factory=dict)
    # Filled as service tasks run: element id -> (result, "sample" or "operator").
    _service_calls: dict[str, tuple[Any, str]] = field(default_factory=dict)
    _tasks: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        xml = process_file(self.specs.files, self.process_id)
        try:  # the elements' English names as the diagram reads them (a gateway's spec does not keep them)
            self.names_en = english_names(xml) if xml is not None else {}
        except (ValueError, etree.LxmlError):
            self.names_en = {}
        self.engine = _RecordingEngine(
            operator_handler=self._operator, limits=self.ctx.action_limits, clock=lambda: self.now
        )

    # -- actions ---------------------------------------------------------------------------------------
    def start(self, data: dict[str, Any]) -> tuple[BpmnWorkflow, list[dict[str, Any]]]:
        """Start the process with ``data`` (checked against its start form, if it has one)."""
        refuse_reserved_keys(data)
        rule = self.specs.start_rules.get(self.process_id)
        if rule is not None and rule.form:
            check_submission(self.specs.forms, rule.form, data)
        workflow = self._guard(lambda: self.engine.start(self.specs, self.process_id, data))
        return workflow, self._steps(None)

    def load(self, state: dict[str, Any]) -> BpmnWorkflow:
        return self.engine.load(self.specs, self.process_id, state)

    def complete(self, workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Complete a ready user task with form data validated exactly as a real task's is."""
        ready = {task.task_id: task for task in self.engine.ready_user_tasks(workflow)}
        task = ready.get(task_id)
        if task is None:
            raise InvalidInputError(
                "该任务不在待办状态", english="The task is not waiting to be done", errors=None
            )
        self._tasks = {task_id: workflow.get_task_from_id(UUID(task_id))}
        refuse_reserved_keys(data)  # a form open to extra keys must not shadow the script sandbox's names
        form_fields: list[str] = []
        if task.info.form:
            check_submission(self.specs.forms, task.info.form, data)
            form_fields = list(self.specs.forms[task.info.form].get("properties", {}))
        self._guard(lambda: self.engine.complete_user_task(workflow, task_id, data, form_fields))
        return self._steps((task_id, plain(data)))

    def skip_wait(self, workflow: BpmnWorkflow, timer_id: str | None) -> list[dict[str, Any]]:
        """Move the sandbox's clock to a waiting timer's due time (the earliest, or ``timer_id``) and fire
        what is due then."""
        timers = self.engine.pending_timers(workflow)
        chosen = [t for t in timers if timer_id in (None, t.task_id, t.spec_name)]
        if not chosen:
            raise InvalidInputError(
                "没有正在等待的定时事件", english="No timer is waiting", errors={"timer": ["没有", "none"]}
            )
        due = min(t.due_at for t in chosen)
        self.now = max(self.now, due)
        self._guard(lambda: self.engine.fire_due_timers(workflow, self.now))
        return self._steps(None)

    # -- reading ---------------------------------------------------------------------------------------
    def view(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """What waits now: ready user tasks with their forms, waiting timers, the diagram's states."""
        tasks = []
        for task in self.engine.ready_user_tasks(workflow):
            info = task.info
            try:
                department = resolve_queue(info.lane, dict(task.data)) if info.lane else None
            except (InvalidInputError, ValueError, LookupError, AttributeError):
                department = info.lane  # a template the draft's data cannot fill (the check names it)
            defaults = {name: task.data[key] for name, key in info.form_defaults if key in task.data}
            tasks.append(
                {
                    "task_id": task.task_id,
                    "element_id": info.spec_name,
                    "name": info.name_zh,
                    "name_en": info.name_en,
                    "department_code": department,
                    "head_only": info.head_only,
                    "form": info.form,
                    "form_schema": self.specs.forms.get(info.form) if info.form else None,
                    "form_values": plain(defaults),
                }
            )
        timers = []
        for timer in self.engine.pending_timers(workflow):
            spec = _spec_of(workflow, timer.spec_name)
            timers.append(
                {
                    "task_id": timer.task_id,
                    "element_id": timer.spec_name,
                    "name": (spec.bpmn_name if spec is not None else None) or timer.spec_name,
                    "name_en": self.names_en.get(timer.spec_name)
                    or (element_english_name(spec) if spec is not None else None)
                    or timer.spec_name,
                    "due_at": timer.due_at,
                }
            )
        stall = self.engine.stall(workflow) if not tasks else None
        return {
            "status": "completed"
            if self.engine.is_completed(workflow)
            else "stalled"
            if stall
            else "running",
            "stall": {"element": stall.element, "zh": stall.message, "en": stall.message_en}
            if stall
            else None,
            "ready_tasks": tasks,
            "timers": sorted(timers, key=lambda t: t["due_at"]),
            "states": element_states(workflow),
            "data": plain(self.engine.data(workflow)),
        }

    def dump(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        check_data_size(self.engine.data(workflow), self.ctx.settings.max_instance_data_bytes)
        return self.engine.dump(workflow)

    # -- inside ----------------------------------------------------------------------------------------
    def _guard(self, step: Callable[[], Any]) -> Any:
        # No incident: a sandbox failure is the designer's to read, not the incident board's.
        return guarded(step, self.actor, None)

    def _operator(self, call: OperatorCall) -> Any:
        element = call.task_spec
        if element in self.operator_results:
            result = plain(self.operator_results[element])
            self._service_calls[element] = (result, "sample")
            return result
        function = OPERATORS.get(call.name)
        if function is None:
            raise OperatorFailedError(
                "服务任务“{element}”的操作 {operator} 未注册；请为它提供示例结果",
                english="The operator {operator} of service task {element} is not registered; "
                "give a sample result for it",
                element=element,
                operator=call.name,
            )
        result = plain(self._rolled_back(function, call))
        self._service_calls[element] = (result, "operator")
        return result

    def _rolled_back(
        self, function: Callable[[InstanceRunner, OperatorCall], Any], call: OperatorCall
    ) -> Any:
        """Run a real operator in a transaction of its own that is always rolled back."""
        sandbox_ctx = copy.copy(self.ctx)  # the operator reads the sandbox's clock, not the service's
        sandbox_ctx.clock = _FixedClock(self.now)
        session = self.ctx.database.sessions()
        try:
            return function(InstanceRunner(sandbox_ctx, session, self.actor), call)
        except ServiceError as error:
            raise _operator_failed(call, error.message, error.message_en) from error
        except Exception as error:  # noqa: BLE001 - an operator meeting sample data it cannot use
            raise _operator_failed(call, str(error) or type(error).__name__, None) from error
        finally:
            session.rollback()
            session.close()

    def _steps(self, user: tuple[str, dict[str, Any]] | None) -> list[dict[str, Any]]:
        """The elements the action completed, in the order they ran, each with what it did."""
        completed = list(self.engine.completed)
        self.engine.completed.clear()
        self.engine.steps.clear()
        steps = []
        if user is not None:
            task_id, submitted = user
            # The person's task ran first (the engine stepped on after it); it is still in the tree.
            done = self.engine_task(task_id)
            if done is not None:
                detail = {"by": self.actor, "submitted": submitted}
                steps.append(self._step(done, "user_task", detail, plain(dict(done.data))))
        for task, kind, detail, data in completed:
            element = task.task_spec.bpmn_id
            if kind == "service" and element in self._service_calls:
                result, source = self._service_calls[element]
                detail = {**detail, "result": result, "source": source}
            steps.append(self._step(task, kind, detail, data))
        return steps

    def engine_task(self, task_id: str) -> Any:
        return self._tasks.get(task_id)

    def _step(self, task: Any, kind: str, detail: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        spec = task.task_spec
        element = spec.bpmn_id
        return {
            "element_id": element,
            "name": spec.bpmn_name or element,
            "name_en": self.names_en.get(element) or element_english_name(spec) or spec.bpmn_name or element,
            "kind": kind,
            "detail": plain(_english_taken(detail, self.names_en)),
            "data": data,
            "at": self.now.isoformat(),
        }


def _operator_failed(call: OperatorCall, message: str, english: str | None) -> OperatorFailedError:
    return OperatorFailedError(
        "服务任务“{element}”的操作 {operator} 在沙盒中未能运行：{reason}。可为该环节提供示例结果"
        "（operator_results.{element}）",
        english="The operator {operator} of service task {element} could not run in the sandbox: "
        "{reason_en}. Give a sample result for the element (operator_results.{element})",
        element=call.task_spec,
        operator=call.name,
        reason=message,
        reason_en=english or message,
    )


def _spec_of(workflow: BpmnWorkflow, name: str) -> Any:
    return workflow.spec.task_specs.get(name)


def _kind_and_detail(task: Any, known: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    spec = task.task_spec
    if isinstance(spec, UserTask):
        return "user_task", {}
    if isinstance(spec, BusinessRuleTask):
        return "decision", known
    if isinstance(spec, ServiceTask):
        return "service", known
    if isinstance(spec, ScriptTask):
        return "script", {}
    if isinstance(spec, ExclusiveGateway | InclusiveGateway | ParallelGateway):
        return "gateway", {"taken": _taken(task)}
    if is_timer_catch(spec):
        return "timer", known
    return "event", {}


def _taken(task: Any, depth: int = 0) -> list[dict[str, Any]]:
    """The elements a gateway went on to (through the library's own specs, such as a boundary event's
    split, which have no element id)."""
    found = []
    for child in task.children:
        if child is None or not child.state & (TaskState.DEFINITE_MASK | TaskState.COMPLETED):
            continue
        spec = child.task_spec
        if spec.bpmn_id:
            found.append({"element_id": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id})
        elif depth < 3:
            found.extend(_taken(child, depth + 1))
    return found


def _english_taken(detail: dict[str, Any], names_en: dict[str, str]) -> dict[str, Any]:
    """A gateway's ``taken`` with each element's English name beside its Chinese one."""
    if "taken" not in detail:
        return detail
    taken = [{**t, "name_en": names_en.get(t["element_id"], t["name"])} for t in detail["taken"]]
    return {**detail, "taken": taken}
