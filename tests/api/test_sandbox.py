"""Trying a draft over HTTP (issue 14, point 3): a sandbox run of the appraisal draft on sample data,
completing tasks from their forms (validated like real tasks), skipping a wait on the run's own clock,
saving a run as a scenario and replaying it; nothing of it reaches the live instance, queue, timer or
appraisal tables, and a changed gateway is named where the replay leaves the recording."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import (
    AppraisalCountModel,
    AppraisalRecordModel,
    AuditEventModel,
    HumanTaskModel,
    InstanceModel,
    TimerModel,
)
from service.usecases import drafts
from service.usecases.workbench import sandbox
from tests.api.appraisal_steps import rubric, seed
from tests.conftest import User, token_of

SAMPLE = {
    "officer_id": 1,
    "officer_name": "张三",
    "village_code": "gs-v01",
    "village_name": "示例村",
    "town": "gushan",
    "month": "2026-11",
    "due_at": "2026-11-25T23:59:59+08:00",
    "subject": "2026-11 张三",
}
STATION = {"station_items": rubric("station_score.json", "station_items", 0.5)}
TOWN = {"town_items": rubric("town_score.json", "town_items", 0.5), "village_committee_opinion": "satisfied"}
CONFIRM = {"grade": "incompetent", "promotion_level": "keep", "reward": False}
FLIPPED = ('"dismissal_review" in action', '"dismissal_review" not in action')


def call(app: Flask, method: str, url: str, json: Any = None, username: str = "designer") -> Any:
    return app.test_client().open(
        url, method=method, json=json, headers={"Authorization": f"Bearer {token_of(username)}"}
    )


def new_draft(designer: User) -> dict[str, Any]:
    version = next(d for d in designer.get("/api/v1/definitions") if d["process_id"] == "appraisal")
    return designer.post("/api/v1/drafts", json={"definition_id": version["id"]}, expect=201)  # type: ignore[no-any-return]


def live_rows(ctx: ServiceContext) -> dict[str, int]:
    with ctx.database.reading() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (
                InstanceModel,
                HumanTaskModel,
                TimerModel,
                AppraisalRecordModel,
                AppraisalCountModel,
            )
        }


def ready(run: dict[str, Any], element: str) -> dict[str, Any]:
    found = [t for t in run["ready_tasks"] if t["element_id"] == element]
    assert found, [t["element_id"] for t in run["ready_tasks"]]
    return found[0]


def complete(designer: User, run: dict[str, Any], element: str, data: dict[str, Any], **extra: Any) -> Any:
    task = ready(run, element)
    return designer.post(
        f"/api/v1/sandbox-runs/{run['id']}/tasks/{task['task_id']}/complete", json={"data": data, **extra}
    )


def test_a_run_goes_through_the_draft_and_writes_nothing_live(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)  # officer 1 exists, so the real record_appraisal operator can run (and be rolled back)
    designer = users["designer"]
    draft = new_draft(designer)
    before = live_rows(ctx)

    run = designer.post(f"/api/v1/drafts/{draft['id']}/sandbox-runs", json={"data": SAMPLE}, expect=201)
    assert run["status"] == "running" and run["path"][0] == "appraisal_start"
    station = ready(run, "station_score")
    assert station["form"] == "station_score.json" and "station_items" in station["form_schema"]["properties"]
    assert station["department_code"] == "police_station:gushan"
    assert run["states"]["station_score"] == "active" and [t["element_id"] for t in run["timers"]]

    # A submission its form refuses is refused as a real task's is: 422 naming the fields.
    task_url = f"/api/v1/sandbox-runs/{run['id']}/tasks/{station['task_id']}/complete"
    refused = call(app, "POST", task_url, json={"data": {"station_items": {"attendance_discipline": -5}}})
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert (
        body["code"] == 422 and body["message"] and any(k.startswith("station_items") for k in body["errors"])
    )
    assert call(app, "GET", f"/api/v1/sandbox-runs/{run['id']}").get_json()["steps"] == run["steps"]

    run = complete(designer, run, "station_score", STATION)
    run = complete(designer, run, "town_score", TOWN)
    assert "compute_totals" in run["path"] and run["data"]["station_total"] > 0
    run = complete(designer, run, "veto_decision", {"veto": False})
    decision = next(s for s in run["steps"] if s["element_id"] == "suggest_grade")
    assert decision["kind"] == "decision" and decision["detail"]["result"]["suggested_grade"]
    veto = next(s for s in run["steps"] if s["element_id"] == "record_veto_task")
    assert veto["detail"]["source"] == "operator" and veto["detail"]["result"]["by"] == "designer"

    # The real operator runs against live data in a transaction that is rolled back.
    run = complete(designer, run, "confirm_grade", CONFIRM)
    recorded = next(s for s in run["steps"] if s["element_id"] == "record_appraisal_task")
    assert recorded["detail"] == {
        "operator": "record_appraisal",
        "result": {"incompetent_last_12": 1, "excellent_streak": 0},
        "source": "operator",
    }
    gateway = next(s for s in run["steps"] if s["element_id"] == "dismissal_needed")
    assert [t["element_id"] for t in gateway["detail"]["taken"]] == ["dismissal_merge"]
    assert run["status"] == "completed" and run["path"][-1] == "appraisal_end"
    assert run["ready_tasks"] == [] and run["timers"] == []

    # Nothing live: no instance, queue row, timer or appraisal record, and no instance action audited.
    assert live_rows(ctx) == before
    with ctx.database.reading() as session:
        audited = set(session.scalars(select(AuditEventModel.action)))
    assert "sandbox_run_started" in audited
    assert not audited & {"instance_started", "task_completed", "task_ready", "appraisal_recorded"}


def test_skipping_the_wait_moves_only_the_runs_clock(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    draft = new_draft(designer)
    service_time = ctx.clock.now()
    due = (service_time + timedelta(days=3)).replace(microsecond=0)
    data = {**SAMPLE, "due_at": due.isoformat()}
    run = designer.post(f"/api/v1/drafts/{draft['id']}/sandbox-runs", json={"data": data}, expect=201)
    assert [t["due_at"] for t in run["timers"]] == [due.isoformat()] * 2
    run = designer.post(f"/api/v1/sandbox-runs/{run['id']}/timers/skip", json={})
    assert datetime.fromisoformat(run["clock_at"]) == due
    assert {"station_escalation", "town_escalation"} <= {t["element_id"] for t in run["ready_tasks"]}
    assert any(s["kind"] == "timer" for s in run["steps"])
    assert ctx.clock.now() == service_time
    assert run["actions"][-1]["kind"] == "skip"
    # No timer waits any more: a second skip is refused, not a server error.
    assert call(app, "POST", f"/api/v1/sandbox-runs/{run['id']}/timers/skip", json={}).status_code == 422


def test_a_scenario_replays_and_names_the_changed_gateway(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    draft = new_draft(designer)
    base = f"/api/v1/drafts/{draft['id']}"
    samples = {"record_appraisal_task": {"incompetent_last_12": 2, "excellent_streak": 0}}
    run = designer.post(
        f"{base}/sandbox-runs", json={"data": SAMPLE, "operator_results": samples}, expect=201
    )
    for element, data in (
        ("station_score", STATION),
        ("town_score", TOWN),
        ("veto_decision", {"veto": False}),
        ("confirm_grade", CONFIRM),
        ("dismissal_review", {"decision": "warn", "reason": "连续两个月不称职"}),
    ):
        run = complete(designer, run, element, data)
    assert run["status"] == "completed" and "dismissal_review" in run["path"]

    saved = designer.post(
        f"{base}/scenarios", json={"run_id": run["id"], "name": "两次不称职：清退审查"}, expect=201
    )
    assert saved["finished"] is True and saved["expected_path"] == run["path"]
    assert designer.get(f"{base}/scenarios")[0]["name"] == "两次不称职：清退审查"
    again = call(app, "POST", f"{base}/scenarios", json={"run_id": run["id"], "name": "两次不称职：清退审查"})
    assert again.status_code == 409, again.get_json()

    # Unchanged draft: the replay passes, and the check has nothing to say.
    [result] = designer.post(f"{base}/scenarios/replay")
    assert result["passed"] is True and result["path"] == run["path"]
    assert designer.post(f"{base}/check")["problems"] == []

    # Flip the gateway's condition: the replay fails on the gateway, and so does the check.
    url = f"{base}/files/appraisal.bpmn"
    model = designer.get(url)["text"]
    assert FLIPPED[0] in model
    assert call(app, "PUT", url, json={"text": model.replace(*FLIPPED)}).status_code == 200
    [result] = designer.post(f"{base}/scenarios/replay")
    assert result["passed"] is False and result["element_id"] == "dismissal_needed", result
    assert "dismissal_review" not in result["path"]
    assert "清退审查" in result["zh"] and result["en"]
    checked = designer.post(f"{base}/check")
    assert checked["ok"] is False
    [problem] = [p for p in checked["problems"] if p["element_id"] == "dismissal_needed"]
    assert "两次不称职：清退审查" in problem["zh"] and "no longer replays" in problem["en"]

    # A run started before the change cannot go on (its draft changed), and says so.
    assert designer.get(f"/api/v1/sandbox-runs/{run['id']}")["draft_changed"] is True


def test_only_the_owner_tries_a_draft(app: Flask, users: dict[str, User], ctx: ServiceContext) -> None:
    version = next(d for d in users["designer"].get("/api/v1/definitions") if d["process_id"] == "appraisal")
    theirs = drafts.create_draft(ctx, "another_designer", version["id"])
    assert (
        call(app, "POST", f"/api/v1/drafts/{theirs.id}/sandbox-runs", json={"data": SAMPLE}).status_code
        == 403
    )
    assert call(app, "POST", f"/api/v1/drafts/{theirs.id}/scenarios/replay").status_code == 403
    mine = new_draft(users["designer"])
    run = users["designer"].post(
        f"/api/v1/drafts/{mine['id']}/sandbox-runs", json={"data": SAMPLE}, expect=201
    )
    assert call(app, "GET", f"/api/v1/sandbox-runs/{run['id']}", username="auditor").status_code == 403
    their_run = sandbox.start_run(ctx, "another_designer", theirs.id, SAMPLE)
    assert call(app, "GET", f"/api/v1/sandbox-runs/{their_run['id']}").status_code == 403
    skip = call(app, "POST", f"/api/v1/sandbox-runs/{their_run['id']}/timers/skip", json={})
    assert skip.status_code == 403 and skip.get_json()["message"]
    assert call(app, "GET", "/api/v1/sandbox-runs/999999").status_code == 404
    missing = call(app, "POST", f"/api/v1/sandbox-runs/{run['id']}/tasks/nope/complete", json={"data": {}})
    assert missing.status_code == 422 and missing.get_json()["message"]
    bad = call(app, "POST", f"/api/v1/drafts/{mine['id']}/sandbox-runs", json={"data": {"len": 1}})
    assert bad.status_code == 422 and "len" in bad.get_json()["errors"]


def test_an_operator_the_sample_data_breaks_is_named_and_a_sample_result_goes_on(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    draft = new_draft(designer)
    before = live_rows(ctx)
    data = {**SAMPLE, "officer_id": 999_999}  # no such officer: the real record_appraisal cannot write
    run = designer.post(f"/api/v1/drafts/{draft['id']}/sandbox-runs", json={"data": data}, expect=201)
    for element, answer in (
        ("station_score", STATION),
        ("town_score", TOWN),
        ("veto_decision", {"veto": False}),
    ):
        run = complete(designer, run, element, answer)
    task = ready(run, "confirm_grade")
    url = f"/api/v1/sandbox-runs/{run['id']}/tasks/{task['task_id']}/complete"
    refused = call(app, "POST", url, json={"data": CONFIRM})
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert "record_appraisal_task" in body["message"] and "record_appraisal_task" in body["message_en"]
    assert designer.get(f"/api/v1/sandbox-runs/{run['id']}")["steps"] == run["steps"]  # nothing saved

    sample = {"record_appraisal_task": {"incompetent_last_12": 0, "excellent_streak": 3}}
    run = designer.post(url, json={"data": CONFIRM, "operator_results": sample})
    recorded = next(s for s in run["steps"] if s["element_id"] == "record_appraisal_task")
    assert recorded["detail"]["source"] == "sample"
    assert "reward_proposal" in [t["element_id"] for t in run["ready_tasks"]]
    assert live_rows(ctx) == before


def test_deleting_a_draft_deletes_its_runs_and_keeps_its_scenarios(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    draft = new_draft(designer)
    run = designer.post(f"/api/v1/drafts/{draft['id']}/sandbox-runs", json={"data": SAMPLE}, expect=201)
    saved = designer.post(
        f"/api/v1/drafts/{draft['id']}/scenarios", json={"run_id": run["id"], "name": "刚开始"}, expect=201
    )
    assert call(app, "DELETE", f"/api/v1/drafts/{draft['id']}").status_code == 204
    assert call(app, "GET", f"/api/v1/sandbox-runs/{run['id']}").status_code == 404
    # The scenario belongs to the process: a new draft of it lists and replays it.
    again = new_draft(designer)
    [listed] = designer.get(f"/api/v1/drafts/{again['id']}/scenarios")
    assert listed["id"] == saved["id"] and listed["draft_id"] is None
    [result] = designer.post(f"/api/v1/drafts/{again['id']}/scenarios/replay")
    assert result["passed"] is True, result
    assert call(app, "DELETE", f"/api/v1/drafts/{again['id']}/scenarios/{saved['id']}").status_code == 204
    assert designer.get(f"/api/v1/drafts/{again['id']}/scenarios") == []


def test_a_start_form_the_scenario_no_longer_satisfies_fails_on_the_start_event(
    app: Flask, users: dict[str, User]
) -> None:
    designer = users["designer"]
    version = next(d for d in designer.get("/api/v1/definitions") if d["process_id"] == "recruitment")
    draft = designer.post("/api/v1/drafts", json={"definition_id": version["id"]}, expect=201)
    base = f"/api/v1/drafts/{draft['id']}"
    refused = call(app, "POST", f"{base}/sandbox-runs", json={"data": {}})
    assert refused.status_code == 422 and "subject" in refused.get_json()["errors"]  # the start form's rule
    run = designer.post(f"{base}/sandbox-runs", json={"data": {"subject": "2026年招聘"}}, expect=201)
    assert ready(run, "draft_plan")["form"] == "staffing_plan_draft.json"
    designer.post(f"{base}/scenarios", json={"run_id": run["id"], "name": "启动"}, expect=201)

    url = f"{base}/files/recruitment_start.json"
    form = designer.get(url)["text"]
    changed = json.loads(form)
    changed["properties"]["budget_code"] = {
        "type": "string",
        "title": "预算编号",
        "x-title-en": "Budget code",
    }
    changed["required"] = [*changed.get("required", []), "budget_code"]
    assert call(app, "PUT", url, json={"text": json.dumps(changed, ensure_ascii=False)}).status_code == 200
    [result] = designer.post(f"{base}/scenarios/replay")
    assert result["passed"] is False and result["element_id"] == run["path"][0], result
