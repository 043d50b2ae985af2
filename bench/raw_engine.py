"""Drive the recruitment plan-review loop on bare SpiffWorkflow: load, complete, step, save per completion.

This is the reference the service is compared with: the library alone, in memory, one core, with
SpiffWorkflow's own serializer (spiff config, JSON string that includes the spec, as spiff-arena stores it).
``state_only=True`` swaps in the service's spec-less state format (still a JSON string, no compaction), a
stricter baseline that isolates the service's own overhead from the serializer choice.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState

from workflows.serialization import dump_state, load_state

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn" / "recruitment"
PROCESS_ID = "recruitment"

# Canned operator results: the loop only runs compute_posts once, at the start.
CANNED_RESULTS: dict[str, Any] = {"compute_posts": {"posts": [], "total_posts": 46}}

DRAFT = {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200}
RETURN = {"decision": "return", "reason": "薪酬标准偏低，请修改"}


def loop_data(spec_name: str) -> dict[str, Any]:
    """The form data one pass of the plan review loop submits for ``spec_name``."""
    if spec_name == "draft_plan":
        return dict(DRAFT)
    if spec_name == "review_plan":
        return dict(RETURN)
    raise ValueError(f"the plan review loop never reaches {spec_name}")


class CannedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's default script engine with service calls answered from ``CANNED_RESULTS``."""

    def call_service(self, task: Any, **kwargs: Any) -> str:
        return json.dumps(CANNED_RESULTS.get(kwargs["operation_name"], {}))


class NoReadyTaskError(Exception):
    """The workflow offers no READY user task (SpiffWorkflow's TaskIterator stops at depth 1000)."""


@dataclass
class RawRecruitment:
    """The recruitment process parsed once; each completion goes through a JSON string of the state."""

    state_only: bool = False
    spec: Any = field(init=False)
    subprocess_specs: dict[str, Any] = field(init=False)
    serializer: BpmnWorkflowSerializer = field(init=False)
    script_engine: CannedScriptEngine = field(init=False)

    def __post_init__(self) -> None:
        parser = SpiffBpmnParser()
        for path in sorted(BPMN_DIR.glob("*.bpmn")):
            parser.add_bpmn_file(str(path))
        for path in sorted(BPMN_DIR.glob("*.dmn")):
            parser.add_dmn_file(str(path))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = CannedScriptEngine()

    def start(self) -> str:
        """Start an instance, run it to draft_plan and return its serialized state."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.do_engine_steps()
        return self.save(workflow)

    def save(self, workflow: BpmnWorkflow) -> str:
        if self.state_only:
            return json.dumps(dump_state(workflow))
        return str(self.serializer.serialize_json(workflow))

    def load(self, state: str) -> BpmnWorkflow:
        if self.state_only:
            workflow = load_state(json.loads(state), self.spec, self.subprocess_specs)
        else:
            workflow = self.serializer.deserialize_json(state)
        workflow.script_engine = self.script_engine
        return workflow

    def complete_next(self, state: str) -> tuple[str, str, int]:
        """Load ``state``, complete its ready user task with loop data, step, save.

        Returns the new state, the completed task's spec name and the number of tasks in the tree.
        """
        workflow = self.load(state)
        ready = [t for t in workflow.get_tasks(state=TaskState.READY) if isinstance(t.task_spec, UserTask)]
        if not ready:
            depth = max(t.depth for t in workflow.tasks.values())
            raise NoReadyTaskError(f"SpiffWorkflow offers no READY user task (task tree depth {depth})")
        task = ready[0]
        spec_name = task.task_spec.bpmn_id
        task.data.update(loop_data(spec_name))
        task.run()
        workflow.do_engine_steps()
        return self.save(workflow), spec_name, len(workflow.tasks)


@dataclass
class LoopRun:
    """Per-completion wall times of one or more instances driven round the review loop."""

    seconds: list[float] = field(default_factory=list)
    stopped_at: int | None = None  # the completion number that could not be made, if any
    stop_reason: str = ""
    state_bytes: dict[int, int] = field(default_factory=dict)  # completion number -> state size

    @property
    def total(self) -> float:
        return sum(self.seconds)


def drive_raw(raw: RawRecruitment, completions: int, sizes_at: tuple[int, ...] = ()) -> LoopRun:
    """Complete up to ``completions`` tasks in one instance, timing each load-complete-step-save."""
    run = LoopRun()
    state = raw.start()
    for number in range(1, completions + 1):
        started = time.perf_counter()
        try:
            state, _spec_name, _tasks = raw.complete_next(state)
        except NoReadyTaskError as error:
            run.stopped_at, run.stop_reason = number, str(error)
            break
        run.seconds.append(time.perf_counter() - started)
        if number in sizes_at:
            run.state_bytes[number] = len(state.encode())
    if sizes_at and run.seconds:
        run.state_bytes[len(run.seconds)] = len(state.encode())
    return run


def raw_throughput(raw: RawRecruitment, instances: int, per_instance: int) -> LoopRun:
    """Drive ``instances`` fresh instances ``per_instance`` completions each; one combined sample list."""
    combined = LoopRun()
    for _ in range(instances):
        run = drive_raw(raw, per_instance)
        combined.seconds.extend(run.seconds)
        if run.stopped_at is not None:
            combined.stopped_at, combined.stop_reason = run.stopped_at, run.stop_reason
    return combined
