"""Contract renewal over HTTP: raised 60 days ahead once per contract, renewed by the company's signature,
or ended at the contract's end when the sub-bureau does not renew."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.cli import main
from service.context import ServiceContext
from service.persistence.models import OfficerModel
from service.scheduler import run_forever
from service.scheduler import run_once as fire_due_timers
from service.usecases.roster import start_due_renewals
from tests.api.appraisal_steps import add_history
from tests.api.recruitment_steps import open_tasks
from tests.api.roster_steps import events, officer, seed_officers, set_contract_end
from tests.conftest import User
from workflows.ports import CHINA, ManualClock


def china_today(clock: ManualClock) -> date:
    return clock.now().astimezone(CHINA).date()


def raise_one(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> tuple[int, dict]:
    """One officer's contract ends in 60 days; the scheduler's round raises its renewal."""
    seed_officers(ctx)
    officer_id = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]["id"]
    set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=60))
    assert start_due_renewals(ctx) == 1
    [task] = open_tasks(users["bureau_head"], "police_bureau", "decide_renewal")
    return officer_id, task


def test_renewal_is_raised_60_days_ahead_and_only_once(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    bureau = users["bureau"]
    rows = bureau.get("/api/v1/officers?per_page=3")["items"]
    first, second, gone = [o["id"] for o in rows]
    today = china_today(clock)
    set_contract_end(ctx, first, today + timedelta(days=60))
    set_contract_end(ctx, second, today + timedelta(days=61))
    set_contract_end(ctx, gone, today + timedelta(days=30))
    users["bureau_head"].post(
        f"/api/v1/officers/{gone}/status", {"status": "resigned", "on": today.isoformat(), "reason": "辞职"}
    )
    add_history(ctx, [(first, "2026-10", "competent")])

    assert start_due_renewals(ctx) == 1  # 60 days ahead: the first; the second is 61 days off
    assert start_due_renewals(ctx) == 0  # the next round raises nothing again
    [task] = open_tasks(users["bureau_head"], "police_bureau", "decide_renewal")
    detail = users["bureau_head"].get(f"/api/v1/tasks/{task['id']}")
    assert detail["data"]["officer_id"] == first
    panels = {p["name"]: p for p in detail["grounds"]}
    assert set(panels) == {"officer_contract", "appraisal_history"}
    values = {f["label_zh"]: f["value_zh"] for f in panels["officer_contract"]["fields"]}
    assert values["合同期限"].endswith((today + timedelta(days=60)).isoformat())
    assert values["村（社区）"] == rows[0]["village_name"] and values["状态"].startswith("在岗")
    assert panels["appraisal_history"]["rows"][0][1]["value_zh"] == "称职"
    # Decision due halfway through the notice.
    assert detail["due_at"]

    clock.advance(timedelta(days=1))
    assert start_due_renewals(ctx) == 1  # now the second; the one who resigned never gets one
    assert start_due_renewals(ctx) == 0
    renewals = bureau.get(f"/api/v1/officers/{first}")["renewals"]
    assert [r["contract_end"] for r in renewals] == [(today + timedelta(days=60)).isoformat()]
    assert renewals[0]["instance_status"] == "running"
    assert len(open_tasks(users["bureau_head"], "police_bureau", "decide_renewal")) == 2
    # Nobody starts it by hand through the API.
    refused = users["bureau_head"].post(
        "/api/v1/instances", {"process_id": "contract_renewal", "data": {}}, expect=403
    )
    assert "定时任务" in refused["message"]


def test_renewal_signed_by_the_company_updates_the_contract(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    officer_id, task = raise_one(users, ctx, clock)
    head, company = users["bureau_head"], users["company"]
    old_end = officer(ctx, officer_id).contract_end
    users["bureau"].post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"renew": True}}, expect=403)
    head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"renew": True}})

    [sign] = open_tasks(company, "service_company", "sign_renewal")
    form = company.get(f"/api/v1/tasks/{sign['id']}")
    next_start = (old_end + timedelta(days=1)).isoformat()
    assert form["data"]["next_contract_start"] == next_start
    url = f"/api/v1/tasks/{sign['id']}/complete"
    bad = {
        "new_contract_number": "WH-XQ-2029-001",
        "new_contract_start": next_start,
        "new_contract_end": "2027-01-01",
    }
    company.post(url, {"data": bad}, expect=422)
    same_number = {
        **bad,
        "new_contract_number": officer(ctx, officer_id).contract_number,
        "new_contract_end": "2031-12-31",
    }
    company.post(url, {"data": same_number}, expect=422)
    company.post(url, {"data": {**bad, "new_contract_end": "2031-12-31"}})

    renewed = users["bureau"].get(f"/api/v1/officers/{officer_id}")
    assert (renewed["contract_number"], renewed["contract_start"], renewed["contract_end"]) == (
        "WH-XQ-2029-001",
        next_start,
        "2031-12-31",
    )
    assert renewed["status"] == "in_service"
    assert renewed["renewals"][0]["instance_status"] == "completed"
    [event] = events(ctx, "contract_renewed")
    assert event.payload["before"]["contract_end"] == old_end.isoformat()
    assert event.payload["after"]["contract_number"] == "WH-XQ-2029-001"
    assert start_due_renewals(ctx) == 0  # the new contract is years off


def test_an_officer_who_left_meanwhile_is_not_renewed(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    officer_id, task = raise_one(users, ctx, clock)
    head, company = users["bureau_head"], users["company"]
    head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"renew": True}})
    today = china_today(clock).isoformat()
    head.post(f"/api/v1/officers/{officer_id}/status", {"status": "resigned", "on": today, "reason": "辞职"})
    before = officer(ctx, officer_id)
    [sign] = open_tasks(company, "service_company", "sign_renewal")
    panel = company.get(f"/api/v1/tasks/{sign['id']}")["grounds"][0]
    assert any(f["value_zh"].startswith("辞职") for f in panel["fields"])
    data = {"new_contract_number": "WH-XQ-1", "new_contract_start": today, "new_contract_end": "2031-12-31"}
    company.post(f"/api/v1/tasks/{sign['id']}/complete", {"data": data})
    after = officer(ctx, officer_id)
    assert (after.status, after.contract_number, after.contract_end) == (
        "resigned",
        before.contract_number,
        before.contract_end,
    )
    assert events(ctx, "contract_renewed") == []
    assert (
        users["bureau"].get(f"/api/v1/officers/{officer_id}")["renewals"][0]["instance_status"] == "completed"
    )


def test_contract_not_renewed_ends_at_its_end_date_and_frees_the_post(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    officer_id, task = raise_one(users, ctx, clock)
    head = users["bureau_head"]
    end = officer(ctx, officer_id).contract_end
    url = f"/api/v1/tasks/{task['id']}/complete"
    refused = head.post(url, {"data": {"renew": False}}, expect=422)
    assert "decision_reason" in refused["errors"]
    head.post(url, {"data": {"renew": False, "decision_reason": "连续两次考核不称职"}})

    # Still in service until the contract's last day is over (Beijing time).
    clock.advance(timedelta(days=60))
    assert china_today(clock) == end
    assert fire_due_timers(ctx) == 0
    assert officer(ctx, officer_id).status == "in_service"
    clock.advance(timedelta(hours=15, minutes=1))  # 00:01 the day after, Beijing time
    assert fire_due_timers(ctx) == 1
    # (The demo tokens have expired two months on: the officer's row is read directly.)
    ended = officer(ctx, officer_id)
    assert (ended.status, ended.left_on, ended.status_since) == ("contract_ended", end, end)
    assert ended.leave_reason == "连续两次考核不称职"
    with ctx.database.reading() as session:
        serving = session.scalar(select(func.count()).where(OfficerModel.status == "in_service"))
    assert serving == 45  # the post is free for the next campaign
    [event] = events(ctx, "officer_status_changed")
    assert event.payload["before"]["status"] == "in_service"
    assert event.payload["after"]["status"] == "contract_ended"
    assert start_due_renewals(ctx) == 0


def test_the_scheduler_and_the_cli_raise_renewals(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    first, second = [o["id"] for o in users["bureau"].get("/api/v1/officers?per_page=2")["items"]]
    set_contract_end(ctx, first, china_today(clock) + timedelta(days=10))
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(ctx, 0.05, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not users["bureau"].get(f"/api/v1/officers/{first}")["renewals"]:
            assert time.monotonic() < deadline, "the scheduler raised no renewal"
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=60)

    set_contract_end(ctx, second, china_today(clock) + timedelta(days=59))
    runner = app.test_cli_runner()
    raised = runner.invoke(main, ["contracts", "raise-renewals"])
    assert raised.exit_code == 0 and "1 renewal(s) raised (60 days ahead)" in raised.output
    again = runner.invoke(main, ["contracts", "raise-renewals"])
    assert "0 renewal(s) raised" in again.output
    assert len(open_tasks(users["bureau_head"], "police_bureau", "decide_renewal")) == 2


def test_nothing_is_claimed_while_the_process_is_not_deployed(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    seed_officers(ctx)
    due = [o["id"] for o in users["bureau"].get("/api/v1/officers?per_page=2")["items"]]
    for officer_id in due:
        set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=30))
    definitions = users["designer"].get("/api/v1/definitions")
    [renewal] = [d for d in definitions if d["process_id"] == "contract_renewal"]
    users["designer"].post(f"/api/v1/definitions/{renewal['id']}/retire")
    with caplog.at_level(logging.ERROR, logger="service.usecases.roster.renewal"):
        assert start_due_renewals(ctx) == 0
    # One message a round naming the cause, not one failed start per officer.
    assert [r.getMessage() for r in caplog.records if r.name == "service.usecases.roster.renewal"] == [
        "2 contract renewal(s) due, but the contract_renewal process is not deployed"
    ]
    assert all(users["bureau"].get(f"/api/v1/officers/{i}")["renewals"] == [] for i in due)
