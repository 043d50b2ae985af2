"""workflows/migration.py without the service: what SpiffWorkflow's diff says may move, and the move."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from tests.api.test_instance_migration import PROCESS_ID, V1, V2, model
from workflows.engine import WorkflowEngine
from workflows.migration import migrate, plan_migration, waits_at
from workflows.specs import parse_bundle

V3 = [("task_a", "甲")]  # B removed


def ready(engine: WorkflowEngine, workflow: BpmnWorkflow) -> list[str]:
    return [task.info.spec_name for task in engine.ready_user_tasks(workflow)]


def test_a_ready_task_with_saved_data_is_refused_and_a_plain_one_moves() -> None:
    engine = WorkflowEngine()
    workflow = engine.start(parse_bundle(model(V1)), PROCESS_ID, {})
    spec, dependencies = parse_bundle(model(V2)).spec_for(PROCESS_ID)
    plan = plan_migration(workflow, spec, dependencies)
    assert plan.can_move and plan.added == ["task_c"] and "task_a" in plan.changed
    [task] = engine.ready_user_tasks(workflow)
    engine.set_ready_task_data(workflow, task.task_id, {"note": "draft"})
    [blocker] = plan_migration(workflow, spec, dependencies).blockers
    assert (blocker.element, blocker.state, blocker.change) == ("task_a", "READY", "changed")
    assert "已暂存数据" in blocker.reason and "saved data" in blocker.reason_en
    # Without the draft it moves: A runs on into C.
    workflow = engine.start(parse_bundle(model(V1)), PROCESS_ID, {})
    migrate(workflow, plan_migration(workflow, spec, dependencies), spec, dependencies)
    engine.step(workflow)
    assert waits_at(workflow, "task_a") and not waits_at(workflow, "task_b")
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, {})
    assert ready(engine, workflow) == ["task_c"]


def test_a_completed_task_removed_or_changed_blocks() -> None:
    engine = WorkflowEngine()
    workflow = engine.start(parse_bundle(model(V1)), PROCESS_ID, {})
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, {})
    assert waits_at(workflow, "task_b")
    spec, dependencies = parse_bundle(model(V3)).spec_for(PROCESS_ID)
    plan = plan_migration(workflow, spec, dependencies)
    assert plan.removed == ["task_b"]
    # B is only READY (no data of its own): A, completed, changed (its flow now goes to the end).
    assert [(b.element, b.state, b.change) for b in plan.blockers] == [("task_a", "COMPLETED", "changed")]
    assert not plan.can_move
    assert workflow.get_tasks(state=TaskState.COMPLETED)  # nothing was changed by the plan
