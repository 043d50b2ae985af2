"""Loops stay flat: finished history is cut out of the live task tree, so an instance never hits
SpiffWorkflow's depth-1000 wall and its saved state stops growing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import workflows.engine as engine_module
from tests.workflows.differential.harness import parse_models
from tests.workflows.test_bundled_models import SCENARIOS, SUBMISSIONS, CannedOperators, _nth, load_specs
from workflows.compaction import COMPACT_AT_DEPTH, compact
from workflows.diagram import element_states
from workflows.engine import WorkflowEngine
from workflows.scripting import OperatorCall
from workflows.specs import attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]


def recruitment_specs() -> Any:
    return parse_bundle(attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms"))


def canned(call: OperatorCall) -> Any:
    return {"posts": [], "total_posts": 46} if call.name == "compute_posts" else {}


def only_ready(engine: WorkflowEngine, workflow: Any) -> Any:
    ready = engine.ready_user_tasks(workflow)
    assert len(ready) == 1, ready
    return ready[0]


def test_a_send_back_loop_runs_past_the_engine_depth_wall_with_bounded_state() -> None:
    specs = recruitment_specs()
    engine = WorkflowEngine(operator_handler=canned)
    workflow = engine.start(specs, "recruitment", {})
    sizes = []
    passes = 300  # 300 passes x 4 tasks = depth 1200 without compaction: past SpiffWorkflow's wall
    for n in range(passes):
        draft = only_ready(engine, workflow)
        assert draft.info.spec_name == "draft_plan"
        engine.complete_user_task(workflow, draft.task_id, {"plan_title": f"第{n}稿", "monthly_salary": 4000})
        review = only_ready(engine, workflow)
        assert review.info.spec_name == "review_plan"
        engine.complete_user_task(workflow, review.task_id, {"decision": "return", "reason": f"退回{n}"})
        state = json.loads(json.dumps(engine.dump(workflow)))
        sizes.append(len(json.dumps(state)))
        workflow = engine.load(specs, "recruitment", state)
    assert max(task.depth for task in workflow.tasks.values()) <= COMPACT_AT_DEPTH + 10
    assert len(workflow.tasks) < 20  # the live tree, not the 1,200 tasks the loop ran
    assert max(sizes[-50:]) < 3 * max(sizes[:50])
    # The data carried by the loop survives compaction and reloads.
    draft = only_ready(engine, workflow)
    assert draft.data["reason"] == f"退回{passes - 1}"
    assert draft.data["plan_title"] == f"第{passes - 1}稿"
    # Compaction is housekeeping: the audit trail (engine steps) names only what the model did.
    assert {step.kind for step in engine.steps} <= {"gateway", "decision", "service", "script"}
    engine.complete_user_task(workflow, draft.task_id, {"plan_title": "终稿", "monthly_salary": 4200})
    engine.complete_user_task(workflow, only_ready(engine, workflow).task_id, {"decision": "approve"})
    assert only_ready(engine, workflow).info.spec_name == "confirm_funding"


def test_a_tree_shallower_than_the_threshold_is_left_alone() -> None:
    engine = WorkflowEngine(operator_handler=canned)
    workflow = engine.start(recruitment_specs(), "recruitment", {})
    before = set(workflow.tasks)
    assert compact(workflow, min_depth=max(task.depth for task in workflow.tasks.values())) == 0
    assert set(workflow.tasks) == before


def test_compacted_elements_still_show_as_completed_on_the_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    # Start events, parallel gateways and script tasks leave no audit event; only the workflow itself
    # can say they ran once compaction has cut their tasks out of the tree.
    scenario = SCENARIOS["appraisal"][0]
    states = {}
    for depth in (COMPACT_AT_DEPTH, 10**9):
        monkeypatch.setattr(engine_module, "COMPACT_AT_DEPTH", depth)
        specs = load_specs("appraisal")
        engine = WorkflowEngine(CannedOperators(scenario.operator_results))
        workflow = engine.start(specs, "appraisal", dict(scenario.start_data))
        audited, submitted = set(), {}  # what the audit log would name: people's tasks, engine steps
        for _ in range(3):
            task = min(engine.ready_user_tasks(workflow), key=lambda ready: ready.info.spec_name)
            audited.add(task.info.spec_name)
            form = task.info.form or ""
            engine.complete_user_task(
                workflow, task.task_id, _nth({**SUBMISSIONS, **scenario.submissions}[form], submitted, form)
            )
            workflow = engine.load(specs, "appraisal", json.loads(json.dumps(engine.dump(workflow))))
        audited |= {step.spec_name for step in engine.steps}
        states[depth] = element_states(workflow, audited)
    assert states[COMPACT_AT_DEPTH] == states[10**9]
    assert states[COMPACT_AT_DEPTH]["appraisal_start"] == "completed"


LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="https://x.invalid">
<process id="main" isExecutable="true">
  <startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
  <parallelGateway id="split"/>
  <sequenceFlow id="f1" sourceRef="split" targetRef="wait"/><userTask id="wait"/>
  <sequenceFlow id="f2" sourceRef="wait" targetRef="join"/>
  <sequenceFlow id="f3" sourceRef="split" targetRef="init"/>
  <scriptTask id="init"><script>n = 0</script></scriptTask>
  <sequenceFlow id="f4" sourceRef="init" targetRef="merge"/><exclusiveGateway id="merge"/>
  <sequenceFlow id="f5" sourceRef="merge" targetRef="step"/><userTask id="step"/>
  <sequenceFlow id="f6" sourceRef="step" targetRef="count"/>
  <scriptTask id="count"><script>n = n + 1</script></scriptTask>
  <sequenceFlow id="f7" sourceRef="count" targetRef="again"/><exclusiveGateway id="again" default="f9"/>
  <sequenceFlow id="f8" sourceRef="again" targetRef="merge">
    <conditionExpression>n &lt; 1000</conditionExpression></sequenceFlow>
  <sequenceFlow id="f9" sourceRef="again" targetRef="join"/>
  <parallelGateway id="join"/><sequenceFlow id="f10" sourceRef="join" targetRef="end"/><endEvent id="end"/>
  {event_subprocess}
</process></definitions>"""

