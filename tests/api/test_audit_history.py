"""An auditor reconstructs, from the audit history alone (search and export), who decided every step of a
recruitment, why an applicant was found ineligible, and who scored, vetoed and graded an officer."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from service.context import ServiceContext
from tests.api.appraisal_steps import officer_of, rubric, seed, tasks_of
from tests.api.recruitment_steps import applicant, birth_for_age, complete, start_recruitment
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
VETO_REASON = "本月发生群众投诉且未及时处置"


def history(auditor: User, **filters: Any) -> list[dict[str, Any]]:
    """Every matching event, page by page, as the auditor's search returns them."""
    query = urlencode(filters)
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = auditor.get(f"/api/v1/audit/events?{query}&per_page=200&page={page}")
        items.extend(body["items"])
        if page * 200 >= body["total"]:
            assert len(items) == body["total"]
            return items
        page += 1


def export(auditor: User, fmt: str, **filters: Any) -> str:
    query = urlencode(filters)
    response = auditor.client.get(
        f"/api/v1/audit/events/export?format={fmt}&{query}", headers=auditor._headers()
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=audit-events-")
    return response.get_data(as_text=True)


def completions(events: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any], datetime]]:
    """(who, which task, what they submitted, when) for every completed user task, in chain order."""
    return [
        (e["actor"], e["payload"]["element"], e["payload"]["submitted"], datetime.fromisoformat(e["at"]))
        for e in events
        if e["action"] == "task_completed"
    ]


def steps_of(events: list[dict[str, Any]], action: str, element: str) -> list[dict[str, Any]]:
    return [e for e in events if e["action"] == action and e["payload"].get("element") == element]


def test_who_decided_every_step_of_a_recruitment(users: dict[str, User], clock: ManualClock) -> None:
    bureau, party, finance, auditor = users["bureau"], users["party"], users["finance"], users["auditor"]
    today = clock.now().date()
    done: list[tuple[str, str, dict[str, Any], datetime]] = []

    def step(user: User, department: str, element: str, data: dict[str, Any]) -> None:
        clock.advance(timedelta(hours=2))
        complete(user, department, element, data)
        done.append((user.username, element, data, clock.now()))

    recruitment = start_recruitment(bureau)
    step(
        bureau,
        "police_bureau",
        "draft_plan",
        {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4000},
    )
    step(party, "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬标准偏低"})
    step(
        bureau,
        "police_bureau",
        "draft_plan",
        {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200},
    )
    step(party, "party_affairs", "review_plan", {"decision": "approve"})
    step(finance, "finance", "confirm_funding", {"decision": "approve"})
    step(
        bureau,
        "police_bureau",
        "publish_announcement",
        {
            "registration_start": today.isoformat(),
            "registration_end": (today + timedelta(days=10)).isoformat(),
            "announcement": "威海经济技术开发区公开招聘农村辅警公告",
        },
    )

    # --- from here on, only the auditor's history ---
    events = history(auditor, instance_id=recruitment["id"])
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert {e["instance_id"] for e in events} == {recruitment["id"]}
    started = events[0]
    assert (started["action"], started["actor"]) == ("instance_started", "bureau_head")
    assert started["payload"]["business_key"] == "2026-recruitment"
    assert completions(events) == done

    # Each completed task was queued for the department that completed it.
    ready = {e["task_id"]: e["department_code"] for e in events if e["action"] == "task_ready"}
    departments = {"bureau": "police_bureau", "party": "party_affairs", "finance": "finance"}
    for event in (e for e in events if e["action"] == "task_completed"):
        assert ready[event["task_id"]] == event["department_code"] == departments[event["actor"]]
    # The data before and after each revision: the second draft raised the salary the party returned.
    drafts = steps_of(events, "task_completed", "draft_plan")
    assert drafts[1]["payload"]["data_before"]["monthly_salary"] == 4000
    assert drafts[1]["payload"]["submitted"]["monthly_salary"] == 4200
    # The gateway after each review: first back to drafting, then on to Finance.
    review_gateways = [
        e["payload"]["detail"]["taken"] for e in steps_of(events, "gateway_executed", "review_decision")
    ]
    assert review_gateways == [["plan_merge"], ["确认经费保障"]]
    approval = steps_of(events, "service_executed", "approve_plan_task")
    assert len(approval) == 1 and approval[0]["actor"] == "system"
    campaign_id = approval[0]["payload"]["detail"]["result"]["campaign_id"]

    # The export carries the same events, in the same order, with their hashes.
    lines = [
        json.loads(line) for line in export(auditor, "jsonl", instance_id=recruitment["id"]).splitlines()
    ]
    assert [(line["seq"], line["hash"]) for line in lines] == [(e["seq"], e["hash"]) for e in events]
    rows = list(
        csv.reader(io.StringIO(export(auditor, "csv", instance_id=recruitment["id"]).lstrip("\ufeff")))
    )
    assert len(rows) == len(events) + 1
    # Each name or label beside its code (issue 15, point 7): 操作人, 账号, 操作, 代码, ..., 部门, 代码.
    returned = [row for row in rows[1:] if row[5] == "task_completed" and row[3] == "party"][0]
    assert (returned[2], returned[4]) == ("党群工作部 李科长", "办结任务")
    assert json.loads(returned[10])["submitted"] == {"decision": "return", "reason": "薪酬标准偏低"}
    assert (
        returned[9] == "party_affairs"
        and returned[11] == steps_of(events, "task_completed", "review_plan")[0]["hash"]
    )

    # Two applicants; the auditor finds each one's screening decision by application id.
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"
    young = bureau.post(apply_url, applicant(1, "gs-v05", birth_for_age(today, 17)), expect=201)
    fit = bureau.post(apply_url, applicant(2, "gs-v05", birth_for_age(today, 25)), expect=201)
    rejected = history(auditor, application_id=young["id"])
    assert len({e["instance_id"] for e in rejected}) == 1 and rejected[0]["instance_id"] != recruitment["id"]
    assert rejected[0]["action"] == "instance_started" and rejected[0]["actor"] == "bureau"
    assert rejected[0]["payload"]["data"]["age"] == 17  # the decision's input
    decision = steps_of(rejected, "decision_executed", "screen_eligibility")
    assert len(decision) == 1
    assert decision[0]["payload"]["detail"]["result"] == {
        "reason": ["年龄未满18周岁"],
        "reason_code": ["age_under_18"],
    }
    recorded = steps_of(rejected, "service_executed", "record_screening_task")[0]["payload"]["detail"][
        "result"
    ]
    assert recorded == {"eligible": False, "reasons": ["年龄未满18周岁"]}
    accepted = history(auditor, application_id=fit["id"])
    assert {e["instance_id"] for e in accepted}.isdisjoint({e["instance_id"] for e in rejected})
    accepted_result = steps_of(accepted, "service_executed", "record_screening_task")[0]["payload"]["detail"]
    assert accepted_result["result"]["eligible"] is True


