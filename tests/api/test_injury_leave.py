"""The officer's status after a work injury (issue 17, point 4), on SQLite and PostgreSQL.

On injury leave (工伤休假, the 停工留薪期) from the reported injury day: still in service and holding
the post, shown so on the roster and filterable, and not appraised for a month wholly in leave (the month
start lists them instead); the return to work ends it. A disability grade 1-4 (一至四级): the service
company records the day the officer leaves the post, the labour relation kept; the officer is out of
service (因工伤退出岗位), the post is a vacancy, the roster's month of leaving and the officers'
dashboard count them, and no dismissal case bars re-hiring. A recognition that refuses the injury ends
the leave that day."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import (
    AppraisalStartModel,
    AuditEventModel,
    DismissalCaseModel,
    OfficerModel,
)
from service.usecases.appraisal import start_due_month
from service.usecases.injury_leave import on_leave_all_month
from service.usecases.recruitment.plan import officers_in_service
from tests.api.appraisal_steps import tasks_of
from tests.api.test_dashboard_counts import listed, page
from tests.api.test_officer_dashboard import figure
from tests.api.test_welfare import (
    INJURY,
    STATION,
    complete,
    events,
    officers,
    panels,
    report_injury,
    submit_claim,
)
from tests.conftest import User
from tests.web_units.browser_session import web_login
from workflows.ports import ManualClock

GROUNDS = "执行职务时受到暴力伤害"
AMOUNTS = {"medical_expenses": 12000, "wages_during_leave": 9000, "disability_allowance": 27000}


def recognise_and_pay(users: dict[str, User], instance: int, grade: str) -> None:
    """The claim, science_tech's recognition with ``grade``, the benefits entered and confirmed."""
    submit_claim(users, instance)
    recognition = {"recognised": True, "recognition_grounds": GROUNDS, "disability_grade": grade}
    complete(users["science_tech"], "science_tech", "recognise_injury", instance, recognition)
    complete(users["company"], "service_company", "enter_injury_payments", instance, AMOUNTS)
    complete(users["finance"], "finance", "confirm_injury_funding", instance, {"funding_decision": "approve"})


def started_for(ctx: ServiceContext, month: str) -> list[int]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(AppraisalStartModel.officer_id)
                .where(AppraisalStartModel.month == month)
                .order_by(AppraisalStartModel.officer_id)
            )
        )


def wholly_on_leave(ctx: ServiceContext, month: str) -> list[int]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(OfficerModel.id).where(on_leave_all_month(month))))


def test_an_officer_on_injury_leave_is_shown_so_and_not_appraised_for_a_month_wholly_in_it_until_back(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    injured, other = officers(ctx, 2)
    instance = report_injury(users, injured)  # injured on 2026-11-20; today is 2026-11-26
    bureau, head = users["bureau"], users["bureau_head"]
    record = bureau.get(f"/api/v1/officers/{injured}")
    assert record["status"] == "in_service" and record["on_injury_leave"] is True
    assert (record["status_label"], record["status_label_en"]) == ("工伤休假", "On injury leave")
    assert record["status_since"] == "2026-11-20"
    # The model's max_leave_months (12): at most until the day before the same day a year later.
    assert record["injury_leave"] == {
        "instance_id": instance,
        "since": "2026-11-20",
        "until_at_most": "2027-11-19",
        "max_months": 12,
    }
    assert [o["id"] for o in bureau.get("/api/v1/officers?status=injury_leave")["items"]] == [injured]
    assert bureau.get("/api/v1/officers?status=injury_leave&town=boyu", expect=200)["items"] == []
    # Still in service: the post is still theirs, no vacancy.
    assert {o["id"] for o in bureau.get("/api/v1/officers?status=in_service")["items"]} == {injured, other}
    with ctx.database.reading() as session:
        assert injured in officers_in_service(session)["gs-v01"]
    # Past the limit the leave no longer counts, whether or not the return was recorded.
    assert wholly_on_leave(ctx, "2027-10") == [injured] and wholly_on_leave(ctx, "2027-11") == []

    # November began before the injury: appraised as usual.
    november = head.post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    assert (november["started"], november["on_injury_leave"]) == (2, 0)
    # December, wholly in leave: not started, and said so; the scheduler's next round adds nothing.
    clock.advance(timedelta(days=29))  # 2026-12-25, the start day
    december = start_due_month(ctx)
    assert december is not None
    assert (december["officers"], december["started"], december["on_injury_leave"]) == (2, 1, 1)
    assert [(o["id"], o["town"]) for o in december["on_injury_leave_officers"]] == [(injured, "gushan")]
    assert start_due_month(ctx) is None
    assert started_for(ctx, "2026-12") == [other]

    # Grade 9: no leaving the post; the station records the day back, which ends the leave.
    recognise_and_pay(users, instance, "grade_9")
    station = users["gushan_station"]
    early = complete(station, STATION, "record_return_to_work", instance, {"return_date": "2026-11-01"}, 422)
    assert "早于受伤日期 2026-11-20" in early["message"]
    clock.advance(timedelta(days=3))  # 2026-12-28
    complete(station, STATION, "record_return_to_work", instance, {"return_date": "2026-12-28"})
    record = bureau.get(f"/api/v1/officers/{injured}")
    assert (record["status_label"], record["on_injury_leave"]) == ("在岗", False)
    assert record["injury_leave"] is None
    [entry] = record["work_injuries"]
    assert (entry["status_label"], entry["status_since"]) == ("已复岗", "2026-12-28")
    assert bureau.get("/api/v1/officers?status=injury_leave")["items"] == []
    # Back before December ended: no longer wholly in leave, so the scheduler's next round starts it.
    again = start_due_month(ctx)
    assert again is not None and (again["started"], again["on_injury_leave"]) == (1, 0)
    assert started_for(ctx, "2026-12") == sorted([injured, other])
    statuses = [e.payload for e in events(ctx, "duty_status_recorded", instance)]
    assert [(p["status"], p["since"]) for p in statuses] == [
        ("injury_leave", "2026-11-20"),
        ("back_at_work", "2026-12-28"),
    ]
    assert statuses[0]["until_at_most"] == "2027-11-19" and statuses[1]["leave_ended_on"] == "2026-12-28"
    with ctx.database.reading() as session:
        runs = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.action == "appraisal_month_started")
            .order_by(AuditEventModel.id)
        )
        run = [event.payload for event in runs if event.payload["month"] == "2026-12"][0]
    assert run["on_injury_leave"] == 1 and run["on_injury_leave_officers"] == [injured]


