"""Small BPMN models for tests, built from a few parts: a process the bureau may start, between ``start``
and ``end``, with its start form; scripts; the bundle to deploy. Also the calls tests make with them."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from tests.conftest import User

START_FORM = {"type": "object", "title": "启动", "x-title-en": "Start", "properties": {}}


def process(
    process_id: str, elements: str, flows: list[tuple[str, str, str | None]], name: str | None = None
) -> str:
    """A process of ``elements`` between ``start`` and ``end``, startable by the bureau."""
    flow_xml = "\n".join(
        f'<bpmn:sequenceFlow id="flow_{n}" sourceRef="{a}" targetRef="{b}">'
        + (
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{c}</bpmn:conditionExpression>'
            if c
            else ""
        )
        + "</bpmn:sequenceFlow>"
        for n, (a, b, c) in enumerate(flows)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{process_id}_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="{name or f"测试流程 {process_id}"}" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="startedBy" value="departments:police_bureau" />
          <spiffworkflow:property name="formJsonSchemaFilename" value="test_start.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:startEvent>
    {elements}
    <bpmn:endEvent id="end" />
    {flow_xml}
  </bpmn:process>
</bpmn:definitions>
"""


def script(task_id: str, name: str, code: str, loop: str = "") -> str:
    body = f"{loop}<bpmn:script>{code}</bpmn:script>"
    return f'<bpmn:scriptTask id="{task_id}" name="{name}">{body}</bpmn:scriptTask>'


def deadlock(process_id: str, name: str | None = None, left_script: str = "side = 1") -> str:
    """An exclusive split into a parallel join: the join waits for ever for the branch never taken, so
    the instance stalls on its first action (the service keeps it and opens a ``stalled`` incident)."""
    return process(
        process_id,
        '<bpmn:exclusiveGateway id="which" name="二选一" default="flow_1" />'
        + script("left", "左路", left_script)
        + script("right", "右路", "side = 2")
        + '<bpmn:parallelGateway id="join" name="合并" />',
        [
            ("start", "which", None),
            ("which", "left", None),
            ("which", "right", "False"),
            ("left", "join", None),
            ("right", "join", None),
            ("join", "end", None),
        ],
        name,
    )


def bundle(*models: str) -> dict[str, str]:
    files = {f"model_{n}.bpmn": text for n, text in enumerate(models)}
    return {**files, "test_start.json": json.dumps(START_FORM)}


def users_of(app: Flask) -> dict[str, User]:
    client = app.test_client()
    return {name: User(client, name) for name in ("bureau", "designer", "admin", "party")}


def counts(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.database.reading() as session:
        instances = session.scalar(select(func.count()).select_from(InstanceModel)) or 0
        events = session.scalar(select(func.count()).select_from(AuditEventModel)) or 0
    return instances, events


def start(user: User, process_id: str, expect: int) -> Any:
    return user.post("/api/v1/instances", {"process_id": process_id, "data": {}}, expect=expect)
