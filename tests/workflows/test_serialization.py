"""The stored state reloads to the same instance with our task converter as with SpiffWorkflow's own."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from tests.workflows.test_compaction import only_ready, recruitment_specs
from workflows.engine import WorkflowEngine
from workflows.scripting import OperatorCall
from workflows.serialization import SERIALIZER_VERSION, SpeclessWorkflowConverter, dump_state, load_state

POSTS = [{"village_code": f"3710020{n:02d}", "village_name": f"村{n}", "posts": 1 + n % 2} for n in range(46)]


def with_posts(call: OperatorCall) -> Any:
    return {"posts": deepcopy(POSTS), "total_posts": 69} if call.name == "compute_posts" else {}


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
