"""Run one model twice, with and without the service's state handling, and compare the two runs.

Side A is bare SpiffWorkflow: one ``BpmnWorkflow`` driven in memory with the service's script engine and
never serialized. Side B is the service's facade, ``WorkflowEngine``: after every action the instance is
compacted (inside ``WorkflowEngine.step``), dumped, sent through JSON text and loaded again, as the
service stores it between two requests. Both sides take the same actions in the same order (a seeded
choice among the actions open on both) and must show the same ready tasks and live frontier after every
action, the same workflow data, the same errors and the same end.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as BpmnMessageEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from workflows.budget import DEFAULT_LIMITS
from workflows.engine import ActionBudgetError, EngineError, WorkflowEngine
from workflows.scripting import OperatorHandler, RestrictedScriptEngine
from workflows.specs import ProcessSpecs, bundle_sha256, use_service_behaviour
from workflows.timers import mark_fired, service_clock

# The clock both sides measure timeDuration and timeCycle timers from: fixed, so both compute the same dues.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def fixed_clock() -> datetime:
    return EPOCH


def parse_models(files: Mapping[str, str]) -> ProcessSpecs:
    """Parse BPMN/DMN files as the service does (``use_service_behaviour``), without the house lint.

    The lint asks for lanes and forms, which SpiffWorkflow's own models and generated ones lack; what
    the engine runs is the same either way.
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name in sorted(files):
        if not name.endswith((".bpmn", ".dmn", ".xml")):
            continue  # forms: the engine does not read them
        root = etree.fromstring(files[name].encode())  # noqa: S320 - the test's own and vendored models
        if name.endswith(".dmn"):
            parser.add_dmn_xml(root, filename=name)
        else:
            parser.add_bpmn_xml(root, filename=name)
    top, subs = {}, {}
    for process_id in sorted(parser.get_process_ids()):
        top[process_id] = parser.get_spec(process_id)
        subs[process_id] = parser.get_subprocess_specs(process_id)
        for wf_spec in (top[process_id], *subs[process_id].values()):
            use_service_behaviour(wf_spec)
    return ProcessSpecs(
        sha256=bundle_sha256(files),
        files=dict(files),
        process_ids=sorted(top),
        process_names={pid: pid for pid in top},
        top_level=top,
        subprocess_specs=subs,
        forms={},
    )


def all_tasks(workflow: BpmnWorkflow) -> Iterator[Any]:
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def task_key(task: Any) -> tuple[str, str, str]:
    return (task.workflow.spec.name, task.task_spec.name, canonical(task.data))


def ready_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The tasks waiting for someone outside the engine, in an order both sides agree on."""
    ready = [task for task in all_tasks(workflow) if task.state == TaskState.READY and task.task_spec.manual]
    return sorted(ready, key=task_key)  # stable: equal keys keep the tree's creation order


def pending_timers(workflow: BpmnWorkflow) -> list[tuple[datetime, str]]:
    return sorted((timer.due_at, timer.spec_name) for timer in WorkflowEngine.pending_timers(workflow))


def waiting_messages(workflow: BpmnWorkflow) -> list[str]:
    """Names of the messages the instance waits for, event subprocesses' start events included."""
    names: set[str] = set()
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        for event in getattr(definition, "event_definitions", [definition]):  # a multiple event: each
            if isinstance(event, BpmnMessageEvent) and event.name:
                names.add(event.name)
    if not workflow.completed:
        for spec_name in workflow.spec.start.trigger_specs:
            for start in workflow.subprocess_specs[spec_name].bpmn_start_events:
                if isinstance(start.event_definition, BpmnMessageEvent):
                    names.add(start.event_definition.name)
    return sorted(names)


def snapshot(workflow: BpmnWorkflow) -> dict[str, Any]:
    """What must be the same on both sides after every action."""
    live = sorted(
        (
            task.workflow.spec.name,
            task.task_spec.name,
            TaskState.get_name(task.state),
            canonical(task.data) if task.state == TaskState.READY else "",
        )
        for task in all_tasks(workflow)
        if task.has_state(LIVE)
    )
    return {
        "live": live,
        "timers": [(due.isoformat(), name) for due, name in pending_timers(workflow)],
        "messages": waiting_messages(workflow),
        "completed": bool(workflow.completed),
        "data": canonical(workflow.data),
        "instance data": canonical(WorkflowEngine.data(workflow)),  # what the service shows and stores
    }


class RunawayError(Exception):
    """The bare side ran more engine steps in one action than the service's budget allows."""


def error_kind(error: BaseException) -> str:
    """The library's error behind the service's wrapper, by class, so both sides compare."""
    if isinstance(error, RunawayError | ActionBudgetError):
        return "over budget"
    if isinstance(error, EngineError) and error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__


