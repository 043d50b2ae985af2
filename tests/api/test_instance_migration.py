"""Migrating running instances to another version of their process (issue 14, point 5), through the API.

Version 1 has user tasks A then B; version 2 puts a user task C between them. An instance waiting at A can
move (A's outgoing flow changes, but A has not run); one waiting at B cannot (A, completed, changed).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, InstanceModel
from service.usecases.migration import moves as instance_migration
from service.usecases.migration.moves import MigrationRequest
from tests.api.recruitment_steps import open_tasks
from tests.conftest import User

PROCESS_ID = "migration_probe"
FORM = {"type": "object", "title": "填写", "x-title-en": "Fill in", "properties": {}}


def user_task(element: str, name: str) -> str:
    return f"""<bpmn:userTask id="{element}" name="{name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="note.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>"""


def model(tasks: list[tuple[str, str]]) -> dict[str, str]:
    """start -> each of ``tasks`` in turn -> end, all in the bureau's lane."""
    chain = ["start", *(element for element, _ in tasks), "end"]
    flows = "\n".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}" />'
        for a, b in itertools.pairwise(chain)
    )
    refs = "".join(f"<bpmn:flowNodeRef>{element}</bpmn:flowNodeRef>" for element in chain)
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{PROCESS_ID}_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{PROCESS_ID}" name="迁移探针" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="bureau_lane" name="police_bureau">{refs}</bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startedBy" value="departments:police_bureau" />
        <spiffworkflow:property name="formJsonSchemaFilename" value="probe_start.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    {"".join(user_task(element, name) for element, name in tasks)}
    <bpmn:endEvent id="end" />
    {flows}
  </bpmn:process>
