"""The instance page: the BPMN diagram with element states, tasks, data and history; the bpmn-js assets."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.persistence.models import InstanceModel
from service.usecases.diagrams import instance_diagram
from service.usecases.directory import Caller
from service.usecases.runner import InstanceRunner
from tests.api.recruitment_steps import approve_plan, complete, publish, start_recruitment
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.diagram import completed_from_events, element_states, process_file
from workflows.engine import WorkflowEngine
from workflows.ports import ManualClock
from workflows.specs import attach_forms, parse_bundle, read_bundle

ROOT = Path(__file__).resolve().parents[2]
AUDITOR = Caller("auditor", "审计", frozenset(), roles=frozenset({"auditor"}))


def diagram_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="diagram-data">(.*?)</script>', page, re.S)
    assert found is not None, page
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def draft(users: dict[str, User]) -> None:
    complete(
        users["bureau"],
        "police_bureau",
        "draft_plan",
        {"plan_title": "2026年招聘计划", "monthly_salary": 4200},
    )


# -- workflows.diagram, framework-free ---------------------------------------------------------------------


def test_element_states_of_a_fresh_appraisal() -> None:
    specs = parse_bundle(attach_forms(read_bundle(ROOT / "bpmn" / "appraisal"), ROOT / "forms"))
    due = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    workflow = WorkflowEngine(operator_handler=lambda call: {}).start(
        specs,
        "appraisal",
        {"officer_id": 1, "town": "gushan", "due_at": due, "month": "2026-11", "subject": ""},
    )
    states = element_states(workflow)
    assert states["appraisal_start"] == states["scoring_split"] == "completed"
    assert states["station_score"] == states["town_score"] == "active"
    assert states["station_overdue"] == states["town_overdue"] == "waiting"  # boundary timers
    assert "confirm_grade" not in states and "Start" not in states and None not in states
    # Elements known from the audit log count as completed; the live pass of an element wins.
    merged = element_states(workflow, {"station_score", "compute_totals", "not_an_element"})
    assert merged["station_score"] == "active" and merged["compute_totals"] == "completed"
    assert "not_an_element" not in merged


def test_completed_elements_from_audit_events_and_process_file() -> None:
    events: list[tuple[str, dict[str, Any] | None]] = [
        ("task_ready", {"element": "draft_plan"}),
        ("task_completed", {"element": "draft_plan"}),
        ("service_executed", {"element": "compute_posts_task"}),
        ("compaction_executed", {"element": "", "detail": {}}),
        ("task_cancelled", {"element": "review_plan"}),
        ("instance_started", None),
    ]
    assert completed_from_events(events) == {"draft_plan", "compute_posts_task"}
    files = {
        "a.bpmn": '<bpmn:process id="other">',
        "b.bpmn": '<process isExecutable="true" id="recruitment">',
    }
    assert process_file(files, "recruitment") == files["b.bpmn"]
    assert process_file(files, "recruit") is None


# -- the use case and the page ------------------------------------------------------------------------------


def test_page_shows_diagram_states_tasks_data_and_history(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    draft(users)
    client = web_login(app, "bureau")
    response = client.get(f"/instances/{instance['id']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    diagram = diagram_of(page)
    assert '<bpmn:process id="recruitment"' in diagram["bpmn_xml"]
    assert diagram["states"]["draft_plan"] == "completed"
    assert diagram["states"]["compute_posts_task"] == "completed"
    assert diagram["states"]["review_plan"] == "active"
    assert "confirm_funding" not in diagram["states"]
    assert diagram["names"]["review_plan"] == "审核用人计划及薪酬"
    assert "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page
    assert "el-completed" in page and "el-active" in page and "el-waiting" in page  # legend
    # Tasks, data and history need no JavaScript.
    text = html.unescape(page)
    assert 'id="instance-tasks"' in page and "起草用人计划" in text
    assert "2026年招聘计划" in text.split('id="instance-data"')[1]
    history = text.split('id="instance-history"')[1]
    # By action label and display name (the codes are for auditors: test_instance_people_page.py).
    assert "办结任务" in history and "公安分局 王警官" in history and "task_completed" not in history


def test_a_returned_plan_is_active_again_and_the_timer_waits(
    app: Flask, users: dict[str, User], clock: ManualClock
) -> None:
    instance = start_recruitment(users["bureau"])
    draft(users)
    complete(users["party"], "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬偏低"})
    states = instance_diagram(app.extensions["auxpolice"], AUDITOR, instance["id"])["states"]
    assert states["draft_plan"] == "active" and states["review_plan"] == "completed"
    assert states["review_decision"] == "completed"
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    states = instance_diagram(app.extensions["auxpolice"], AUDITOR, instance["id"])["states"]
    assert states["registration_closed"] == "waiting"
    assert states["publish_announcement"] == states["open_registration_task"] == "completed"
    assert not [element for element, state in states.items() if state == "active"]


def test_compacted_history_still_shows_completed_elements(
    ctx: ServiceContext, users: dict[str, User], clock: ManualClock
) -> None:
    instance = start_recruitment(users["bureau"])
    approve_plan(users)
    publish(users["bureau"], clock.now().date())
    with ctx.database.reading() as session:
        row = session.get(InstanceModel, instance["id"])
        assert row is not None
        _engine, workflow = InstanceRunner(ctx, session, "system").load(row)
        live = {task.task_spec.bpmn_id for task in workflow.tasks.values()}
    assert "draft_plan" not in live  # the service compacted it out of the live tree ...
    states = instance_diagram(ctx, AUDITOR, instance["id"])["states"]
    for element in (
        "compute_posts_task",
        "draft_plan",
        "review_plan",
        "confirm_funding",
        "approve_plan_task",
    ):
        assert states[element] == "completed", element  # ... but the audit log remembers it
    assert states["registration_closed"] == "waiting"


def test_only_involved_departments_and_auditors_see_the_page(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    assert web_login(app, "gushan_station").get(f"/instances/{instance['id']}").status_code == 403
    assert web_login(app, "auditor").get(f"/instances/{instance['id']}").status_code == 200
    assert web_login(app, "auditor").get("/instances/999999").status_code == 404
    assert app.test_client().get(f"/instances/{instance['id']}").status_code == 302  # to the login page


# -- the bpmn-js assets, served from web/node_modules --------------------------------------------------------


def fetch(client: FlaskClient, url: str) -> tuple[int, bytes]:
    """Status and body of a GET, closing the response (files are streamed from disk)."""
    with client.get(url) as response:
        return response.status_code, response.get_data()


def test_viewer_assets_come_from_the_npm_package(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "bpmn-navigated-viewer.production.min.js").write_text("window.BpmnJS = function () {};")
    (dist / "assets" / "bpmn-js.css").write_text(".djs-container {}")
    (dist / "package.json").write_text("{}")
    (tmp_path / "secret.js").write_text("nope")
    app.config["BPMN_JS_DIST"] = str(dist)
    status, body = fetch(client, "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert status == 200 and b"BpmnJS" in body
    assert fetch(client, "/vendor/bpmn-js/assets/bpmn-js.css")[0] == 200
    assert fetch(client, "/vendor/bpmn-js/package.json")[0] == 404  # not an asset
    assert fetch(client, "/vendor/bpmn-js/../secret.js")[0] == 404
    assert fetch(client, "/vendor/bpmn-js/%2e%2e/secret.js")[0] == 404
    assert fetch(client, "/vendor/bpmn-js/missing.js")[0] == 404
    app.config["BPMN_JS_DIST"] = str(tmp_path / "not-installed")
    status, body = fetch(client, "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert status == 404 and "npm ci" in body.decode()


def test_the_installed_viewer_is_served(app: Flask) -> None:
    dist = ROOT / "web" / "node_modules" / "bpmn-js" / "dist"
    if not dist.is_dir():
        pytest.skip("bpmn-js is not installed: run `npm ci` in web/ (./dev does)")
    client = app.test_client()
    status, body = fetch(client, "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert status == 200 and b"BpmnJS" in body
    assert fetch(client, "/vendor/bpmn-js/assets/diagram-js.css")[0] == 200
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    version = json.loads((dist.parent / "package.json").read_text())["version"]
    assert lock["packages"]["node_modules/bpmn-js"]["version"] == version


def test_pages_render_in_english(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    client = web_login(app, "auditor")
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home)
    assert token is not None
    switched = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token.group(1)})
    assert switched.status_code == 302
    for url in (
        f"/instances/{instance['id']}",
        f"/audit?instance_id={instance['id']}",
        "/audit/chain?run=1",
        "/dashboards/campaigns",
        "/dashboards/appraisal",
    ):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert '<html lang="en">' in response.get_data(as_text=True), url
    # A refusal reads in English too.
    with client.get("/tasks/nope") as response:
        assert response.status_code == 404
        assert "Task nope does not exist" in response.get_data(as_text=True)


def test_a_task_links_to_its_page_only_for_whoever_may_open_it(app: Flask, users: dict[str, User]) -> None:
    instance = start_recruitment(users["bureau"])
    draft(users)
    for username, linked in (("bureau", True), ("auditor", True), ("designer", False)):
        page = web_login(app, username).get(f"/instances/{instance['id']}").get_data(as_text=True)
        tasks = page.split('id="instance-tasks"')[1].split("</table>")[0]
        assert "起草用人计划" in tasks, username  # the step is named to everyone who reads the case
        assert ("/tasks/" in tasks) is linked, username  # a designer would get 403 behind the link