@dataclass(frozen=True)
class Action:
    kind: str  # "task", "timer" or "message"
    index: int = 0
    now: datetime | None = None
    name: str = ""

    def label(self, side: Any) -> str:
        if self.kind == "task":
            return f"complete {ready_tasks(side.workflow)[self.index].task_spec.name}"
        if self.kind == "timer":
            return f"fire timers due by {self.now}"
        return f"message {self.name}"


class BareSide:
    """Plain SpiffWorkflow in memory: never serialized, never compacted."""

    def __init__(self, specs: ProcessSpecs, process_id: str, handler: OperatorHandler, data: dict[str, Any]):
        spec, subprocess_specs = specs.spec_for(process_id)
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=RestrictedScriptEngine(handler))
        self.workflow.data.update(data)
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        self._step()

    def _step(self) -> None:
        steps = 0

        def count(task: Any) -> None:
            nonlocal steps
            steps += 1
            if steps > DEFAULT_LIMITS.max_steps:
                raise RunawayError(task.task_spec.name)

        with service_clock(fixed_clock):
            self.workflow.do_engine_steps(will_complete_task=count)

    def complete(self, index: int, data: dict[str, Any]) -> None:
        task = ready_tasks(self.workflow)[index]
        task.data.update(data)
        with service_clock(fixed_clock):
            task.run()
        self._step()

    def fire(self, now: datetime) -> None:
        for timer in WorkflowEngine.pending_timers(self.workflow):
            if timer.due_at <= now:
                mark_fired(self.workflow.get_task_from_id(UUID(timer.task_id)))
        with service_clock(fixed_clock):
            self.workflow.refresh_timers()
        self._step()

    def deliver(self, name: str, payload: dict[str, Any]) -> None:
        with service_clock(fixed_clock):
            self.workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
        self._step()


