"""Forms are self-contained, through the API (issue 10, item 1).

A form whose ``$ref`` named a local file answered a submission with the file's content in its 422
(``'TOP-SECRET' was expected``); one naming a URL made the service fetch it inside the write transaction;
a pattern like ``^(a+)+$`` held the worker until gunicorn killed it. Now deploy refuses such refs, a form
stored before that refuses submissions with 409 without resolving anything, and patterns run on RE2.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel
from tests.api.recruitment_steps import the_task
from tests.conftest import User, token_of
from workflows.specs import bundle_sha256

SECRET = {"const": "TOP-SECRET"}

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="form_probe_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="form_probe" name="表单探针" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="bureau_lane" name="police_bureau">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fill_in</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="startedBy" value="departments:police_bureau" />
          <spiffworkflow:property name="formJsonSchemaFilename" value="probe_start.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="fill_in" name="填写">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="note.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill_in" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill_in" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

START_FORM = {
    "type": "object",
    "title": "启动",
    "x-title-en": "Start",
    "properties": {"remark": {"type": "string", "title": "备注", "x-title-en": "Remark"}},
}


def bundle(note: dict[str, Any], **other_forms: dict[str, Any]) -> dict[str, str]:
    """The probe process, its start form and ``note.json`` (the task's form), plus ``other_forms``."""
    forms = {"probe_start.json": START_FORM, "note.json": note, **other_forms}
    return {"form_probe.bpmn": PROCESS, **{name: json.dumps(form) for name, form in forms.items()}}


def note_form(note: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "title": "填写", "x-title-en": "Fill in", "properties": {"note": note}}


@dataclass
class Bait:
    """A local HTTP server serving the secret; it records every request it gets."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def bait() -> Iterator[Bait]:
    recorded: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            recorded.append(self.path)
            body = json.dumps(SECRET).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Bait(f"http://127.0.0.1:{server.server_port}", recorded)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.json"
    path.write_text(json.dumps(SECRET), encoding="utf-8")
    return path


def probe_definitions(ctx: ServiceContext) -> list[int]:
    with ctx.database.reading() as session:
        query = select(DefinitionModel.id).where(DefinitionModel.process_id == "form_probe")
        return list(session.scalars(query))


def start_probe(users: dict[str, User]) -> dict[str, Any]:
    users["bureau"].post("/api/v1/instances", {"process_id": "form_probe", "data": {}}, expect=201)
    return the_task(users["bureau"], "police_bureau", "fill_in")


def test_a_form_reading_a_file_or_fetching_a_url_is_refused_at_deploy(
    users: dict[str, User], ctx: ServiceContext, bait: Bait, secret_file: Path
) -> None:
    designer = users["designer"]
    for ref in (secret_file.as_uri(), f"{bait.url}/secret.json"):
        body = designer.post("/api/v1/definitions", {"files": bundle(note_form({"$ref": ref}))}, expect=422)
        assert body["code"] == 422 and body["message"] == "流程定义校验未通过"
        problems = body["errors"]["problems"]
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"note.json: $ref {ref!r} 指向流程定义包之外")
        assert f" / $ref {ref!r} points outside the bundle" in problems[0]
        assert "TOP-SECRET" not in json.dumps(body, ensure_ascii=False)
    assert probe_definitions(ctx) == []
    assert bait.requests == []
    # The bait does record what reaches it, so the empty list above means something.
    with urllib.request.urlopen(f"{bait.url}/control", timeout=5) as answer:  # noqa: S310 (a local URL)
        assert json.load(answer) == SECRET
    assert bait.requests == ["/control"]


def test_a_stored_form_with_a_bad_ref_refuses_submissions_with_409_and_resolves_nothing(
    users: dict[str, User], ctx: ServiceContext, bait: Bait, secret_file: Path
) -> None:
    """A bundle deployed before forms had to be self-contained: stored as such a deploy stored it."""
    note = {
        "type": "object",
        "properties": {"note": {"$ref": secret_file.as_uri()}, "link": {"$ref": f"{bait.url}/secret.json"}},
    }
    files = bundle(note)
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        session.add(BundleModel(sha256=bundle_sha256(files), files=files, created_at=now))
        session.flush()
        session.add(
            DefinitionModel(
                process_id="form_probe",
                version=1,
                name="表单探针",
                bundle_sha256=bundle_sha256(files),
                deployed_by="designer",
                deployed_at=now,
            )
        )
    task = start_probe(users)

    body = users["bureau"].post(
        f"/api/v1/tasks/{task['id']}/complete", {"data": {"note": "a", "link": "b"}}, expect=409
    )
    assert body["code"] == 409
    assert body["message"].startswith("表单 note.json 引用了流程包以外的内容")
    assert body["message_en"].startswith("Form note.json refers to something outside its bundle")
    assert secret_file.as_uri() in body["errors"]["problems"][0]
    assert "TOP-SECRET" not in json.dumps(body, ensure_ascii=False)
    assert bait.requests == []
    assert the_task(users["bureau"], "police_bureau", "fill_in")["state"] == task["state"]


def test_a_catastrophic_pattern_answers_422_at_once_and_same_bundle_refs_work(users: dict[str, User]) -> None:
    note = {
        "type": "object",
        "title": "填写",
        "x-title-en": "Fill in",
        "properties": {
            "note": {"type": "string", "pattern": "^(a+)+$", "title": "备注", "x-title-en": "Note"},
            "town": {"$ref": "common.json#/$defs/town"},
        },
        "required": ["note", "town"],
    }
    common = {"type": "object", "$defs": {"town": {"enum": ["gushan", "boyu"], "title": "镇"}}}
    files = bundle(note, **{"common.json": common})
    users["designer"].post("/api/v1/definitions", {"files": files}, expect=201)
    task = start_probe(users)
    url = f"/api/v1/tasks/{task['id']}/complete"

    attack = "a" * 30 + "!"  # Python's backtracking engine needs about 2**30 steps to refuse it
    started = time.perf_counter()
    body = users["bureau"].post(url, {"data": {"note": attack, "town": "paris"}}, expect=422)
    assert time.perf_counter() - started < 5
    assert body["errors"]["note"] == ["“备注”格式不正确", "Note is not in the expected format."]
    assert body["errors"]["town"][0] == "“镇”的取值不在允许范围内"  # the title of the field it refers to
    # Valid JSON (a lone surrogate, sent as written), but not text RE2 can read: a refusal, not a 500.
    answer = users["bureau"].client.post(
        url,
        data='{"data": {"note": "\\ud800", "town": "gushan"}}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of('bureau')}"},
    )
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["note"]

    users["bureau"].post(url, {"data": {"note": "aaaa", "town": "gushan"}})
