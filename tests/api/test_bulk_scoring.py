"""Bulk scoring through the HTTP API (issue 15, point 1): a town's month (40+ officers) scored in one request,
each row its own transaction with its own result; a wrong row refused with its field errors while the others
complete, an empty row skipped, a task someone else holds reported as taken, another department's task and a
step whose model does not allow a table refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from tests.api.appraisal_steps import add_officers, rubric, seed, tasks_of
from tests.conftest import User

MONTH = "2026-11"
GUSHAN = "/api/v1/queues/town_gov:gushan/steps/town_score"


def town_data(ratio: float = 0.9) -> dict[str, Any]:
    return {
        "town_items": rubric("town_score.json", "town_items", ratio),
        "village_committee_opinion": "satisfied",
    }


def start(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    add_officers(ctx, 20)  # Gushan: 40+ officers
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)


def test_a_town_scored_in_one_request(users: dict[str, User], ctx: ServiceContext) -> None:
    start(users, ctx)
    gov, head = users["gushan_gov"], users["gushan_gov_head"]
    table = gov.get(f"{GUSHAN}/bulk")
    assert (table["name_zh"], table["name_en"], table["form"]) == (
        "镇政府月度考核",
        "Town government appraisal",
        "town_score.json",
    )
    first = table["columns"][0]
    assert (first["field"], first["title_zh"], first["group_zh"], first["maximum"]) == (
        "town_items.committee_meetings",
        "列席两委会议",
        "考核评分项",
        15,
    )
    assert [c["field"] for c in table["columns"]][-2:] == ["village_committee_opinion", "comment"]
    rows = table["rows"]
    assert len(rows) >= 40
    assert all(r["officer_name"] and r["village_name_zh"] and r["may_complete"] for r in rows)
    assert any(r["officer_name"] == "测试辅警00000" and r["village_name_zh"] == "崮山后村" for r in rows)
    assert users["gushan_gov"].get("/api/v1/queues/town_gov:gushan/bulk-steps") == [
        {
            "step": "town_score",
            "name_zh": "镇政府月度考核",
            "name_en": "Town government appraisal",
            "open": len(rows),
            "open_is_lower_bound": False,
        }
    ]

    # The head claims one meanwhile: the clerk's row for it is reported as taken, not completed.
    held = rows[1]["task_id"]
    head.post(f"/api/v1/tasks/{held}/claim")
    assert {r["task_id"]: r["may_complete"] for r in gov.get(f"{GUSHAN}/bulk")["rows"]}[held] is False
    wrong, empty = rows[0]["task_id"], rows[2]["task_id"]
    too_high = town_data()
    too_high["town_items"]["committee_meetings"] = 16
    items = [{"task_id": r["task_id"], "data": town_data()} for r in rows]
    items[0]["data"] = too_high
    items[2]["data"] = {"town_items": {"committee_meetings": None}, "comment": " "}
    outcome = gov.post(f"{GUSHAN}/bulk-complete", {"items": items})
    by_task = {r["task_id"]: r for r in outcome["results"]}
    assert (outcome["completed"], outcome["refused"], outcome["skipped"], outcome["taken"]) == (
        len(rows) - 3,
        1,
        1,
        1,
    )
    assert by_task[wrong]["result"] == "refused" and by_task[wrong]["status"] == 422
    assert by_task[wrong]["errors"] == {
        "town_items.committee_meetings": [
            "“列席两委会议”不能大于 15",
            "Attendance at village committee meetings cannot be more than 15.",
        ]
    }
    assert by_task[empty]["result"] == "skipped"
    assert by_task[held]["result"] == "taken" and by_task[held]["taken_by"] == "崮山镇政府 镇长"
    left = {t["id"] for t in tasks_of(gov, "town_gov:gushan", "town_score")}
    assert left == {wrong, empty, held}
    with ctx.database.reading() as session:
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEventModel)
            .where(AuditEventModel.action == "task_completed", AuditEventModel.actor == "gushan_gov")
        )
    assert completions == len(rows) - 3  # each row audited as a single completion is

    # Fixed and sent again: the refused row completes; the held one is still the head's.
    fixed = gov.post(f"{GUSHAN}/bulk-complete", {"items": [{"task_id": wrong, "data": town_data(0.5)}]})
    assert fixed["results"] == [{"task_id": wrong, "result": "completed", "status": 200}]
    assert [r["task_id"] for r in gov.get(f"{GUSHAN}/bulk")["rows"]] == sorted(
        [empty, held], key=lambda t: [r["task_id"] for r in rows].index(t)
    )


def test_other_departments_and_other_steps_are_refused(users: dict[str, User], ctx: ServiceContext) -> None:
    start(users, ctx)
    gov, station = users["gushan_gov"], users["gushan_station"]
    boyu_task = users["boyu_gov"].get("/api/v1/queues/town_gov:boyu/steps/town_score/bulk")["rows"][0][
        "task_id"
    ]
    station_task = tasks_of(station, "police_station:gushan", "station_score")[0]["id"]
    own = gov.get(f"{GUSHAN}/bulk")["rows"][0]["task_id"]
    outcome = gov.post(
        f"{GUSHAN}/bulk-complete",
        {
            "items": [
                {"task_id": boyu_task, "data": town_data()},
                {"task_id": station_task, "data": town_data()},
                {"task_id": "no-such-task", "data": town_data()},
                {"task_id": own, "data": town_data()},
                {"task_id": own, "data": town_data()},
            ]
        },
    )
    assert [(r["result"], r["status"]) for r in outcome["results"]] == [
        ("refused", 403),
        ("refused", 403),
        ("refused", 404),
        ("completed", 200),
        ("refused", 409),
    ]
    assert outcome["results"][0]["message_en"]
    assert (
        users["boyu_gov"].get("/api/v1/queues/town_gov:boyu/steps/town_score/bulk")["rows"][0]["task_id"]
        == boyu_task
    )

    # The whole table of another department, or for someone who is no staff, is refused.
    body = users["boyu_gov"].get(f"{GUSHAN}/bulk", expect=403)
    assert body["code"] == 403 and "崮山镇人民政府" in body["message"]
    users["boyu_gov"].post(f"{GUSHAN}/bulk-complete", {"items": [{"task_id": own, "data": {}}]}, expect=403)
    users["auditor"].get(f"{GUSHAN}/bulk", expect=403)
    users["gushan_gov"].get("/api/v1/queues/town_gov:nowhere/steps/town_score/bulk", expect=404)
    users["gushan_gov"].get("/api/v1/queues/town_gov:gushan/steps/no_such_step/bulk", expect=404)

    # A step whose model does not allow a table: the veto, once both scores of an officer are in.
    station.post(
        f"/api/v1/tasks/{_station_task_of(station, gov, own)}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    assert tasks_of(gov, "town_gov:gushan", "veto_decision")
    veto = "/api/v1/queues/town_gov:gushan/steps/veto_decision"
    body = gov.get(f"{veto}/bulk", expect=409)
    assert body["message"] == "“一票否决决定”环节的流程模型不允许批量办理，请逐个办理"
    assert body["message_en"].startswith("The model does not let")
    gov.post(f"{veto}/bulk-complete", {"items": [{"task_id": own, "data": {"veto": False}}]}, expect=409)


def _station_task_of(station: User, gov: User, town_task: str) -> str:
    """The station's scoring task of the same officer as ``town_task``."""
    instance = gov.get(f"/api/v1/tasks/{town_task}")["instance_id"]
    return next(
        t["id"]
        for t in tasks_of(station, "police_station:gushan", "station_score")
        if t["instance_id"] == instance
    )


