"""WorkflowEngine behaviours the service relies on: refusals, timers, messages and the recorded steps."""

from __future__ import annotations

import json
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from tests.workflows.samples import ELIGIBLE
from workflows import engine as engine_module
from workflows.engine import (
    EngineError,
    EngineStep,
    InstanceTooLargeError,
    ModelError,
    PendingTimer,
    TaskNotReadyError,
    WorkflowEngine,
)
from workflows.scripting import OperatorCall
from workflows.specs import ProcessSpecs, attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
NOTICE_ENDS_AT = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)

CANDIDATE = {"found": True, "application_id": 1, "name": "张三", "party_member": False}
VETTING_PASSED = {"findings": [], "notes": "未发现不得聘用情形"}
VETTING_FAILED = {"findings": ["bad_credit"], "notes": "不良信用记录"}


@pytest.fixture(scope="module")
def specs() -> ProcessSpecs:
    return parse_bundle(attach_forms(read_bundle(ROOT / "bpmn" / "recruitment"), ROOT / "forms"))


class Operators:
    """Canned operator results, recording every call."""

    def __init__(self, **overrides: Any) -> None:
        self.results: dict[str, Any] = {
            "next_candidate": CANDIDATE,
            "start_public_notice": {"ends_at": NOTICE_ENDS_AT.isoformat(), "days": 7},
            **overrides,
        }
        self.calls: list[OperatorCall] = []

    def __call__(self, call: OperatorCall) -> Any:
        self.calls.append(call)
        result = self.results.get(call.name, {"ok": True})
        if isinstance(result, Exception):
            raise result
        return result


def state_text(engine: WorkflowEngine, workflow: BpmnWorkflow) -> str:
    return json.dumps(engine.dump(workflow), sort_keys=True, ensure_ascii=False)


def ready_specs(engine: WorkflowEngine, workflow: BpmnWorkflow) -> list[str]:
    return [task.info.spec_name for task in engine.ready_user_tasks(workflow)]


def start_hiring(
    specs: ProcessSpecs, operators: Operators | None = None
) -> tuple[WorkflowEngine, BpmnWorkflow]:
    engine = WorkflowEngine(operators or Operators())
    workflow = engine.start(specs, "post_hiring", {"village_code": "371002001"})
    assert ready_specs(engine, workflow) == ["vet_candidate"]
    return engine, workflow


def to_notice_period(specs: ProcessSpecs) -> tuple[WorkflowEngine, BpmnWorkflow]:
    engine, workflow = start_hiring(specs)
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, VETTING_PASSED)
    assert ready_specs(engine, workflow) == []
    return engine, workflow


# -- complete_user_task refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", ["", "not-a-uuid", "12345", "00000000-0000-0000-0000-00000000000g"])
def test_complete_with_a_malformed_task_id_is_refused(specs: ProcessSpecs, task_id: str) -> None:
    engine, workflow = start_hiring(specs)
    before = state_text(engine, workflow)
    with pytest.raises(TaskNotReadyError):
        engine.complete_user_task(workflow, task_id, VETTING_PASSED)
    with pytest.raises(TaskNotReadyError):
        engine.task_data(workflow, task_id)
    assert state_text(engine, workflow) == before