class ServiceSide:
    """The service's facade; the instance goes through dump, JSON text and load after every action."""

    def __init__(self, specs: ProcessSpecs, process_id: str, handler: OperatorHandler, data: dict[str, Any]):
        self.specs, self.process_id = specs, process_id
        self.engine = WorkflowEngine(handler, clock=fixed_clock)
        self.workflow = self._stored(self.engine.start(specs, process_id, data))

    def _stored(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        text = json.dumps(self.engine.dump(workflow), ensure_ascii=False)  # no default=: plain JSON only
        return self.engine.load(self.specs, self.process_id, json.loads(text))

    def complete(self, index: int, data: dict[str, Any]) -> None:
        task = ready_tasks(self.workflow)[index]
        if isinstance(task.task_spec, UserTask):
            self.engine.complete_user_task(self.workflow, str(task.id), data)
        else:  # manual and none tasks: the service has no path for them, the facade still steps them
            task.data.update(data)
            with service_clock(fixed_clock):
                task.run()
            self.engine.step(self.workflow)
        self.workflow = self._stored(self.workflow)

    def fire(self, now: datetime) -> None:
        self.engine.fire_due_timers(self.workflow, now)
        self.workflow = self._stored(self.workflow)

    def deliver(self, name: str, payload: dict[str, Any]) -> None:
        self.engine.deliver_message(self.workflow, name, payload)
        self.workflow = self._stored(self.workflow)


# What a person enters into a ready task (None for a message's payload), from the side's own random
# source; ``Model.answers`` makes one per side, so an answerer may count what it answered.
Answer = Callable[[Any, random.Random], dict[str, Any]]


def no_data(task: Any, rng: random.Random) -> dict[str, Any]:
    return {}


@dataclass
class Model:
    """A model to run: its parsed bundle, process, start data, operators and how people answer."""

    name: str
    files: dict[str, str]
    process_id: str
    start_data: dict[str, Any] = field(default_factory=dict)
    handler: Callable[[], OperatorHandler] = lambda: _no_operators
    answers: Callable[[], Answer] = lambda: no_data
    max_actions: int = 60
    timer_weight: float = 0.25  # chance of firing timers when tasks are ready as well
    # Judged on the bare side's full history when both ended alike: None or what is wrong by BPMN.
    check_end: Callable[[BpmnWorkflow, str], str | None] | None = None
    _service_specs: ProcessSpecs | None = field(default=None, init=False, repr=False)

    def service_specs(self) -> ProcessSpecs:
        """The service side's specs: parsed once and shared by every run, as the service shares a
        deployed bundle's parse between its instances."""
        if self._service_specs is None:
            self._service_specs = parse_models(self.files)
        return self._service_specs


def _no_operators(call: Any) -> Any:
    raise LookupError(f"no operator {call.name!r} in this model")


@dataclass
class Outcome:
    """How a differential run ended: the actions taken and the first divergence, if any."""

    model: str
    seed: int
    actions: list[str]
    end: str
    divergence: str | None = None
    problem: str | None = None  # the run agreed on both sides but is wrong (check_end)


def _choose(
    rng: random.Random, tasks: int, timers: list[datetime], messages: list[str], weight: float
) -> Action:
    if timers and (not tasks or rng.random() < weight):
        return Action("timer", now=rng.choice(timers))
    if messages and (not tasks or rng.random() < weight):
        return Action("message", name=rng.choice(messages))
    return Action("task", index=rng.randrange(tasks))


def _act(side: Any, action: Action, data: dict[str, Any]) -> str:
    try:
        if action.kind == "task":
            side.complete(action.index, data)
        elif action.kind == "timer":
            assert action.now is not None
            side.fire(action.now)
        else:
            side.deliver(action.name, data)
    except Exception as error:  # noqa: BLE001 - the error itself is what the two sides compare
        return f"error {error_kind(error)}"
    return "ok"


def run(model: Model, seed: int) -> Outcome:
    """Drive both sides with one seed and judge the end (see ``_run``)."""
    outcome, bare = _run(model, seed)
    if outcome.divergence is None and bare is not None and model.check_end is not None:
        outcome.problem = model.check_end(bare.workflow, outcome.end)
    return outcome


def _run(model: Model, seed: int) -> tuple[Outcome, Any]:
    """Drive both sides with one seed, comparing them after every action; return the outcome and the
    bare side (whose full history ``Model.check_end`` judges).

    The bare side parses the model afresh for every run; the service side reuses one parse for all runs
    of the model, as the service does. Bare SpiffWorkflow changed a spec while running (a triggered
    event subprocess connected itself to the start task), which only a run after another one shows.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible choices, not secrets
    bare_rng, service_rng = random.Random(seed), random.Random(seed)  # noqa: S311
    bare_answer, service_answer = model.answers(), model.answers()
    outcome = Outcome(model.name, seed, [], "running")
    start = dict(model.start_data)
    try:
        bare = BareSide(parse_models(model.files), model.process_id, model.handler(), start)
        bare_start = "ok"
    except Exception as error:  # noqa: BLE001
        bare, bare_start = None, f"error {error_kind(error)}"
    try:
        service = ServiceSide(model.service_specs(), model.process_id, model.handler(), start)
        service_start = "ok"
    except Exception as error:  # noqa: BLE001
        service, service_start = None, f"error {error_kind(error)}"
    if bare_start != service_start:
        outcome.divergence = f"start: bare {bare_start}, service {service_start}"
        return outcome, None
    if bare is None or service is None:
        outcome.end = bare_start
        return outcome, None
    step = 0
    while True:
        left, right = snapshot(bare.workflow), snapshot(service.workflow)
        if left != right:
            outcome.divergence = _describe(step, outcome.actions, left, right)
            return outcome, bare
        if left["completed"]:
            outcome.end = "completed"
            return outcome, bare
        tasks = len(ready_tasks(bare.workflow))
        timers = [due for due, _ in pending_timers(bare.workflow)]
        messages = left["messages"]
        if not (tasks or timers or messages):
            outcome.end = "stalled" if any(state == "READY" for _, _, state, _ in left["live"]) else "waiting"
            return outcome, bare
        if step >= model.max_actions:
            outcome.end = "cut"
            return outcome, bare
        action = _choose(rng, tasks, timers, messages, model.timer_weight)
        label = action.label(bare)
        data_task = ready_tasks(bare.workflow)[action.index] if action.kind == "task" else None
        bare_result = _act(bare, action, bare_answer(data_task, bare_rng))
        service_task = ready_tasks(service.workflow)[action.index] if action.kind == "task" else None
        service_result = _act(service, action, service_answer(service_task, service_rng))
        outcome.actions.append(label)
        step += 1
        if bare_result != service_result:
            outcome.divergence = f"step {step} ({label}): bare {bare_result}, service {service_result}"
            return outcome, bare
        if bare_result != "ok":
            outcome.end = bare_result
            return outcome, bare


def _describe(step: int, actions: list[str], left: dict[str, Any], right: dict[str, Any]) -> str:
    lines = [f"after {step} actions ({'; '.join(actions[-6:])}):"]
    for key in left:
        if left[key] != right[key]:
            if isinstance(left[key], list):
                only_bare = [item for item in left[key] if item not in right[key]]
                only_service = [item for item in right[key] if item not in left[key]]
                lines.append(f"  {key}: only bare {only_bare}; only service {only_service}")
            else:
                lines.append(f"  {key}: bare {left[key]!r}; service {right[key]!r}")
    return "\n".join(lines)
