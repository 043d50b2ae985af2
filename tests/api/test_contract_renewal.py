"""Contract renewal over HTTP (issue 13 point 5, issue 17 point 3): raised 60 days ahead once per contract,
the service company's opinion, a head of the sub-bureau's decision on the term's appraisals (not by whoever
gave the opinion), then renewed by the company's signature (a new contract recorded on the officer, the old
one in the history, the next renewal raised from the new end), or ended at the contract's end when not
renewed (the post a vacancy); no decision by the end is escalated to the heads."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from service.cli import main
from service.context import ServiceContext
from service.persistence.models import InstanceModel, OfficerModel
from service.scheduler import run_forever
from service.scheduler import run_once as fire_due_timers
from service.usecases.recruitment.plan import officers_in_service
from service.usecases.roster import start_due_renewals
from service.usecases.roster.contracts import contract_history
from service.usecases.roster.listing import officer_row
from tests.api.appraisal_steps import add_history
from tests.api.recruitment_steps import open_tasks
from tests.api.roster_steps import events, officer, seed_officers, set_contract_end
from tests.api.test_identity import new_user
from tests.conftest import User
from workflows.ports import CHINA, ManualClock


def china_today(clock: ManualClock) -> date:
    return clock.now().astimezone(CHINA).date()


OPINION = {"officer_intention": "willing", "company_recommends": True, "company_remarks": "本人愿意续签"}


def give_opinion(company: User, opinion: dict | None = None) -> None:
    [task] = open_tasks(company, "service_company", "company_opinion")
    company.post(f"/api/v1/tasks/{task['id']}/complete", {"data": opinion or OPINION})


def raise_one(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock, days: int = 60
) -> tuple[int, dict]:
    """One officer's contract ends in ``days``; the scheduler's round raises its renewal and the company
    gives its opinion: the decision task is the sub-bureau head's."""
    seed_officers(ctx)
    officer_id = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]["id"]
    set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=days))
    assert start_due_renewals(ctx) == 1
    give_opinion(users["company"])
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
    # The term (2026-01-01 on) is shorter than twelve months: the grounds go back to 2025-12, not further.
    add_history(ctx, [(first, "2025-11", "excellent"), (first, "2026-09", "competent")])
    add_history(ctx, [(first, "2026-10", "incompetent")])

    assert start_due_renewals(ctx) == 1  # 60 days ahead: the first; the second is 61 days off
    assert start_due_renewals(ctx) == 0  # the next round raises nothing again
    company = users["company"]
    [task] = open_tasks(company, "service_company", "company_opinion")
    detail = company.get(f"/api/v1/tasks/{task['id']}")
    assert detail["data"]["officer_id"] == first
    panels = {p["name"]: p for p in detail["grounds"]}
    assert list(panels) == ["officer_contract", "contract_appraisals", "officer_rewards"]
    values = {f["label_zh"]: f["value_zh"] for f in panels["officer_contract"]["fields"]}
    assert values["合同期限"].endswith((today + timedelta(days=60)).isoformat())
    assert values["村（社区）"] == rows[0]["village_name"] and values["状态"].startswith("在岗")
    term = panels["contract_appraisals"]
    assert term["title_zh"] == "本合同期考核记录（2025-12 起）"
    assert [r[1]["value_zh"] for r in term["rows"]] == ["不称职", "称职"]
    assert term["fields"][0]["value_zh"] == "称职 1 个月；不称职 1 个月；一票否决 0 次"
    assert panels["officer_rewards"]["text_zh"] == "本合同期内没有奖励决定。"
    assert detail["due_at"]  # the company's ten days (dueInDays on the model)

    clock.advance(timedelta(days=1))
    assert start_due_renewals(ctx) == 1  # now the second; the one who resigned never gets one
    assert start_due_renewals(ctx) == 0
    renewals = bureau.get(f"/api/v1/officers/{first}")["renewals"]
    assert [r["contract_end"] for r in renewals] == [(today + timedelta(days=60)).isoformat()]
    assert renewals[0]["instance_status"] == "running"
    assert len(open_tasks(company, "service_company", "company_opinion")) == 2
    # Nobody starts it by hand through the API.
    refused = users["bureau_head"].post(
        "/api/v1/instances", {"process_id": "contract_renewal", "data": {}}, expect=403
    )
    assert "定时任务" in refused["message"]


