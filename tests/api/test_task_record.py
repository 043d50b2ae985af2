"""A completed task's record through the API (issue 11, part 7), on SQLite and PostgreSQL: what was
submitted, titled and labelled from the form, by whom (display name), when, and what came next."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.context import ServiceContext
from service.usecases.task_record import labelled_fields
from tests.api.appraisal_steps import decide_vetoes, score_all, seed, tasks_of
from tests.api.recruitment_steps import start_recruitment
from tests.conftest import User

FORMS = Path(__file__).resolve().parents[2] / "forms"
MONTH = "2026-11"


def done(user: User, department: str, spec_name: str) -> list[dict[str, Any]]:
    items = user.get(f"/api/v1/queues/{department}/tasks?state=completed&per_page=200")["items"]
    return [t for t in items if t["spec_name"] == spec_name]


def test_a_return_records_its_reason_and_leads_back_to_the_draft(users: dict[str, User]) -> None:
    start_recruitment(users["bureau"])
    draft = users["bureau"].get("/api/v1/queues/police_bureau/tasks")["items"][0]
    users["bureau"].post(
        f"/api/v1/tasks/{draft['id']}/complete",
        {"data": {"plan_title": "2026年农村辅警招聘计划", "monthly_salary": 4200}},
    )
    review = users["party"].get("/api/v1/queues/party_affairs/tasks")["items"][0]
    users["party"].post(
        f"/api/v1/tasks/{review['id']}/complete", {"data": {"decision": "return", "reason": "薪酬偏低"}}
    )
    assert users["party"].get(f"/api/v1/tasks/{review['id']}").get("record") is not None
    record = users["party"].get(f"/api/v1/tasks/{review['id']}")["record"]
    assert record["submitted_by"] == "party" and record["submitted_by_name"] == "党群工作部 李科长"
    values = {f["key"]: (f["title_zh"], f["value_zh"], f["value_en"]) for f in record["fields"]}
    assert values["decision"] == ("审核意见", "退回修改", "Return for revision")
    assert values["reason"][1] == "薪酬偏低"
    assert [(t["name_zh"], t["department_name_zh"]) for t in record["next_tasks"]] == [
        ("起草用人计划", "公安分局")
    ]
    assert record["instance_completed"] is False
    # An open task has no record.
    redraft = users["bureau"].get("/api/v1/queues/police_bureau/tasks")["items"][0]
    assert users["bureau"].get(f"/api/v1/tasks/{redraft['id']}").get("record") is None


def test_a_parallel_branch_waits_and_the_last_task_ends_the_process(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    score_all(users)
    station = users["gushan_station"]
    scored = done(station, "police_station:gushan", "station_score")[0]
    record = station.get(f"/api/v1/tasks/{scored['id']}")["record"]
    # Scored first, the station's branch waited at the join for the town: no task of its own came next.
    assert record["next_tasks"] == [] and record["instance_completed"] is False
    items = {f["key"]: f for f in record["fields"]}["station_items"]
    assert items["value_zh"] == "" and items["children"][0]["title_zh"] == "出勤与纪律"
    town = done(users["gushan_gov"], "town_gov:gushan", "town_score")[0]
    after_town = users["gushan_gov"].get(f"/api/v1/tasks/{town['id']}")["record"]
    assert [t["name_zh"] for t in after_town["next_tasks"]] == ["一票否决决定"]
    assert {f["key"]: f["value_zh"] for f in after_town["fields"]}["village_committee_opinion"] == "满意"
    decide_vetoes(users, set())
    bureau = users["bureau"]
    confirm = tasks_of(bureau, "police_bureau", "confirm_grade")[0]
    grade = bureau.get(f"/api/v1/tasks/{confirm['id']}")["form_values"]["grade"]
    bureau.post(
        f"/api/v1/tasks/{confirm['id']}/complete",
        {"data": {"grade": grade, "promotion_level": "keep", "reward": False}},
    )
    final = bureau.get(f"/api/v1/tasks/{confirm['id']}")["record"]
    assert final["next_tasks"] == [] and final["instance_completed"] is True
    shown = {f["key"]: (f["value_zh"], f["value_en"]) for f in final["fields"]}
    assert shown["reward"] == ("否", "No") and shown["promotion_level"][0] == "保持"


def test_labels_for_booleans_and_lists_of_codes() -> None:
    vetting = json.loads((FORMS / "vetting.json").read_text(encoding="utf-8"))
    fields = labelled_fields(vetting, {"findings": ["bad_credit", "detention"], "notes": "征信逾期"})
    findings = fields[0]
    assert findings["title_zh"] == "发现的不得聘用情形"
    assert findings["value_zh"] == "有较为严重的个人不良信用记录；曾被行政拘留、司法拘留或收容教育"
    assert "bad_credit" not in findings["value_en"] and findings["value_en"].count("; ") == 1
    assert labelled_fields(vetting, {"findings": []})[0]["value_zh"] == "（无）"
    veto = json.loads((FORMS / "veto.json").read_text(encoding="utf-8"))
    assert [(f["title_zh"], f["value_zh"]) for f in labelled_fields(veto, {"veto": True})] == [
        ("行使一票否决", "是")
    ]
