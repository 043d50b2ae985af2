"""A model that stalls on its first action, for the incident pages: an exclusive split whose default goes
left and whose other flow is never taken (condition False), both into a parallel join that waits for
ever for the right branch. The service keeps the instance and records a ``stalled`` incident at ``join``."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import User

PROCESS_ID = "duty_rota_demo"
PROCESS_NAME = "值班轮换演示流程"
JOIN = "合并（join）"

BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{PROCESS_ID}_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{PROCESS_ID}" name="{PROCESS_NAME}" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="startedBy" value="departments:police_bureau" />
          <spiffworkflow:property name="formJsonSchemaFilename" value="duty_rota_start.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:exclusiveGateway id="which" name="二选一" default="to_left" />
    <bpmn:scriptTask id="left" name="左路"><bpmn:script>side = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="right" name="右路"><bpmn:script>side = 2</bpmn:script></bpmn:scriptTask>
    <bpmn:parallelGateway id="join" name="合并" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="to_which" sourceRef="start" targetRef="which" />
    <bpmn:sequenceFlow id="to_left" sourceRef="which" targetRef="left" />
    <bpmn:sequenceFlow id="to_right" sourceRef="which" targetRef="right">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">False</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="left_done" sourceRef="left" targetRef="join" />
    <bpmn:sequenceFlow id="right_done" sourceRef="right" targetRef="join" />
    <bpmn:sequenceFlow id="to_end" sourceRef="join" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
START_FORM = {
    "type": "object",
    "title": "启动值班轮换",
    "x-title-en": "Start the duty rota",
    "properties": {},
}


def deploy_and_stall(users: dict[str, User]) -> int:
    """Deploy the model as the designer and start it as the bureau; the started (stalled) instance's id."""
    files = {"duty_rota.bpmn": BPMN, "duty_rota_start.json": json.dumps(START_FORM)}
    users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    started: dict[str, Any] = users["bureau"].post(
        "/api/v1/instances", {"process_id": PROCESS_ID, "data": {}}, expect=201
    )
    return int(started["id"])


# A start whose script fails: the start is refused whole, and the incident has no instance.
FAILING_START_ID = "failing_start_demo"
FAILING_START_BPMN = (
    BPMN.replace(PROCESS_ID, FAILING_START_ID)
    .replace(PROCESS_NAME, "启动即出错演示流程")
    .replace("<bpmn:script>side = 1</bpmn:script>", "<bpmn:script>side = 1 / 0</bpmn:script>")
)


def deploy_and_fail_start(users: dict[str, User]) -> None:
    files = {"failing_start.bpmn": FAILING_START_BPMN, "duty_rota_start.json": json.dumps(START_FORM)}
    users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    users["bureau"].post("/api/v1/instances", {"process_id": FAILING_START_ID, "data": {}}, expect=422)
