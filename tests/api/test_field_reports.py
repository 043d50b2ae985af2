"""Monthly field reports over HTTP (issue 17, point 7): the month's start gives each officer a report task in
their own queue; the officer reports, the station returns it for correction, the officer corrects it (late),
the station confirms it, and the station's scoring of the month shows it as grounds. An officer sees only
their own task, never another officer's or a department's queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from tests.api.appraisal_steps import officer_of, tasks_of
from tests.api.test_segregation import STATION, officer_account, start_month, station_scores
from tests.conftest import User
from workflows.ports import ManualClock

REPORT: dict[str, Any] = {
    "meetings_attended": 4,
    "intelligence_reported": 2,
    "disputes_mediated": 3,
    "key_persons_visited": 6,
    "venues_checked": 5,
    "information_collected": 40,
    "ships_checked": 0,
    "patrols_organised": 8,
    "publicity_events": 2,
    "residents_served": 11,
    "highlights": "调解邻里宅基地纠纷一起，双方达成书面协议",
}


def own_tasks(officer: User) -> list[dict[str, Any]]:
    return list(officer.get("/api/v1/inbox?per_page=50")["items"])


def panel(user: User, task_id: str) -> dict[str, Any]:
    [shown] = [p for p in user.get(f"/api/v1/tasks/{task_id}")["grounds"] if p["name"] == "field_report"]
    return shown


def values(shown: dict[str, Any]) -> dict[str, str]:
    return {f["label_zh"]: f["value_zh"] for f in shown["fields"]}


def review_of(station: User, officer: int) -> dict[str, Any]:
    [task] = [t for t in tasks_of(station, STATION, "review_report") if officer_of(station, t) == officer]
    return task


def test_an_officer_reports_the_station_returns_and_confirms_and_the_scoring_shows_it(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    start_month(users, ctx)
    station, bureau = users["gushan_station"], users["bureau"]
    (score, mine), (_other_score, other) = station_scores(users)[:2]
    me = officer_account(users, "officer_report", mine, [])
    them = officer_account(users, "officer_other", other, [])

    # The officer's inbox holds their own report, due the end of 1 December in China (the model's day).
    [task] = own_tasks(me)
    assert task["spec_name"] == "submit_report" and task["department_code"] == f"officer:{mine}"
    assert task["department_name_zh"] == "本人事项" and task["due_at"].startswith("2026-12-01T16:00")
    assert values(panel(me, task["id"]))["状态"] == "辅警尚未报送"
    # Told of it by the bell, and of nothing else (the notifications of their appraisal stay hidden).
    assert [n["task_id"] for n in me.get("/api/v1/notifications")["items"]] == [task["id"]]
    # Nobody else's task, no department's queue; another officer can neither read nor do this one.
    [theirs] = own_tasks(them)
    assert theirs["id"] != task["id"]
    them.get(f"/api/v1/tasks/{task['id']}", expect=403)
    them.post(f"/api/v1/tasks/{task['id']}/complete", {"data": REPORT}, expect=403)
    me.get(f"/api/v1/queues/{STATION}/tasks", expect=403)
    me.get(f"/api/v1/queues/officer:{other}/tasks", expect=403)
    # Nor does the station do the officer's report.
    station.post(f"/api/v1/tasks/{task['id']}/complete", {"data": REPORT}, expect=403)

    # Counts are checked on the server against the form: not negative, whole numbers, all given.
    complete = f"/api/v1/tasks/{task['id']}/complete"
    wrong = {**REPORT, "patrols_organised": -1, "ships_checked": 1.5}
    refused = me.post(complete, {"data": wrong}, expect=422)
    assert {"patrols_organised", "ships_checked"} <= set(refused["errors"])
    missing = {k: v for k, v in REPORT.items() if k != "disputes_mediated"}
    assert "disputes_mediated" in me.post(complete, {"data": missing}, expect=422)["errors"]
    me.post(complete, {"data": REPORT})
    assert own_tasks(me) == []

    # The station reviews it beside the report; returning it needs a reason.
    review = review_of(station, mine)
    shown = panel(station, review["id"])
    assert values(shown)["状态"] == "待派出所审核" and "逾期" not in values(shown)["报送时间"]
    rows = {row[0]["value_zh"]: row[1]["value_zh"] for row in shown["rows"]}
    assert rows["组织群防群治巡逻（次）"] == "8" and rows["排查调处矛盾纠纷（件）"] == "3"
    done = f"/api/v1/tasks/{review['id']}/complete"
    unreasoned = station.post(done, {"data": {"report_decision": "return"}}, expect=422)
    assert "return_reason" in unreasoned["errors"]
    station.post(done, {"data": {"report_decision": "return", "return_reason": "巡逻次数与台账不符"}})

    # Back in the officer's inbox with the report as sent and the reason; corrected after the due day.
    [again] = own_tasks(me)
    detail = me.get(f"/api/v1/tasks/{again['id']}")
    assert detail["form_values"] == REPORT
    assert values(panel(me, again["id"]))["退回理由"] == "巡逻次数与台账不符"
    clock.advance(timedelta(days=6))  # 2 December: a day late
    me.post(f"/api/v1/tasks/{again['id']}/complete", {"data": {**REPORT, "patrols_organised": 12}})
    review = review_of(station, mine)
    assert "逾期报送" in values(panel(station, review["id"]))["报送时间"]
    remarks = {"report_decision": "confirm", "station_remarks": "情况属实"}
    station.post(f"/api/v1/tasks/{review['id']}/complete", {"data": remarks})

    # The station's scoring of the month shows the confirmed report as grounds.
    scoring = panel(station, score["id"])
    assert values(scoring)["状态"] == "已确认" and "逾期报送" in values(scoring)["报送时间"]
    counted = {row[0]["value_zh"]: row[1]["value_zh"] for row in scoring["rows"]}
    assert counted["组织群防群治巡逻（次）"] == "12"
    assert values(scoring)["派出所意见"] == "情况属实"

    # Each submission, the return and the confirmation are audited with the report.
    with ctx.database.reading() as session:
        events = session.scalars(
            select(AuditEventModel)
            .where(
                AuditEventModel.action.like("field_report_%"),
                AuditEventModel.instance_id == task["instance_id"],
            )
            .order_by(AuditEventModel.id)
        ).all()
    assert [(e.action, e.actor) for e in events] == [
        ("field_report_submitted", "officer_report"),
        ("field_report_returned", "gushan_station"),
        ("field_report_submitted", "officer_report"),
        ("field_report_confirmed", "gushan_station"),
    ]
    assert events[1].payload["reason"] == "巡逻次数与台账不符" and events[2].payload["late"] is True
    assert events[3].payload["counts"]["patrols_organised"] == 12

    # The officer's page lists the month's report; the officer reads their own reports only.
    [listed] = bureau.get(f"/api/v1/officers/{mine}")["field_reports"]
    assert listed["month"] == "2026-11" and listed["status_label"] == "已确认" and listed["late"] is True
    assert [r["month"] for r in me.get("/api/v1/me/field-reports")] == ["2026-11"]
    assert them.get("/api/v1/me/field-reports") == []
    me.get(f"/api/v1/officers/{mine}", expect=403)