EVENT_SUBPROCESS = """<subProcess id="overdue" triggeredByEvent="true">
  <startEvent id="overdue_start" isInterrupting="false"><timerEventDefinition>
    <timeDate>'2999-01-01T00:00:00+00:00'</timeDate></timerEventDefinition></startEvent>
  <userTask id="chase"/><endEvent id="overdue_end"/>
  <sequenceFlow id="g0" sourceRef="overdue_start" targetRef="chase"/>
  <sequenceFlow id="g1" sourceRef="chase" targetRef="overdue_end"/>
</subProcess>"""


@pytest.mark.parametrize("event_subprocess", ["", EVENT_SUBPROCESS], ids=["open branch", "event subprocess"])
def test_a_loop_stays_flat_while_another_branch_or_an_event_subprocess_waits(event_subprocess: str) -> None:
    # The whole-tree cut kept everything below the lowest common ancestor of the unfinished tasks: an
    # open parallel branch or a waiting event subprocess (a child of the root) kept it at the top.
    specs = parse_models({"loop.bpmn": LOOP.format(event_subprocess=event_subprocess)})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "main", {})
    for n in range(250):
        step = next(task for task in engine.ready_user_tasks(workflow) if task.info.spec_name == "step")
        engine.complete_user_task(workflow, step.task_id, {"note": n})
        workflow = engine.load(specs, "main", json.loads(json.dumps(engine.dump(workflow))))
    assert max(task.depth for task in workflow.tasks.values()) <= COMPACT_AT_DEPTH + 6
    assert len(workflow.tasks) < 40
    ready = {task.info.spec_name: task for task in engine.ready_user_tasks(workflow)}
    assert sorted(ready) == ["step", "wait"]
    assert ready["step"].data["n"] == 250
