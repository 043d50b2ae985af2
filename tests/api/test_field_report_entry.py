"""A monthly field report entered on the officer's behalf (代为录入, issue 17, point 7), over HTTP: an officer
without an account hands in a signed paper sheet; a station clerk finds the report waiting in the officer's
own queue, takes it, enters it with the paper attached (required), and a second member of the station
confirms it: the one who entered it may not. The record, the audit trail and the station's scoring name the
clerk who entered it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.persistence.models.field_reports import FieldReportModel
from tests.api.recruitment_steps import attach
from tests.api.test_field_reports import REPORT, panel, review_of, values
from tests.api.test_identity import new_user
from tests.api.test_segregation import STATION, officer_account, start_month, station_scores
from tests.conftest import User

CLERK_NAME = "崮山派出所 刘警官"  # the demo's gushan_station


def awaiting(user: User) -> list[dict[str, Any]]:
    return list(user.get("/api/v1/field-reports/awaiting-entry"))


def test_a_clerk_enters_a_paper_report_and_another_member_confirms_it(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    start_month(users, ctx)
    clerk, boyu = users["gushan_station"], users["boyu_station"]
    (score, paper), (_score, own) = station_scores(users)[:2]
    officer = officer_account(users, "officer_with_phone", own, [])
    second = new_user(users, "gushan_second", [STATION])

    # The station lists its officers' reports still in their own queues, and who has an account.
    listed = {row["officer_id"]: row for row in awaiting(clerk)}
    assert listed[paper]["has_account"] is False and listed[own]["has_account"] is True
    assert listed[paper]["due_at"].startswith("2026-12-01T16:00") and not listed[paper]["claimed_by_officer"]
    assert paper not in {row["officer_id"] for row in awaiting(boyu)}  # another town's station: not theirs
    assert awaiting(users["bureau"]) == []
    task_id = listed[paper]["task_id"]

    # Only the officer's station takes it: not another town's, not the town government.
    assert "崮山派出所" in boyu.post(f"/api/v1/tasks/{task_id}/take-on-behalf", expect=403)["message"]
    users["gushan_gov"].post(f"/api/v1/tasks/{task_id}/take-on-behalf", expect=403)
    # An officer filling in their own report keeps it: the station cannot take it from under them.
    own_task = listed[own]["task_id"]
    officer.post(f"/api/v1/tasks/{own_task}/claim")
    held = clerk.post(f"/api/v1/tasks/{own_task}/take-on-behalf", expect=409)
    assert "officer_with_phone" in held["message"]

    taken = clerk.post(f"/api/v1/tasks/{task_id}/take-on-behalf")
    assert taken["department_code"] == STATION and taken["on_behalf_of"] == f"officer:{paper}"
    assert taken["state"] == "claimed" and taken["claimed_by"] == "gushan_station"
    clerk.post(f"/api/v1/tasks/{task_id}/take-on-behalf", expect=409)  # once
    assert paper not in {row["officer_id"] for row in awaiting(clerk)}

    # Entering it requires the officer's signed paper report, named, before anything is recorded.
    refused = clerk.post(f"/api/v1/tasks/{task_id}/complete", {"data": REPORT}, expect=422)
    assert "辅警签字的纸质工作报告" in refused["message"]
    assert refused["errors"]["attachments"] == [
        "须上传：辅警签字的纸质工作报告",
        "Required: the officer's signed paper report",
    ]
    attach(clerk, task_id, name="刘某某11月工作报告（签字）.pdf")
    clerk.post(f"/api/v1/tasks/{task_id}/complete", {"data": REPORT})

    # The one who entered it does not confirm it (segregation of duties); a second member of the station does.
    review = review_of(clerk, paper)
    entered = f"由 {CLERK_NAME} 代为录入（依据辅警签字的纸质报告）"
    assert values(panel(clerk, review["id"]))["录入方式"] == entered
    claim = clerk.post(f"/api/v1/tasks/{review['id']}/claim", expect=403)
    assert "职责分离" in claim["message"] and "填报月度工作报告" in claim["message"]
    confirm = {"report_decision": "confirm", "station_remarks": "与纸质报告核对一致"}
    clerk.post(f"/api/v1/tasks/{review['id']}/complete", {"data": confirm}, expect=403)
    second.post(f"/api/v1/tasks/{review['id']}/complete", {"data": confirm})

    # The record and the station's scoring of the month say who entered it; the officer's page too.
    with ctx.database.reading() as session:
        report = session.scalars(select(FieldReportModel).where(FieldReportModel.officer_id == paper)).one()
        assert (report.status, report.entered_by, report.confirmed_by) == (
            "confirmed",
            "gushan_station",
            "gushan_second",
        )
        events = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.instance_id == taken["instance_id"])
            .where(AuditEventModel.action.in_(["task_taken_on_behalf", "field_report_submitted"]))
            .order_by(AuditEventModel.id)
        ).all()
    assert [(e.action, e.actor, e.payload["entered_by"]) for e in events] == [
        ("task_taken_on_behalf", "gushan_station", "gushan_station"),
        ("field_report_submitted", "gushan_station", "gushan_station"),
    ]
    assert events[0].payload["on_behalf_of"] == f"officer:{paper}"
    scoring = values(panel(clerk, score["id"]))
    assert scoring["状态"] == "已确认" and scoring["录入方式"].startswith(f"由 {CLERK_NAME} 代为录入")
    [row] = users["bureau"].get(f"/api/v1/officers/{paper}")["field_reports"]
    assert row["entered_by"] == "gushan_station" and row["entered_by_name"] == CLERK_NAME

    # The officer who reported in person is recorded as such.
    officer.post(f"/api/v1/tasks/{own_task}/complete", {"data": REPORT})
    assert "录入方式" not in values(panel(clerk, review_of(clerk, own)["id"]))
    assert [r["entered_by"] for r in officer.get("/api/v1/me/field-reports")] == [None]
