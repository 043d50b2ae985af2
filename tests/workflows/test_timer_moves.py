"""Moving a waiting timer (the campaign calendar, issue 13 point 2): the data its timeDate reads and its due
time in the state move together, survive a save and load, and the timer fires at the new time only;
``mayEndEarly`` is read from the model and checked at deploy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from tests.workflows.test_engine import VETTING_PASSED, Operators
from workflows.engine import TaskNotReadyError, WorkflowEngine
from workflows.specs import DefinitionError, ProcessSpecs, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
DECLARED = '<spiffworkflow:property name="mayEndEarly" value="true" />'
ENDS_AT = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)


def recruitment_files() -> dict[str, str]:
    return attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms")


@pytest.fixture(scope="module")
def specs() -> ProcessSpecs:
    return parse_bundle(recruitment_files())


def in_notice(specs: ProcessSpecs) -> tuple[WorkflowEngine, BpmnWorkflow]:
    engine = WorkflowEngine(Operators(start_public_notice={"ends_at": ENDS_AT.isoformat(), "days": 7}))
    workflow = engine.start(specs, "post_hiring", {"village_code": "gs-v01"})
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, VETTING_PASSED)
    return engine, workflow


def test_a_moved_timer_fires_at_its_new_time_and_not_the_old(specs: ProcessSpecs) -> None:
    engine, workflow = in_notice(specs)
    [timer] = engine.pending_timers(workflow)
    assert timer.due_at == ENDS_AT and engine.timer_may_end_early(workflow, timer.task_id)
    later = ENDS_AT + timedelta(days=3)
    held = engine.timer_data(workflow, timer.task_id)["notice"]
    moved = engine.move_timer(workflow, timer.task_id, {"notice": {**held, "ends_at": later.isoformat()}})
    assert moved.due_at == later and moved.task_id == timer.task_id

    # Saved and loaded again, the state keeps the new time, and the data agrees with it.
    workflow = engine.load(specs, "post_hiring", engine.dump(workflow))
    [pending] = engine.pending_timers(workflow)
    assert pending.due_at == later
    assert engine.data(workflow)["notice"]["ends_at"] == later.isoformat()
    assert engine.fire_due_timers(workflow, ENDS_AT + timedelta(minutes=1)) == []
    assert [t.task_id for t in engine.fire_due_timers(workflow, later)] == [timer.task_id]
    [contract] = engine.ready_user_tasks(workflow)
    assert contract.info.spec_name == "sign_contract"
    # What the next task reads is the moved time, not the one the timer started with.
    assert contract.data["notice"]["ends_at"] == later.isoformat()
    with pytest.raises(TaskNotReadyError):
        engine.move_timer(workflow, timer.task_id, {"notice": {"ends_at": ENDS_AT.isoformat()}})


def test_a_timer_without_the_declaration_may_not_end_early() -> None:
    files = recruitment_files()
    files["post_hiring.bpmn"] = files["post_hiring.bpmn"].replace(DECLARED, "")
    engine, workflow = in_notice(parse_bundle(files))
    [timer] = engine.pending_timers(workflow)
    assert not engine.timer_may_end_early(workflow, timer.task_id)


@pytest.mark.parametrize(
    ("where", "value", "problem"),
    [
        ("notice_period", "yes", "mayEndEarly must be 'true' or 'false', not 'yes'"),
        ("sign_contract", "true", "mayEndEarly is for a timer catch event with a timeDate only"),
    ],
)
def test_a_wrong_declaration_is_refused_at_deploy(where: str, value: str, problem: str) -> None:
    files = recruitment_files()
    text = files["post_hiring.bpmn"].replace(DECLARED, "")
    anchor = f'<bpmn:{"intermediateCatchEvent" if where == "notice_period" else "userTask"} id="{where}"'
    start = text.index(anchor)
    properties = text.index("<spiffworkflow:properties>", start) + len("<spiffworkflow:properties>")
    files["post_hiring.bpmn"] = (
        text[:properties]
        + f'<spiffworkflow:property name="mayEndEarly" value="{value}" />'
        + text[properties:]
    )
    with pytest.raises(DefinitionError) as caught:
        parse_bundle(files)
    assert [p for p in caught.value.english if "mayEndEarly" in p] == [f"post_hiring/{where}: {problem}"]