def test_a_head_who_did_not_give_the_opinion_decides_and_the_company_signs_the_next_contract(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    officer_id = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]["id"]
    old = officer(ctx, officer_id)
    set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=60))
    old_end = officer(ctx, officer_id).contract_end
    assert start_due_renewals(ctx) == 1
    # A head of the sub-bureau who also works for the company gives the company's opinion ...
    both = new_user(
        users, "bureau_and_company", ["police_bureau", "service_company"], heads_of=["police_bureau"]
    )
    give_opinion(both)
    [task] = open_tasks(users["bureau_head"], "police_bureau", "decide_renewal")
    detail = users["bureau_head"].get(f"/api/v1/tasks/{task['id']}")
    assert [p["name"] for p in detail["grounds"]][0] == "renewal_opinion"
    opinion = {f["label_zh"]: f["value_zh"] for f in detail["grounds"][0]["fields"]}
    assert opinion["辅警本人续签意愿"] == "愿意续签" and opinion["提出人"] == "bureau_and_company"
    url = f"/api/v1/tasks/{task['id']}/complete"
    # ... so may not decide; nor may staff who are not heads.
    refused = both.post(url, {"data": {"renew": True}}, expect=403)
    assert "职责分离" in refused["message"] and "服务公司续签意见" in refused["message"]
    users["bureau"].post(url, {"data": {"renew": True}}, expect=403)
    users["bureau_head"].post(url, {"data": {"renew": True}})

    company = users["company"]
    [sign] = open_tasks(company, "service_company", "sign_renewal")
    assert company.get(f"/api/v1/tasks/{sign['id']}")["data"]["next_contract_start"] == "2027-01-26"
    sign_url = f"/api/v1/tasks/{sign['id']}/complete"
    good = {"new_contract_number": "WH-XQ-2027-001", "new_contract_start": "2027-01-26"}
    gap = company.post(
        sign_url,
        {"data": {**good, "new_contract_start": "2027-02-01", "new_contract_end": "2030-01-25"}},
        expect=422,
    )
    assert "新合同应自现合同期满次日 2027-01-26 起算" in gap["message"]
    assert gap["message_en"].startswith("The new contract must start on 2027-01-26")
    too_long = company.post(sign_url, {"data": {**good, "new_contract_end": "2030-01-26"}}, expect=422)
    assert "续签合同期限应为 24 至 36 个月，即结束日期在 2029-01-25 至 2030-01-25 之间" in too_long["message"]
    company.post(sign_url, {"data": {**good, "new_contract_end": "2028-12-31"}}, expect=422)  # too short
    same_number = {**good, "new_contract_number": old.contract_number, "new_contract_end": "2030-01-25"}
    company.post(sign_url, {"data": same_number}, expect=422)
    assert officer(ctx, officer_id).contract_end == old_end  # nothing written by the refusals
    company.post(sign_url, {"data": {**good, "new_contract_end": "2030-01-25"}})

    renewed = users["bureau"].get(f"/api/v1/officers/{officer_id}")
    assert (renewed["contract_number"], renewed["contract_start"], renewed["contract_end"]) == (
        "WH-XQ-2027-001",
        "2027-01-26",
        "2030-01-25",
    )
    assert renewed["status"] == "in_service"
    assert renewed["renewals"][0]["instance_status"] == "completed"
    current, earlier = renewed["contracts"]
    assert (current["contract_number"], current["outcome_label"]) == ("WH-XQ-2027-001", "履行中")
    assert (earlier["contract_number"], earlier["contract_start"], earlier["contract_end"]) == (
        old.contract_number,
        "2026-01-01",
        old_end.isoformat(),
    )
    assert earlier["outcome_label"] == "期满续签" and earlier["renewed_by"] == "company"
    assert earlier["renewal_instance_id"] == renewed["renewals"][0]["instance_id"]
    [event] = events(ctx, "contract_renewed")
    assert event.payload["before"]["contract_end"] == old_end.isoformat()
    assert event.payload["after"]["contract_number"] == "WH-XQ-2027-001"
    assert start_due_renewals(ctx) == 0  # the new contract is years off
    # 60 days before the new end the next renewal is raised, for the new contract (the others' contracts,
    # ended by then in the demo's data, are moved out of the way).
    with ctx.database.transaction() as session:
        session.execute(
            update(OfficerModel).where(OfficerModel.id != officer_id).values(contract_end=date(2031, 12, 31))
        )
    clock.advance(timedelta(days=(date(2030, 1, 25) - china_today(clock)).days - 61))
    assert start_due_renewals(ctx) == 0
    clock.advance(timedelta(days=1))
    assert start_due_renewals(ctx) == 1
    with ctx.database.reading() as session:
        [raised] = session.scalars(
            select(InstanceModel).where(InstanceModel.business_key == f"{officer_id}/2030-01-25")
        )
        assert raised.process_id == "contract_renewal"


