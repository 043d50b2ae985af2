"""Where the service runs BPMN by the standard, not as bare SpiffWorkflow 3.2.0 does (workflows/semantics.py).

Each test drives the service's facade, saving and reloading the instance after every action as the
service does, and where the library differs it also shows the bare library's behaviour, so the side
the service takes is on record (a SpiffWorkflow upgrade that changes it fails here first).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

import workflows.engine as engine_module
from tests.workflows.differential.harness import parse_models, ready_tasks
from workflows.compaction import COMPACT_AT_DEPTH
from workflows.engine import WorkflowEngine
from workflows.scripting import RestrictedScriptEngine
from workflows.specs import DefinitionError, ProcessSpecs, parse_bundle

DEFINITIONS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="https://x.invalid">'
    '{messages}<process id="main" isExecutable="true">{body}</process></definitions>'
)


def loop_around(gateway: str) -> str:
    """Three passes of a loop around a split into user tasks A and B and their merge."""
    condition = "<conditionExpression>True</conditionExpression>" if gateway == "inclusiveGateway" else ""
    return DEFINITIONS.format(
        messages="",
        body=f"""
        <startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="init"/>
        <scriptTask id="init"><script>n = 0</script></scriptTask>
        <sequenceFlow id="f1" sourceRef="init" targetRef="merge"/>
        <exclusiveGateway id="merge"/><sequenceFlow id="f2" sourceRef="merge" targetRef="split"/>
        <{gateway} id="split"/>
        <sequenceFlow id="fa" sourceRef="split" targetRef="A">{condition}</sequenceFlow>
        <sequenceFlow id="fb" sourceRef="split" targetRef="B">{condition}</sequenceFlow>
        <userTask id="A"/><userTask id="B"/>
        <sequenceFlow id="fa2" sourceRef="A" targetRef="join"/>
        <sequenceFlow id="fb2" sourceRef="B" targetRef="join"/>
        <{gateway} id="join"/><sequenceFlow id="f3" sourceRef="join" targetRef="count"/>
        <scriptTask id="count"><script>n = n + 1</script></scriptTask>
        <sequenceFlow id="f4" sourceRef="count" targetRef="again"/>
        <exclusiveGateway id="again" default="out"/>
        <sequenceFlow id="back" sourceRef="again" targetRef="merge">
          <conditionExpression>n &lt; 3</conditionExpression></sequenceFlow>
        <sequenceFlow id="out" sourceRef="again" targetRef="end"/><endEvent id="end"/>
        """,
    )


class Service:
    """One instance on the service's facade, stored as JSON text between actions."""

    def __init__(self, specs: ProcessSpecs, data: dict[str, Any] | None = None) -> None:
        self.specs, self.engine = specs, WorkflowEngine()
        self.workflow = self._stored(self.engine.start(specs, "main", data or {}))

    def _stored(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        return self.engine.load(self.specs, "main", json.loads(json.dumps(self.engine.dump(workflow))))

    def ready(self) -> list[str]:
        return sorted(task.info.spec_name for task in self.engine.ready_user_tasks(self.workflow))

    def complete(self, name: str) -> None:
        ready = self.engine.ready_user_tasks(self.workflow)
        task = next(task for task in ready if task.info.spec_name == name)
        self.engine.complete_user_task(self.workflow, task.task_id, {})
        self.workflow = self._stored(self.workflow)

    def message(self, name: str) -> None:
        self.engine.deliver_message(self.workflow, name, {})
        self.workflow = self._stored(self.workflow)


def bare_library(text: str) -> BpmnWorkflow:
    """The same model on SpiffWorkflow as it comes, without the service's semantics."""
    parser = BpmnParser()
    parser.add_bpmn_str(text.encode())
    workflow = BpmnWorkflow(parser.get_spec("main"), script_engine=RestrictedScriptEngine())
    workflow.do_engine_steps()
    return workflow


def bare_complete(workflow: BpmnWorkflow, name: str) -> None:
    next(task for task in ready_tasks(workflow) if task.task_spec.name == name).run()
    workflow.do_engine_steps()


@pytest.mark.parametrize("compact_at", [COMPACT_AT_DEPTH, 10**9], ids=["compacted", "never compacted"])
@pytest.mark.parametrize("gateway", ["parallelGateway", "inclusiveGateway"])
def test_a_join_inside_a_loop_waits_for_every_branch_on_every_pass(
    gateway: str, compact_at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compaction happened to hide the library's error once the first pass was cut out of the tree; an
    # instance that is not compacted yet (a short loop, another branch still open) showed it.
    monkeypatch.setattr(engine_module, "COMPACT_AT_DEPTH", compact_at)
    text = loop_around(gateway)
    service = Service(parse_models({"loop.bpmn": text}))
    # Pass 1 in the order A, B; pass 2 in the order B, A: the join must wait for A again.
    service.complete("A")
    service.complete("B")
    assert service.ready() == ["A", "B"]
    service.complete("B")
    assert service.ready() == ["A"], "the join fired on the second pass before A arrived"
    service.complete("A")
    assert service.ready() == ["A", "B"]
    assert service.workflow.data == {} and not service.workflow.completed
    service.complete("A")
    service.complete("B")
    assert service.engine.is_completed(service.workflow)
    assert service.workflow.data["n"] == 3
    # Bare SpiffWorkflow counts the first pass's token of A and fires without it (the side not taken).
    bare = bare_library(text)
    for name in ("A", "B", "B"):
        bare_complete(bare, name)
    assert sorted(task.task_spec.name for task in ready_tasks(bare)) == ["A", "A", "B"]


MESSAGE_STARTED = DEFINITIONS.format(
    messages='<message id="go" name="go"/>',
    body="""
    <startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="A"/>
    <userTask id="A"/><sequenceFlow id="f1" sourceRef="A" targetRef="end"/><endEvent id="end"/>
    <subProcess id="on_go" triggeredByEvent="true">
      <startEvent id="go_start" isInterrupting="false"><messageEventDefinition messageRef="go"/></startEvent>
      <scriptTask id="note"><script>noted = True</script></scriptTask><endEvent id="go_end"/>
      <sequenceFlow id="g0" sourceRef="go_start" targetRef="note"/>
      <sequenceFlow id="g1" sourceRef="note" targetRef="go_end"/>
    </subProcess>
    """,
)


def test_a_triggered_event_subprocess_leaves_the_shared_spec_as_parsed() -> None:
    # The service parses a bundle once and shares it between instances.
    specs = parse_models({"go.bpmn": MESSAGE_STARTED})
    first = Service(specs)
    first.message("go")
    first.complete("A")
    assert first.engine.is_completed(first.workflow)
    second = Service(specs)
    assert second.ready() == ["A"]
    assert second.engine.pending_timers(second.workflow) == []
    second.complete("A")
    assert second.engine.is_completed(second.workflow), "the event subprocess started with the instance"
    # Bare SpiffWorkflow connected the event subprocess to the start on the first trigger.
    parser = BpmnParser()
    parser.add_bpmn_str(MESSAGE_STARTED.encode())
    spec = parser.get_spec("main")
    subprocess_specs = parser.get_subprocess_specs("main")
    outputs_before = [output.name for output in spec.start.outputs]
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=RestrictedScriptEngine())
    workflow.do_engine_steps()
    workflow.send_event(BpmnEvent(MessageEventDefinition("go"), {}))
    assert [output.name for output in spec.start.outputs] == [*outputs_before, "on_go"]


GATEWAY_LOOP_INPUT = DEFINITIONS.format(
    messages="",
    body="""
    <startEvent id="start"/><sequenceFlow id="f0" sourceRef="start" targetRef="set"/>
    <scriptTask id="set"><script>x = 0</script></scriptTask>
    <sequenceFlow id="f1" sourceRef="set" targetRef="parallel"/>
    <parallelGateway id="parallel"/><sequenceFlow id="f2" sourceRef="parallel" targetRef="increment"/>
    <scriptTask id="increment"><script>x = x + 1</script></scriptTask>
    <sequenceFlow id="f3" sourceRef="increment" targetRef="exclusive"/>
    <exclusiveGateway id="exclusive" default="out"/>
    <sequenceFlow id="out" sourceRef="exclusive" targetRef="end"/><endEvent id="end"/>
    <sequenceFlow id="again" sourceRef="exclusive" targetRef="parallel">
      <conditionExpression>x &lt; 2</conditionExpression></sequenceFlow>
    """,
)


def test_a_parallel_gateway_merging_its_own_loop_is_refused_at_deploy() -> None:
    with pytest.raises(DefinitionError) as refused:
        parse_bundle({"loop.bpmn": GATEWAY_LOOP_INPUT})
    problems = refused.value.english
    assert any("main/parallel: parallel gateway merges a flow" in problem for problem in problems)
    # By BPMN it waits for its second flow on the first pass, with or without the service's state handling
    # (tests/workflows/differential runs SpiffWorkflow's own such model both ways).
    service = Service(parse_models({"loop.bpmn": GATEWAY_LOOP_INPUT}))
    assert not service.engine.is_completed(service.workflow)
    tasks = service.workflow.tasks.values()
    waiting = [task.task_spec.name for task in tasks if task.state == TaskState.WAITING]
    assert waiting == ["parallel"]