def test_who_scored_vetoed_and_graded_an_officer(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    bureau, station, gov, auditor = (
        users["bureau"],
        users["gushan_station"],
        users["gushan_gov"],
        users["auditor"],
    )
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    done: list[tuple[str, str, dict[str, Any], datetime]] = []

    def finish(user: User, department: str, element: str, officer: int | None, data: dict[str, Any]) -> int:
        tasks = tasks_of(user, department, element)
        task = tasks[0] if officer is None else next(t for t in tasks if officer_of(user, t) == officer)
        found = officer_of(user, task)
        clock.advance(timedelta(hours=3))
        user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        done.append((user.username, element, data, clock.now()))
        return found

    station_items = rubric("station_score.json", "station_items", 0.9)
    officer = finish(
        station, "police_station:gushan", "station_score", None, {"station_items": station_items}
    )
    town = {
        "town_items": rubric("town_score.json", "town_items", 0.92),
        "village_committee_opinion": "satisfied",
    }
    finish(gov, "town_gov:gushan", "town_score", officer, town)
    finish(gov, "town_gov:gushan", "veto_decision", officer, {"veto": True, "veto_reason": VETO_REASON})
    confirm = next(
        t for t in tasks_of(bureau, "police_bureau", "confirm_grade") if officer_of(bureau, t) == officer
    )
    suggested = bureau.get(f"/api/v1/tasks/{confirm['id']}")["data"]["suggested_grade"]
    clock.advance(timedelta(minutes=5))
    promote = {"grade": suggested, "promotion_level": "promote", "reward": True}
    bureau.post(f"/api/v1/tasks/{confirm['id']}/complete", {"data": promote}, expect=422)
    refused_at = clock.now()
    finish(
        bureau,
        "police_bureau",
        "confirm_grade",
        officer,
        {"grade": suggested, "promotion_level": "keep", "reward": False, "notes": "一票否决，不予晋升"},
    )

    # --- from here on, only the auditor's history ---
    events = history(auditor, officer_id=officer)
    # The month's appraisal and the officer's field report (issue 17, point 7), started together.
    starts = [e for e in events if e["action"] == "instance_started"]
    started = {e["payload"]["business_key"]: e["instance_id"] for e in starts}
    assert set(started) == {f"{MONTH}/{officer}", f"{MONTH}/{officer}/report"}
    events = [e for e in events if e["instance_id"] == started[f"{MONTH}/{officer}"]]
    assert len({e["instance_id"] for e in events}) == 1
    assert (
        events[0]["action"] == "instance_started"
        and events[0]["payload"]["business_key"] == f"{MONTH}/{officer}"
    )
    assert completions(events) == done
    by_task = {element: actor for actor, element, _data, _at in completions(events)}
    assert by_task == {
        "station_score": "gushan_station",
        "town_score": "gushan_gov",
        "veto_decision": "gushan_gov",
        "confirm_grade": "bureau",
    }
    veto = steps_of(events, "task_completed", "veto_decision")[0]
    assert veto["payload"]["submitted"] == {"veto": True, "veto_reason": VETO_REASON}
    recorded = steps_of(events, "service_executed", "record_veto_task")
    assert len(recorded) == 1 and recorded[0]["at"] == veto["at"]  # the same transaction
    assert recorded[0]["payload"]["detail"]["result"]["by"] == "gushan_gov"
    assert recorded[0]["payload"]["detail"]["result"]["veto"] is True
    grade = steps_of(events, "decision_executed", "suggest_grade")
    assert len(grade) == 1
    assert grade[0]["payload"]["detail"]["result"]["suggested_grade"] == suggested
    assert grade[0]["payload"]["detail"]["result"]["promotion_allowed"] is False
    confirmed = steps_of(events, "task_completed", "confirm_grade")[0]
    assert confirmed["payload"]["submitted"]["promotion_level"] == "keep"
    assert confirmed["seq"] > veto["seq"] > steps_of(events, "task_completed", "town_score")[0]["seq"]

    # The refused attempt to promote despite the veto is on record too, with who and when.
    refusals = [
        e
        for e in history(auditor, actor="bureau", action="action_refused")
        if confirm["id"] in e["payload"]["path"]
    ]
    assert len(refusals) == 1
    assert datetime.fromisoformat(refusals[0]["at"]) == refused_at
    assert refusals[0]["payload"]["status"] == 422 and "一票否决" in refusals[0]["payload"]["message"]