def test_bad_bodies_are_refused_in_the_one_error_shape(users: dict[str, User], ctx: ServiceContext) -> None:
    gov = users["gushan_gov"]
    for body in (
        None,
        {},
        {"items": []},
        {"items": [{"task_id": "x"}]},
        {"items": "x"},
        {"items": [{"data": {}}]},
    ):
        answer = gov.post(f"{GUSHAN}/bulk-complete", body, expect=422)
        assert set(answer) >= {"code", "status", "message", "message_en"}
    too_many = {"items": [{"task_id": f"t{n}", "data": {}} for n in range(301)]}
    assert gov.post(f"{GUSHAN}/bulk-complete", too_many, expect=422)["errors"]


def test_odd_departments_and_steps_are_refused_never_500(users: dict[str, User]) -> None:
    gov = users["gushan_gov"]
    for department, step in (("a%00b", "town_score"), ("town_gov:gushan", "x%00y"), ("x" * 300, "y" * 300)):
        answer = gov.get(f"/api/v1/queues/{department}/steps/{step}/bulk", expect=404)
        assert set(answer) >= {"code", "status", "message", "message_en"}
    item = {"items": [{"task_id": "a\u0000b", "data": {}}]}
    assert set(gov.post(f"{GUSHAN}/bulk-complete", item, expect=422)["errors"]) == {"items[0].task_id"}