def test_a_disability_grade_3_leaves_the_post_with_the_labour_relation_kept_and_frees_the_post(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    injured, refused = officers(ctx, 2)
    instance = report_injury(users, injured)
    recognise_and_pay(users, instance, "grade_3")
    station, company, bureau = users["gushan_station"], users["company"], users["bureau"]
    # No return to work: the service company arranges leaving the post, with the recognition beside it.
    returns = tasks_of(station, STATION, "record_return_to_work")
    assert not [t for t in returns if t["instance_id"] == instance]
    shown = panels(company, "service_company", "arrange_leaving_post", instance)
    assert shown["injury_recognition"]["伤残等级"] == "三级伤残"
    contract_number = bureau.get(f"/api/v1/officers/{injured}")["contract_number"]
    assert shown["officer_contract"]["合同编号"] == contract_number
    assert shown["officer_contract"]["状态"] == "工伤休假（自 2026-11-20 起）"  # the leave not ended yet
    early = {"left_post_on": "2026-11-10"}
    message = complete(company, "service_company", "arrange_leaving_post", instance, early, 422)["message"]
    assert "退出工作岗位日期应在 2026-11-20 至今天 2026-11-26 之间" in message
    exit_data = {"left_post_on": "2026-11-25", "exit_note": "按月发给伤残津贴"}
    complete(company, "service_company", "arrange_leaving_post", instance, exit_data)
    assert company.get(f"/api/v1/instances/{instance}")["status"] == "completed"

    record = bureau.get(f"/api/v1/officers/{injured}")
    assert record["status"] == "left_post_injury" and record["on_injury_leave"] is False
    assert (record["status_label"], record["status_label_en"]) == (
        "因工伤退出岗位",
        "Left the post after a work injury",
    )
    assert record["left_on"] == "2026-11-25" and record["status_since"] == "2026-11-25"
    assert "三级伤残" in record["leave_reason"] and "保留劳动关系，退出工作岗位" in record["leave_reason"]
    assert GROUNDS in record["leave_reason"]
    contract = record["contracts"][0]
    assert contract["outcome_label"] == "保留劳动关系，退出工作岗位" and contract["ended_on"] == "2026-11-25"
    [entry] = record["work_injuries"]
    assert (entry["status_label"], entry["grade_label"]) == ("因工伤退出岗位", "三级伤残")
    # The post is a vacancy for the next campaign; the month start neither appraises nor lists them.
    with ctx.database.reading() as session:
        assert injured not in officers_in_service(session).get("gs-v01", [])
        assert session.scalar(select(func.count()).where(DismissalCaseModel.officer_id == injured)) == 0
    december = users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-12"}, expect=201)
    assert (december["officers"], december["on_injury_leave"]) == (1, 0)
    # One audit event carries the change with its grounds; the leave ended the same day.
    [changed] = events(ctx, "officer_status_changed", instance)
    assert changed.actor == "company" and changed.payload["contract"] == "kept"
    assert changed.payload["before"]["status"] == "in_service"
    assert changed.payload["after"] == {
        "status": "left_post_injury",
        "status_since": "2026-11-25",
        "left_on": "2026-11-25",
        "leave_reason": record["leave_reason"],
    }
    assert GROUNDS in changed.payload["grounds"] and changed.payload["disability_grade"] == "grade_3"
    statuses = [e.payload for e in events(ctx, "duty_status_recorded", instance)]
    assert [(p["status"], p["since"]) for p in statuses][-1] == ("left_post", "2026-11-25")
    assert statuses[-1]["leave_ended_on"] == "2026-11-25"

    # The roster's month of leaving and the officers' dashboard count them under their own reason.
    listed_ids = bureau.get("/api/v1/officers?status=left_post_injury&left_in=2026-11")["items"]
    assert [o["id"] for o in listed_ids] == [injured]
    client = web_login(app, "bureau")
    text = page(client, "/dashboards/officers")
    count, link = figure(text, "officer-leavers", 'data-month="2026-11"', "left_post_injury")
    assert count == 1 and link is not None
    assert listed(client, link, "roster") == [f'<tr data-officer="{injured}" data-status="left_post_injury">']

    # An injury not recognised ends the leave on the day of the decision.
    other = report_injury(users, refused, {**INJURY, "injury_date": "2026-11-22"})
    assert bureau.get(f"/api/v1/officers/{refused}")["on_injury_leave"] is True
    submit_claim(users, other)
    reasons = {"recognised": False, "recognition_grounds": "受伤时在休假，非执行职务"}
    complete(users["science_tech"], "science_tech", "recognise_injury", other, reasons)
    record = bureau.get(f"/api/v1/officers/{refused}")
    assert (record["status_label"], record["on_injury_leave"]) == ("在岗", False)
    [entry] = record["work_injuries"]
    assert (entry["status"], entry["status_since"]) == ("leave_ended", "2026-11-26")
