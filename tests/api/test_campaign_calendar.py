"""The campaign calendar through HTTP, on SQLite and PostgreSQL (issue 13, point 2): the bureau head
closes and extends registration, extends and ends a public notice early where the model allows it, and a
department head extends a task's due date; each with a reason, audited before and after. A moved timer
fires at its new time, not the old one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, CampaignModel, TimerModel
from service.scheduler import run_once as fire_due_timers
from service.usecases.definitions import deploy_files
from service.usecases.recruitment.calendar import end_of_day
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.calendar_steps import beijing_today, hire_one, open_campaign
from tests.api.recruitment_steps import (
    applicant,
    birth_for_age,
    open_tasks,
    the_task,
)
from tests.conftest import User
from workflows.ports import ManualClock
from workflows.specs import attach_forms, read_bundle

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def timer_rows(ctx: ServiceContext) -> list[TimerModel]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(TimerModel).where(TimerModel.fired_at.is_(None))))


def events(ctx: ServiceContext, action: str) -> list[AuditEventModel]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(AuditEventModel).where(AuditEventModel.action == action)))


def test_extended_registration_closes_at_the_new_time_not_the_old(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    head, staff = users["bureau_head"], users["bureau"]
    campaign_id = open_campaign(users, clock)
    today = beijing_today(clock)
    url = f"/api/v1/campaigns/{campaign_id}/calendar/extend-registration"
    old_close = end_of_day(today + timedelta(days=10))
    calendar = staff.get(f"/api/v1/campaigns/{campaign_id}/calendar")
    assert calendar["notice_days"] == 7 and calendar["can_change"] is False
    [timer] = calendar["timers"]
    assert timer["kind"] == "registration" and datetime.fromisoformat(timer["due_at"]) == old_close

    # Only the bureau head, with a reason, to a later day.
    body = {"registration_end": (today + timedelta(days=15)).isoformat(), "reason": "报名人数不足"}
    refused = staff.post(url, body, expect=403)
    assert refused["message"] and refused["message_en"]
    missing = head.post(url, {**body, "reason": "   "}, expect=422)
    assert set(missing["errors"]) == {"reason"}
    earlier = head.post(url, {**body, "registration_end": today.isoformat()}, expect=422)
    assert set(earlier["errors"]) == {"registration_end"}

    moved = head.post(url, body)
    new_close = end_of_day(today + timedelta(days=15))
    assert datetime.fromisoformat(moved["closes_at"]) == new_close
    # The engine state, the timer row and the campaign agree.
    [row] = timer_rows(ctx)
    assert row.due_at == new_close
    with ctx.database.reading() as session:
        campaign = session.get(CampaignModel, campaign_id)
        assert campaign is not None
        assert campaign.closes_at == new_close and campaign.registration_end == today + timedelta(days=15)
    [event] = events(ctx, "registration_extended")
    assert event.actor == "bureau_head" and event.payload["reason"] == "报名人数不足"
    assert event.payload["before"]["registration_end"] == (today + timedelta(days=10)).isoformat()
    assert datetime.fromisoformat(event.payload["after"]["closes_at"]) == new_close

    # At the old time nothing fires and applications are still taken; at the new time registration closes.
    apply_url = f"/api/v1/campaigns/{campaign_id}/applications"
    clock.advance(old_close - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) == 0
    staff.post(apply_url, applicant(1, "gs-v01", birth_for_age(today, 25)), expect=201)
    clock.advance(new_close - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) == 1
    staff.post(apply_url, applicant(2, "gs-v01", birth_for_age(today, 25)), expect=409)
    assert the_task(staff, "police_bureau", "enter_exam_scores")
    history = staff.get(f"/api/v1/campaigns/{campaign_id}/calendar")["history"]
    assert [(h["action"], h["actor"], h["reason"]) for h in history] == [
        ("registration_extended", "bureau_head", "报名人数不足")
    ]
    # Registration is over: nothing more to move.
    late = head.post(url, {**body, "registration_end": (today + timedelta(days=30)).isoformat()}, expect=409)
    assert late["message_en"]


def test_closing_registration_now_and_extending_a_notice_of_the_campaigns_length(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    head, staff, company = users["bureau_head"], users["bureau"], users["company"]
    campaign_id, post = hire_one(users, ctx, clock, notice_days=3)
    [closed] = events(ctx, "registration_closed_early")
    assert closed.payload["reason"] == "报名人数已满足需要" and closed.payload["before"]["closes_at"]

    calendar = staff.get(f"/api/v1/campaigns/{campaign_id}/calendar")
    assert calendar["notice_days"] == 3
    [notice] = [t for t in calendar["timers"] if t["kind"] == "notice"]
    assert notice["instance_id"] == post and notice["may_end_early"] is True
    old_end = datetime.fromisoformat(notice["due_at"])
    assert old_end == clock.now() + timedelta(days=3)  # the announcement's 3 days, not a global setting

    url = f"/api/v1/campaigns/{campaign_id}/notices/{post}/extend"
    new_day = beijing_today(clock) + timedelta(days=6)
    staff.post(url, {"ends_on": new_day.isoformat(), "reason": "公示期间收到反映，需核实"}, expect=403)
    moved = head.post(url, {"ends_on": new_day.isoformat(), "reason": "公示期间收到反映，需核实"})
    assert datetime.fromisoformat(moved["ends_at"]) == end_of_day(new_day)
    data = staff.get(f"/api/v1/instances/{post}")["data"]
    assert datetime.fromisoformat(data["notice"]["ends_at"]) == end_of_day(new_day)
    shorter = head.post(url, {"ends_on": beijing_today(clock).isoformat(), "reason": "x"}, expect=422)
    assert "ends_on" in shorter["errors"]

    clock.advance(old_end - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) == 0
    assert open_tasks(company, "service_company", "sign_contract") == []
    clock.advance(end_of_day(new_day) - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) == 1
    assert len(open_tasks(company, "service_company", "sign_contract")) == 1
    history = staff.get(f"/api/v1/campaigns/{campaign_id}/calendar")["history"]
    assert [h["action"] for h in history] == ["notice_extended", "registration_closed_early"]
    assert history[0]["before"]["ends_at"] and history[0]["after"]["ends_at"]
    # The notice is over: nothing left to end.
    head.post(f"/api/v1/campaigns/{campaign_id}/notices/{post}/end", {"reason": "x"}, expect=409)


def test_a_notice_ends_early_only_where_the_model_allows_it(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    head, company = users["bureau_head"], users["company"]
    campaign_id, post = hire_one(users, ctx, clock)
    url = f"/api/v1/campaigns/{campaign_id}/notices/{post}/end"
    head.post(url, {"reason": "岗位急需，经研究提前结束公示"})
    [event] = events(ctx, "notice_ended_early")
    assert event.payload["after"]["ends_at"] < event.payload["before"]["ends_at"]
    assert fire_due_timers(ctx) == 1
    assert len(open_tasks(company, "service_company", "sign_contract")) == 1

    # A model whose notice does not allow it: the same request is refused, nothing moves.
    files = read_bundle(BPMN / "recruitment")
    files["post_hiring.bpmn"] = files["post_hiring.bpmn"].replace(
        'name="mayEndEarly" value="true"', 'name="mayEndEarly" value="false"'
    )
    assert 'value="false"' in files["post_hiring.bpmn"]
    files = attach_forms(files, ctx.settings.forms_dir)
    deploy_files(ctx, files, "designer")
    second, strict = hire_one(users, ctx, clock, key="2026-second")
    refused = head.post(
        f"/api/v1/campaigns/{second}/notices/{strict}/end", {"reason": "提前结束"}, expect=409
    )
    assert refused["message"] == "流程模型不允许提前结束这一等待，只能延长"
    assert refused["message_en"] != refused["message"]
    assert len(events(ctx, "notice_ended_early")) == 1
    # Another campaign's instance is not this campaign's notice.
    head.post(f"/api/v1/campaigns/{campaign_id}/notices/{strict}/end", {"reason": "x"}, expect=404)


def test_a_head_extends_a_tasks_due_date_in_the_row_and_the_data(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    staff, head, other = users["gushan_station"], users["gushan_station_head"], users["boyu_station_head"]
    task = tasks_of(staff, "police_station:gushan", "station_score")[0]
    url = f"/api/v1/tasks/{task['id']}/due-date"
    body = {"due_on": "2026-12-12", "reason": "辅警休假，延后评分"}
    staff.post(url, body, expect=403)
    other.post(url, body, expect=403)
    head.post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/due-date", body, expect=404)
    earlier = head.post(url, {**body, "due_on": "2026-12-01"}, expect=422)
    assert set(earlier["errors"]) == {"due_on"}
    moved = head.post(url, body)
    due = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)
    assert datetime.fromisoformat(moved["due_at"]) == due
    detail = staff.get(f"/api/v1/tasks/{task['id']}")
    assert datetime.fromisoformat(detail["due_at"]) == due
    assert datetime.fromisoformat(detail["data"]["due_at"]) == due
    [event] = events(ctx, "task_due_extended")
    assert event.actor == "gushan_station_head" and event.department_code == "police_station:gushan"
    assert event.payload["reason"] == "辅警休假，延后评分"
    assert event.payload["before"]["due_at"] != event.payload["after"]["due_at"]
