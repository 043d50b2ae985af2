"""The stored state reloads to the same instance with our task converter as with SpiffWorkflow's own."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from tests.workflows.differential.harness import parse_models
from tests.workflows.test_compaction import only_ready, recruitment_specs
from workflows.engine import WorkflowEngine
from workflows.scripting import OperatorCall, RestrictedScriptEngine
from workflows.serialization import SERIALIZER_VERSION, SpeclessWorkflowConverter, dump_state, load_state

POSTS = [{"village_code": f"3710020{n:02d}", "village_name": f"村{n}", "posts": 1 + n % 2} for n in range(46)]


def with_posts(call: OperatorCall) -> Any:
    # The plan as computed, and as the drafter left it (adjust_plan writes it back unchanged here).
    planned = call.name in ("compute_posts", "adjust_plan")
    return {"posts": deepcopy(POSTS), "total_posts": 69} if planned else {}


def library_loader() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    config[Task] = TaskConverter  # SpiffWorkflow's own, which restores every value of the task data
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


def snapshot(workflow: BpmnWorkflow) -> dict[str, Any]:
    return {
        str(task.id): (task.task_spec.name, task.state, str(task._parent), task.data, task.internal_data)
        for task in workflow.tasks.values()
    }


def test_states_reload_the_same_as_with_the_library_converter() -> None:
    specs = recruitment_specs()
    engine = WorkflowEngine(operator_handler=with_posts)
    workflow = engine.start(specs, "recruitment", {})
    spec, subprocess_specs = specs.spec_for("recruitment")
    reference = library_loader()
    for n in range(6):
        task = only_ready(engine, workflow)
        data = (
            {"plan_title": f"第{n}稿", "monthly_salary": 4000}
            if task.info.spec_name == "draft_plan"
            else {"decision": "return", "reason": f"退回{n}"}
        )
        engine.complete_user_task(workflow, task.task_id, data)
        text = json.dumps(dump_state(workflow))
        ours = load_state(json.loads(text), spec, subprocess_specs)
        theirs = reference.from_dict(json.loads(text), spec=spec, subprocess_specs=subprocess_specs)
        assert snapshot(ours) == snapshot(theirs)
        assert only_ready(engine, ours).data["plan"]["posts"] == POSTS
        workflow = engine.load(specs, "recruitment", json.loads(text))


def test_data_that_looks_like_a_converted_object_reloads_as_it_was_stored() -> None:
    specs = recruitment_specs()
    engine = WorkflowEngine(operator_handler=with_posts)
    workflow = engine.start(specs, "recruitment", {})
    note = {"typename": "datetime", "value": "not a date"}
    engine.complete_user_task(
        workflow, only_ready(engine, workflow).task_id, {"plan_title": "x", "monthly_salary": 1, "note": note}
    )
    spec, subprocess_specs = specs.spec_for("recruitment")
    text = json.dumps(dump_state(workflow))
    assert only_ready(engine, load_state(json.loads(text), spec, subprocess_specs)).data["note"] == note
    with pytest.raises((TypeError, ValueError, KeyError)):  # the library takes it for a stored object
        library_loader().from_dict(json.loads(text), spec=spec, subprocess_specs=subprocess_specs)


LEGACY_JOINS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="https://x.invalid">
<process id="main" isExecutable="true">
  <startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
  <parallelGateway id="split"/>
  <sequenceFlow id="fa" sourceRef="split" targetRef="a"/><userTask id="a"/>
  <sequenceFlow id="fb" sourceRef="split" targetRef="b"/><userTask id="b"/>
  <sequenceFlow id="fc" sourceRef="split" targetRef="c"/><userTask id="c"/>
  <sequenceFlow id="fa2" sourceRef="a" targetRef="join"/>
  <sequenceFlow id="fb2" sourceRef="b" targetRef="join"/>
  <sequenceFlow id="fc2" sourceRef="c" targetRef="join"/><parallelGateway id="join"/>
  <sequenceFlow id="f1" sourceRef="join" targetRef="end"/><endEvent id="end"/>
  <sequenceFlow id="fd" sourceRef="split" targetRef="d"/><userTask id="d"/>
  <sequenceFlow id="fd2" sourceRef="d" targetRef="end_d"/><endEvent id="end_d"/>
  <sequenceFlow id="fe" sourceRef="split" targetRef="e"/><userTask id="e"/>
  <sequenceFlow id="fe2" sourceRef="e" targetRef="end_e"/><endEvent id="end_e"/>
</process></definitions>"""


def test_a_state_saved_with_the_librarys_joins_loads_with_its_arrivals_waiting() -> None:
    # Before workflows.semantics, an instance kept SpiffWorkflow's joins: the second arrival at a join, or
    # at the process end, cancelled the first, which was still counted (and its data merged) later.
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(LEGACY_JOINS.encode())
    workflow = BpmnWorkflow(parser.get_spec("main"), script_engine=RestrictedScriptEngine())
    workflow.do_engine_steps()
    for name in ("d", "e", "a", "b"):
        task = next(task for task in workflow.get_tasks(state=TaskState.READY) if task.task_spec.name == name)
        task.data[name] = name.upper()
        task.run()
        workflow.do_engine_steps()
    state = json.loads(json.dumps(dump_state(workflow)))
    del state["join_tokens"]  # as stored before
    specs = parse_models({"legacy.bpmn": LEGACY_JOINS})
    engine = WorkflowEngine()
    reloaded = engine.load(specs, "main", state)
    (last,) = engine.ready_user_tasks(reloaded)
    assert last.info.spec_name == "c"
    engine.complete_user_task(reloaded, last.task_id, {"c": "C"})
    assert engine.is_completed(reloaded)
    assert {key: reloaded.data[key] for key in "abcde"} == {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}