</bpmn:definitions>
"""
    start_form = {"type": "object", "title": "启动", "x-title-en": "Start", "properties": {}}
    return {
        "migration_probe.bpmn": bpmn,
        "probe_start.json": json.dumps(start_form),
        "note.json": json.dumps(FORM),
    }


V1 = [("task_a", "甲"), ("task_b", "乙")]
V2 = [("task_a", "甲"), ("task_c", "丙"), ("task_b", "乙")]


def deploy(designer: User, tasks: list[tuple[str, str]]) -> int:
    [definition] = designer.post("/api/v1/definitions", {"files": model(tasks)}, expect=201)
    return int(definition["id"])


def start(bureau: User, key: str) -> int:
    body = {"process_id": PROCESS_ID, "business_key": key, "data": {}}
    return int(bureau.post("/api/v1/instances", body, expect=201)["id"])


def waiting(bureau: User, instance_id: int) -> list[str]:
    return sorted(
        t["spec_name"] for t in open_tasks(bureau, "police_bureau") if t["instance_id"] == instance_id
    )


def complete(bureau: User, instance_id: int, element: str) -> None:
    [task] = [
        t
        for t in open_tasks(bureau, "police_bureau", element)
        if t["instance_id"] == instance_id and t["state"] == "open"
    ]
    bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}})


def request(source: int, target: int, **choice: Any) -> dict[str, Any]:
    return {"process_id": PROCESS_ID, "from_definition": source, "to_definition": target, **choice}


def definition_of(ctx: ServiceContext, instance_id: int) -> int:
    with ctx.database.reading() as session:
        instance = session.get(InstanceModel, instance_id)
        assert instance is not None
        return instance.definition_id


def test_migrate_dry_run_then_move_and_back(users: dict[str, User], ctx: ServiceContext) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    early = start(bureau, "early")  # waits at A
    late = start(bureau, "late")
    complete(bureau, late, "task_a")  # waits at B: A has run
    assert waiting(bureau, early) == ["task_a"] and waiting(bureau, late) == ["task_b"]
    v2 = deploy(designer, V2)

    report = {row["instance_id"]: row for row in designer.post("/api/v1/migrations/dry-run", request(v1, v2))}
    assert set(report) == {early, late}
    assert report[early]["can_move"] and report[early]["reasons"] == []
    assert report[early]["business_key"] == "early"
    assert "task_a" in report[early]["changed"] and report[early]["added"] == ["task_c"]
    assert not report[late]["can_move"]
    [reason] = report[late]["reasons"]
    assert "task_a" in reason["zh"] and "已完成" in reason["zh"]
    assert "task_a" in reason["en"] and "completed" in reason["en"]
    # The dry run changed nothing.
    assert definition_of(ctx, early) == v1 and not report[early]["migrated"]

    # Only instances waiting at B: just the late one.
    at_b = designer.post("/api/v1/migrations/dry-run", request(v1, v2, waiting_at="task_b"))
    assert [row["instance_id"] for row in at_b] == [late]

    moved = {row["instance_id"]: row for row in designer.post("/api/v1/migrations", request(v1, v2))}
    assert moved[early]["migrated"] and not moved[late]["migrated"]
    assert not moved[early]["failed"] and not moved[late]["failed"]  # refused, not failed
    assert moved[late]["reasons"] == report[late]["reasons"]
    assert definition_of(ctx, early) == v2 and definition_of(ctx, late) == v1
    assert waiting(bureau, early) == ["task_a"]

    # Moving back: the same call with the versions swapped.
    back = designer.post("/api/v1/migrations", request(v2, v1, instances=[early]))
    assert [(row["instance_id"], row["migrated"]) for row in back] == [(early, True)]
    assert definition_of(ctx, early) == v1
    forth = designer.post("/api/v1/migrations", request(v1, v2, business_keys=["early"]))
    assert [(row["instance_id"], row["migrated"]) for row in forth] == [(early, True)]

    # On version 2, completing A reaches the new task C in the bureau's queue, then B.
    complete(bureau, early, "task_a")
    assert waiting(bureau, early) == ["task_c"]
    complete(bureau, early, "task_c")
    assert waiting(bureau, early) == ["task_b"]
    complete(bureau, early, "task_b")
    assert bureau.get(f"/api/v1/instances/{early}")["status"] == "completed"
    # The late instance carries on on version 1: B ends it.
    complete(bureau, late, "task_b")
    assert bureau.get(f"/api/v1/instances/{late}")["status"] == "completed"

    with ctx.database.reading() as session:
        events = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.action == "instance_migrated")
            .order_by(AuditEventModel.id)
        ).all()
    assert [(e.instance_id, e.payload["from_definition"], e.payload["to_definition"]) for e in events] == [
        (early, v1, v2),
        (early, v2, v1),
        (early, v1, v2),
    ]
    assert events[0].actor == "designer" and events[0].payload["diff"]["added"] == ["task_c"]
    assert events[0].payload["names"]["task_c"] == ["丙", "丙"]  # the history reads by name
    assert events[0].payload["from_version"] + 1 == events[0].payload["to_version"]


def test_migration_refusals(users: dict[str, User]) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    instance = start(bureau, "one")
    v2 = deploy(designer, V2)
    same = designer.post("/api/v1/migrations/dry-run", request(v1, v1), expect=422)
    assert same["code"] == 422 and same["message"] == "源版本与目标版本相同，无需迁移"
    assert same["message_en"] == "The source and target versions are the same; there is nothing to migrate"
    unknown = designer.post("/api/v1/migrations", request(v1, 999_999), expect=404)
    assert "999999" in unknown["message"] and unknown["message_en"].startswith("Process migration_probe")
    other = designer.post("/api/v1/migrations/dry-run", {**request(v1, v2), "process_id": "nope"}, expect=404)
    assert other["message"]
    # An instance not on the source version is reported, not moved.
    [row] = designer.post("/api/v1/migrations", request(v2, v1, instances=[instance]))
    assert not row["can_move"] and not row["migrated"] and row["reasons"][0]["en"]
    bureau.post("/api/v1/migrations/dry-run", request(v1, v2), expect=403)


def test_a_waiting_task_renamed_is_renamed_in_its_queue(users: dict[str, User]) -> None:
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    instance = start(bureau, "renamed")
    v2 = deploy(designer, [("task_a", "甲（新）"), ("task_b", "乙")])
    [row] = designer.post("/api/v1/migrations", request(v1, v2))
    assert row["migrated"] and row["changed"] == ["task_a"]
    [task] = [t for t in open_tasks(bureau, "police_bureau", "task_a") if t["instance_id"] == instance]
    assert task["name_zh"] == "甲（新）"


def test_in_batches_past_one_batch_each_instance_on_its_own(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    """The web page's batches (``in_batches``): several batches in one call, every instance reported, those
    not on the source version refused with the reason; a dry run first changes nothing."""
    designer, bureau = users["designer"], users["bureau"]
    v1 = deploy(designer, V1)
    ids = [start(bureau, f"batch-{n}") for n in range(5)]
    v2 = deploy(designer, V2)
    designer.post("/api/v1/migrations", request(v1, v2, instances=[ids[4]]))  # already on version 2
    plan = MigrationRequest(PROCESS_ID, v1, v2)
    dry = instance_migration.in_batches(ctx, "designer", plan, ids, move=False, batch_size=2)
    assert [(row["instance_id"], row["can_move"]) for row in dry] == [(i, i != ids[4]) for i in ids]
    assert all(definition_of(ctx, i) == v1 for i in ids[:4])
    moved = instance_migration.in_batches(ctx, "designer", plan, ids, move=True, batch_size=2)
    assert [(row["instance_id"], row["migrated"], row["failed"]) for row in moved] == [
        (i, i != ids[4], False) for i in ids
    ]
    assert moved[4]["reasons"] == [
        {"zh": "该实例不在源版本上", "en": "the instance is not on the source version"}
    ]
    assert all(definition_of(ctx, i) == v2 for i in ids)
    with ctx.database.reading() as session:
        events = session.scalars(
            select(AuditEventModel.instance_id).where(AuditEventModel.action == "instance_migrated")
        ).all()
    assert sorted(events) == sorted([*ids[:4], ids[4]])  # one event per move, each in its own transaction
