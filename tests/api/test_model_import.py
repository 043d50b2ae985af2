"""Issue 14, point 6: a Camunda Modeler file imports as a new draft (POST /api/v1/drafts/import) with its
candidate groups as lanes, its form keys as forms, its ISO timer quoted and the rest listed as problems on
their elements; once the designer fixes them in the draft it checks clean and deploys. Both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases import drafts
from tests.api.recruitment_steps import complete
from tests.conftest import User, token_of

FIXTURE = Path(__file__).parents[1] / "fixtures" / "camunda"
MODEL = "auxiliary_leave.bpmn"


def camunda_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURE.iterdir()) if p.is_file()}


def post(app: Flask, body: Any, username: str = "designer") -> Any:
    headers = {"Authorization": f"Bearer {token_of(username)}"}
    if isinstance(body, str):  # JSON written out, for what json.dumps cannot encode (a lone surrogate)
        return app.test_client().post(
            "/api/v1/drafts/import", data=body, content_type="application/json", headers=headers
        )
    return app.test_client().post("/api/v1/drafts/import", json=body, headers=headers)


def on(notes: list[dict[str, Any]], element: str) -> list[dict[str, Any]]:
    return [n for n in notes if n["element_id"] == element]


def test_a_camunda_model_imports_as_a_draft_and_deploys_once_fixed(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    result = designer.post("/api/v1/drafts/import", {"files": camunda_files()}, expect=201)
    draft = result["draft"]
    assert draft["process_id"] == "auxiliary_leave" and draft["name"] == "辅警请假审批"
    assert draft["owner"] == "designer" and draft["base_definition_id"] is None  # a new process
    assert "confirm_done.json" in draft["file_names"] and MODEL in draft["file_names"]
    mapped = result["mapped"]

    # Candidate groups named by Chinese name and by code became lanes named by the code.
    assert any("police_station:gushan" in n["en"] for n in on(mapped, "Task_station_review"))
    assert any("lane police_bureau" in n["en"] for n in on(mapped, "Task_bureau_approve"))
    assert any("泳道 police_bureau" in n["zh"] for n in on(mapped, "Task_escalate"))
    # Form keys naming forms of the upload, the decision, the ISO timer, the JUEL conditions, the manual task.
    assert any("formJsonSchemaFilename = station_review.json" in n["en"] for n in mapped)
    assert any("formJsonSchemaFilename = approval.json" in n["en"] for n in mapped)
    assert any("calledDecisionId" in n["en"] for n in on(mapped, "Task_leave_days"))
    assert any('"P7D"' in n["en"] for n in on(mapped, "Event_week"))
    assert any("not approved" in n["en"] for n in on(mapped, "Flow_7no"))
    assert any("user task" in n["en"] for n in on(mapped, "Task_hand_over"))

    text = designer.get(f"/api/v1/drafts/{draft['id']}/files/{MODEL}")["text"]
    assert "camunda:" not in text and "camunda.org/schema/1.0/bpmn" not in text
    assert 'name="police_bureau"' in text and "&quot;P7D&quot;" not in text
    assert '"P7D"</bpmn:timeDuration>' in text
    assert 'bpmnElement="Lane_police_bureau"' in text  # the lanes are drawn

    # What is left, on its element with its fix: the assignee taken out, no start rule, no form.
    problems = result["problems"]
    (assignee,) = [p for p in on(problems, "Task_escalate") if "assignee" in p["en"]]
    assert "department" in assignee["en"] and "部门" in assignee["zh"] and assignee["file"] == MODEL
    start = on(problems, "StartEvent_1")
    assert start and "startedBy" in start[0]["en"] and "departments:police_station:gushan" in start[0]["zh"]
    assert start[0]["element_name"] == "提交请假申请"
    no_form = [p for p in on(problems, "Task_escalate") if p["source"] == "check"]
    assert no_form and "formJsonSchemaFilename" in no_form[0]["en"] and no_form[0]["file"] == MODEL

    # The designer fixes them in the draft (as the modeler saves a file) and the check is clean.
    fixed = text.replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="leave_request.json"/>',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="leave_request.json"/>'
        '<spiffworkflow:property name="startedBy" value="departments:police_station:gushan"/>',
    )
    escalate = '<bpmn:userTask id="Task_escalate" name="督办请假审批">'
    assert fixed != text and escalate in fixed
    fixed = fixed.replace(
        escalate,
        escalate + "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property"
        ' name="formJsonSchemaFilename" value="confirm_done.json"/></spiffworkflow:properties>'
        "</bpmn:extensionElements>",
    )
    drafts.save_file(ctx, "designer", draft["id"], MODEL, fixed)
    assert [p for p in drafts.check_draft(ctx, "designer", draft["id"]) if getattr(p, "blocks", True)] == []

    # Published from the workbench: version 1 of a process new here, with no base version.
    published = designer.post(f"/api/v1/drafts/{draft['id']}/publish", {}, expect=201)
    assert published["process_id"] == "auxiliary_leave" and published["version"] == 1
    assert published["base_definition_id"] is None

    # It runs: the station reviews, the decision table sends 5 days to the bureau (the JUEL condition as
    # Python), the bureau approves, the hand-over (the manual task) is confirmed with its note-only form.
    station, bureau = users["gushan_station"], users["bureau"]
    body = {"process_id": "auxiliary_leave", "data": {"days": 5, "leave_reason": "探亲"}}
    instance = station.post("/api/v1/instances", body, expect=201)
    complete(station, "police_station:gushan", "Task_station_review", {"station_agrees": True})
    complete(bureau, "police_bureau", "Task_bureau_approve", {"approved": True})
    complete(station, "police_station:gushan", "Task_hand_over", {"done_note": "已交接"})
    finished = station.get(f"/api/v1/instances/{instance['id']}")
    assert finished["status"] == "completed", finished
    assert finished["data"]["level"] == "bureau"

    # Importing it again bases the new draft on the version now published.
    again = designer.post("/api/v1/drafts/import", {"files": camunda_files()}, expect=201)
    assert again["draft"]["base_definition_id"] == published["id"]
    with ctx.database.reading() as session:
        events = list(
            session.scalars(select(AuditEventModel).where(AuditEventModel.action == "draft_created"))
        )
    assert len(events) == 2 and all(e.actor == "designer" for e in events)


def test_unreadable_files_are_refused_naming_file_and_line(app: Flask, users: dict[str, User]) -> None:
    files = camunda_files()
    lines = files[MODEL].splitlines()
    lines[5] = lines[5].replace("</bpmn:startEvent>", "</bpmn:startEvnt>")
    files[MODEL] = "\n".join(lines)
    response = post(app, {"files": files})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["errors"]["problems"][0].startswith(f"{MODEL}:6：不是格式正确的 XML")
    assert f"{MODEL}:6: not well-formed XML" in body["errors"]["problems"][0]
    assert f"{MODEL}:6" in body["message"]

    for bad in (
        {"files": {"x.bpmn": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'}},
        {"files": {"form.json": "{oops", MODEL: camunda_files()[MODEL]}},
        {"files": {"run.sh": "rm -rf /"}},
        {"files": {"only.dmn": camunda_files()["leave_days.dmn"]}},
        {"files": {}},
        '{"files": {"a.bpmn": "<x>\\ud800</x>"}}',
        {"nothing": 1},
    ):
        response = post(app, bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert response.get_json()["message"]
    assert post(app, {"files": camunda_files()}, username="auditor").status_code == 403
    assert users["designer"].get("/api/v1/drafts") == []  # nothing refused left a draft


def test_file_names_are_made_safe_and_plain_xml_is_bpmn(users: dict[str, User]) -> None:
    files = camunda_files()
    files["请假审批.xml"] = files.pop(MODEL)
    files["forms/审批 表.json"] = files.pop("approval.json")
    result = users["designer"].post("/api/v1/drafts/import", {"files": files}, expect=201)
    assert result["renamed"] == {"请假审批.xml": "model.bpmn", "forms/审批 表.json": "model.json"}
    assert {"model.bpmn", "model.json"} <= set(result["draft"]["file_names"])
    # The form key named the file by its old name: reported, with the file to add.
    (form,) = [p for p in on(result["problems"], "Task_bureau_approve") if "approval" in p["en"]]
    assert "add the JSON Schema form approval.json" in form["en"]
    assert all(n["file"] in (*result["draft"]["file_names"], None) for n in result["problems"])


def test_a_camunda_form_file_is_converted(users: dict[str, User]) -> None:
    files = camunda_files()
    files["approval.form"] = json.dumps(
        {
            "type": "default",
            "components": [
                {"key": "approved", "label": "批准", "type": "checkbox", "validate": {"required": True}},
                {"key": "approval_note", "label": "审批意见", "type": "textarea"},
            ],
        }
    )
    del files["approval.json"]
    result = users["designer"].post("/api/v1/drafts/import", {"files": files}, expect=201)
    assert "approval.json" in result["draft"]["file_names"]
    assert "approval.form" not in result["draft"]["file_names"]
    assert any(n["file"] == "approval.json" and "Camunda form" in n["en"] for n in result["mapped"])
    assert not [p for p in on(result["problems"], "Task_bureau_approve") if p["source"] == "check"]