def test_an_officer_who_left_meanwhile_is_not_renewed(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    officer_id, task = raise_one(users, ctx, clock)
    head, company = users["bureau_head"], users["company"]
    head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"renew": True}})
    today = china_today(clock).isoformat()
    next_start = (officer(ctx, officer_id).contract_end + timedelta(days=1)).isoformat()
    head.post(f"/api/v1/officers/{officer_id}/status", {"status": "resigned", "on": today, "reason": "辞职"})
    before = officer(ctx, officer_id)
    [sign] = open_tasks(company, "service_company", "sign_renewal")
    panels = {p["name"]: p for p in company.get(f"/api/v1/tasks/{sign['id']}")["grounds"]}
    assert any(f["value_zh"].startswith("辞职") for f in panels["officer_contract"]["fields"])
    data = {
        "new_contract_number": "WH-XQ-1",
        "new_contract_start": next_start,
        "new_contract_end": "2029-12-31",
    }
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
        # The post is free for the next campaign: the staffing plan counts it as a vacancy.
        assert ended.village_code not in officers_in_service(session)
        row = officer_row(session, officer_id)
        assert row is not None
        [contract] = contract_history(session, row)
    assert serving == 45
    assert (contract["outcome_label"], contract["ended_on"]) == ("期满终止", end)
    [event] = events(ctx, "officer_status_changed")
    assert event.payload["before"]["status"] == "in_service"
    assert event.payload["after"]["status"] == "contract_ended"
    assert start_due_renewals(ctx) == 0


def test_no_opinion_or_decision_by_the_contract_end_is_escalated_and_the_officer_stays_until_it_comes(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed_officers(ctx)
    officer_id = users["bureau"].get("/api/v1/officers?village=gs-v01")["items"][0]["id"]
    set_contract_end(ctx, officer_id, china_today(clock) + timedelta(days=10))
    end = officer(ctx, officer_id).contract_end
    assert start_due_renewals(ctx) == 1
    clock.advance(timedelta(days=11))  # the contract's last day is over: no opinion, no decision
    assert fire_due_timers(ctx) == 1
    head = users["bureau_head"]
    [escalation] = open_tasks(head, "police_bureau", "renewal_overdue")
    users["bureau"].post(f"/api/v1/tasks/{escalation['id']}/claim", expect=403)  # the heads' follow-up
    notified = head.get("/api/v1/notifications?per_page=200")["items"]
    assert any(n["kind"] == "escalation" and n["task_id"] == escalation["id"] for n in notified)
    # The officer stays in service: no decision is no dismissal; the opinion is still open.
    assert officer(ctx, officer_id).status == "in_service"
    head.post(f"/api/v1/tasks/{escalation['id']}/complete", {"data": {"action_taken": "已督促服务公司"}})
    give_opinion(users["company"])
    # The decision, due after the contract's end already, is followed up at once too.
    assert fire_due_timers(ctx) == 1
    [task] = open_tasks(head, "police_bureau", "decide_renewal")
    [second] = open_tasks(head, "police_bureau", "renewal_overdue")
    assert second["id"] != escalation["id"] and second["subject"] == task["subject"]
    head.post(f"/api/v1/tasks/{second['id']}/complete", {"data": {"action_taken": "已督促决定"}})
    decision = {"renew": False, "decision_reason": "本人考核不称职"}
    head.post(f"/api/v1/tasks/{task['id']}/complete", {"data": decision})
    # Decided late not to renew: the officer, who kept working, leaves on the day of the decision (the
    # contract's end timer, past already, fires at the next round), not back on the contract's end date.
    assert fire_due_timers(ctx) == 1
    ended = officer(ctx, officer_id)
    assert (ended.status, ended.left_on) == ("contract_ended", china_today(clock))
    assert ended.left_on > end


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
    assert len(open_tasks(users["company"], "service_company", "company_opinion")) == 2


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