def test_complete_with_an_unknown_task_id_is_refused(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    with pytest.raises(TaskNotReadyError):
        engine.complete_user_task(workflow, str(uuid.uuid4()), VETTING_PASSED)


def test_complete_a_task_that_is_not_a_user_task_is_refused(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    [service_task] = workflow.get_tasks(spec_name="next_candidate_task")
    for task_id in (str(workflow.task_tree.id), str(service_task.id)):
        with pytest.raises(TaskNotReadyError):
            engine.complete_user_task(workflow, task_id, VETTING_PASSED)
    assert ready_specs(engine, workflow) == ["vet_candidate"]


def test_complete_a_user_task_that_is_not_ready_yet_is_refused(specs: ProcessSpecs) -> None:
    engine, workflow = to_notice_period(specs)
    predicted = workflow.get_tasks(spec_name="sign_contract")
    assert predicted, "sign_contract is predicted in the task tree"
    before = state_text(engine, workflow)
    with pytest.raises(TaskNotReadyError):
        engine.complete_user_task(workflow, str(predicted[0].id), {"contract_number": "x"})
    assert state_text(engine, workflow) == before


def test_complete_the_same_user_task_twice_is_refused(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, VETTING_PASSED)
    with pytest.raises(TaskNotReadyError):
        engine.complete_user_task(workflow, task.task_id, VETTING_PASSED)


def test_task_data_is_a_copy(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    [task] = engine.ready_user_tasks(workflow)
    data = engine.task_data(workflow, task.task_id)
    assert data["candidate"] == CANDIDATE
    data["candidate"] = None
    assert engine.task_data(workflow, task.task_id)["candidate"] == CANDIDATE


def test_completed_task_data_reaches_the_gateway(specs: ProcessSpecs) -> None:
    operators = Operators()
    engine, workflow = start_hiring(specs, operators)
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, VETTING_FAILED)
    # Vetting failed: the candidate is rejected and the next one is asked for.
    assert [call.name for call in operators.calls] == ["next_candidate", "reject_candidate", "next_candidate"]
    assert operators.calls[1].data["findings"] == ["bad_credit"]
    assert ready_specs(engine, workflow) == ["vet_candidate"]


# -- timers -----------------------------------------------------------------------------------------------


def test_timer_does_not_fire_before_its_due_time(specs: ProcessSpecs) -> None:
    engine, workflow = to_notice_period(specs)
    [timer] = engine.pending_timers(workflow)
    assert timer == PendingTimer(timer.task_id, "notice_period", NOTICE_ENDS_AT)
    engine.steps.clear()
    before = state_text(engine, workflow)
    for now in (datetime.now(UTC), NOTICE_ENDS_AT - timedelta(seconds=1)):
        assert engine.fire_due_timers(workflow, now) == []
    assert engine.pending_timers(workflow) == [timer]
    assert ready_specs(engine, workflow) == []
    assert engine.steps == []
    assert state_text(engine, workflow) == before


def test_timer_fires_after_its_due_time(specs: ProcessSpecs) -> None:
    engine, workflow = to_notice_period(specs)
    [timer] = engine.pending_timers(workflow)
    engine.steps.clear()
    fired_at = NOTICE_ENDS_AT + timedelta(hours=1)
    fired = engine.fire_due_timers(workflow, fired_at)
    assert fired == [timer]
    assert engine.pending_timers(workflow) == []
    assert ready_specs(engine, workflow) == ["sign_contract"]
    assert engine.steps[0] == EngineStep(
        "timer",
        "notice_period",
        "公示期满",
        {"due_at": NOTICE_ENDS_AT.isoformat(), "fired_at": fired_at.isoformat()},
    )
    assert engine.fire_due_timers(workflow, NOTICE_ENDS_AT + timedelta(days=1)) == []


def test_timer_fires_after_a_reload(specs: ProcessSpecs) -> None:
    engine, workflow = to_notice_period(specs)
    reloaded = engine.load(specs, "post_hiring", json.loads(json.dumps(engine.dump(workflow))))
    assert engine.fire_due_timers(reloaded, NOTICE_ENDS_AT - timedelta(seconds=1)) == []
    assert len(engine.fire_due_timers(reloaded, NOTICE_ENDS_AT)) == 1
    assert ready_specs(engine, reloaded) == ["sign_contract"]


def test_timer_due_time_is_read_in_any_offset(specs: ProcessSpecs) -> None:
    shanghai = NOTICE_ENDS_AT.astimezone(ZoneInfo("Asia/Shanghai"))
    operators = Operators(start_public_notice={"ends_at": shanghai.isoformat()})
    engine, workflow = start_hiring(specs, operators)
    [task] = engine.ready_user_tasks(workflow)
    engine.complete_user_task(workflow, task.task_id, VETTING_PASSED)
    [timer] = engine.pending_timers(workflow)
    assert timer.due_at == NOTICE_ENDS_AT
    assert engine.fire_due_timers(workflow, NOTICE_ENDS_AT - timedelta(seconds=1)) == []
    assert engine.fire_due_timers(workflow, NOTICE_ENDS_AT) == [timer]


# -- messages ---------------------------------------------------------------------------------------------

MESSAGE_BPMN = textwrap.dedent("""\
    <?xml version="1.0" encoding="UTF-8"?>
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
        id="message_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
      <bpmn:message id="message_approved" name="approved" />
      <bpmn:process id="waits" isExecutable="true">
        <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
        <bpmn:intermediateCatchEvent id="wait_approval" name="等待批准">
          <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
          <bpmn:messageEventDefinition id="approved_definition" messageRef="message_approved">
            <bpmn:extensionElements>
              <spiffworkflow:messageVariable>approval</spiffworkflow:messageVariable>
            </bpmn:extensionElements>
          </bpmn:messageEventDefinition>
        </bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_approval" />
        <bpmn:sequenceFlow id="f2" sourceRef="wait_approval" targetRef="end" />
      </bpmn:process>
    </bpmn:definitions>
""")


def test_message_to_an_instance_not_waiting_for_it_is_refused(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    before = state_text(engine, workflow)
    with pytest.raises(EngineError) as caught:
        engine.deliver_message(workflow, "approved", {"ok": True})
    assert not isinstance(caught.value, ModelError)
    assert "approved" in str(caught.value)
    assert state_text(engine, workflow) == before
    assert ready_specs(engine, workflow) == ["vet_candidate"]


def test_message_with_another_name_is_refused() -> None:
    specs = parse_bundle({"waits.bpmn": MESSAGE_BPMN})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "waits", {})
    with pytest.raises(EngineError):
        engine.deliver_message(workflow, "rejected", {})
    assert not engine.is_completed(workflow)


def test_message_is_delivered_to_a_waiting_instance() -> None:
    specs = parse_bundle({"waits.bpmn": MESSAGE_BPMN})
    engine = WorkflowEngine()
    workflow = engine.start(specs, "waits", {})
    assert not engine.is_completed(workflow)
    engine.deliver_message(workflow, "approved", {"by": "head"})
    assert engine.is_completed(workflow)
    assert engine.data(workflow)["approval"] == {"by": "head"}


# -- recorded steps ---------------------------------------------------------------------------------------


def test_decision_step_records_the_result(specs: ProcessSpecs) -> None:
    engine = WorkflowEngine(Operators())
    engine.start(specs, "applicant_screening", {**ELIGIBLE, "age": 35, "disqualifiers": ["detention"]})
    decisions = [step for step in engine.steps if step.kind == "decision"]
    assert len(decisions) == 1
    step = decisions[0]
    assert (step.spec_name, step.name) == ("screen_eligibility", "资格条件审查")
    assert step.detail["result"] == {
        "reason_code": ["age_over_30_not_relaxed", "detention"],
        "reason": [
            "年龄超过30周岁，且无应聘职位相关工作经验、特长、专业技能或部队服役经历",
            "曾被行政拘留、司法拘留或收容教育",
        ],
    }
    assert step.detail["decision"]
    # The decision runs before the service task that records it.
    assert [s.kind for s in engine.steps] == ["decision", "service"]


def test_decision_step_of_an_eligible_applicant_has_no_reasons(specs: ProcessSpecs) -> None:
    engine = WorkflowEngine(Operators())
    engine.start(specs, "applicant_screening", ELIGIBLE)
    [step] = [step for step in engine.steps if step.kind == "decision"]
    assert not step.detail["result"]["reason_code"]


def test_service_steps_record_operator_and_result(specs: ProcessSpecs) -> None:
    engine = WorkflowEngine(Operators(record_screening={"application_id": 9, "eligible": True}))
    engine.start(specs, "applicant_screening", ELIGIBLE)
    services = [step for step in engine.steps if step.kind == "service"]
    assert services == [
        EngineStep(
            "service",
            "record_screening_task",
            "记录审查结果",
            {"operator": "record_screening", "result": {"application_id": 9, "eligible": True}},
        ),
    ]


def test_gateway_steps_record_the_branch_taken(specs: ProcessSpecs) -> None:
    engine, workflow = start_hiring(specs)
    gateways = {step.spec_name: step for step in engine.steps if step.kind == "gateway"}
    assert gateways["candidate_found"].name == "还有候选人？"
    assert gateways["candidate_found"].detail == {"taken": ["考察政审"]}
    [task] = engine.ready_user_tasks(workflow)
    engine.steps.clear()
    engine.complete_user_task(workflow, task.task_id, VETTING_FAILED)
    vetting = [step for step in engine.steps if step.spec_name == "vetting_passed"]
    assert [step.detail for step in vetting] == [{"taken": ["淘汰候选人"]}]
    services = [step.detail["operator"] for step in engine.steps if step.kind == "service"]
    assert services == ["reject_candidate", "next_candidate"]


def test_gateway_step_for_no_candidate_left(specs: ProcessSpecs) -> None:
    engine = WorkflowEngine(Operators(next_candidate={"found": False}))
    workflow = engine.start(specs, "post_hiring", {})
    assert engine.is_completed(workflow)
    [step] = [step for step in engine.steps if step.spec_name == "candidate_found"]
    assert step.detail == {"taken": ["登记岗位空缺"]}
    assert [s.detail["operator"] for s in engine.steps if s.kind == "service"] == [
        "next_candidate",
        "report_vacancy",
    ]


# -- model errors -----------------------------------------------------------------------------------------


def test_service_task_without_an_operator_handler_is_a_model_error(specs: ProcessSpecs) -> None:
    with pytest.raises(ModelError):
        WorkflowEngine().start(specs, "applicant_screening", ELIGIBLE)


class OperatorFailed(Exception):
    """Stands in for the service's own operator error."""


def causes(error: BaseException) -> list[Any]:
    """The error and its causes, walked as the service's guard walks them (__cause__, then .exception)."""
    seen: list[Any] = []
    cause: Any = error
    while cause is not None and len(seen) < 20:
        seen.append(cause)
        cause = cause.__cause__ or getattr(cause, "exception", None)
    return seen


def test_operator_failure_reaches_the_caller(specs: ProcessSpecs) -> None:
    failure = OperatorFailed("村（社区）编码不存在")
    engine = WorkflowEngine(Operators(next_candidate=failure))
    with pytest.raises(Exception) as caught:  # noqa: B017 - the type is checked below, via the chain
        engine.start(specs, "post_hiring", {})
    # The service finds its own error in the chain and answers with its message.
    assert failure in causes(caught.value)


def test_operator_failure_is_a_model_error_that_keeps_the_cause(specs: ProcessSpecs) -> None:
    failure = OperatorFailed("村（社区）编码不存在")
    engine = WorkflowEngine(Operators(next_candidate=failure))
    with pytest.raises(ModelError) as caught:
        engine.start(specs, "post_hiring", {})
    assert failure in causes(caught.value)


def test_operator_result_that_breaks_a_condition_is_a_model_error(specs: ProcessSpecs) -> None:
    engine = WorkflowEngine(Operators(next_candidate={"application_id": 1}))
    with pytest.raises(ModelError) as caught:
        engine.start(specs, "post_hiring", {})
    assert "found" in str(caught.value)


def test_unknown_process_id(specs: ProcessSpecs) -> None:
    with pytest.raises(KeyError):
        WorkflowEngine().start(specs, "no_such_process", {})


def test_looping_instance_is_stopped_before_the_library_depth_limit(
    specs: ProcessSpecs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last resort for trees compaction cannot shorten; here compaction is off to reach it.
    monkeypatch.setattr(engine_module, "MAX_TREE_DEPTH", 40)
    monkeypatch.setattr(engine_module, "COMPACT_AT_DEPTH", 10_000)
    engine, workflow = start_hiring(specs)
    with pytest.raises(InstanceTooLargeError):
        for _ in range(40):
            [task] = engine.ready_user_tasks(workflow)
            engine.complete_user_task(workflow, task.task_id, VETTING_FAILED)


def test_start_data_reaches_the_first_tasks(specs: ProcessSpecs) -> None:
    operators = Operators()
    engine = WorkflowEngine(operators)
    workflow = engine.start(specs, "post_hiring", {"village_code": "371002001", "slot": 2})
    assert operators.calls[0].data["village_code"] == "371002001"
    assert operators.calls[0].task_spec == "next_candidate_task"
    [task] = engine.ready_user_tasks(workflow)
    assert task.data["slot"] == 2
    assert task.info.lane == "police_bureau"
    assert task.info.form == "vetting.json"
