"""Queues fit the roles (issue 11, part 6), through HTTP on SQLite and PostgreSQL: head-only tasks are
neither listed nor counted for plain staff, heads see them, auditors read everything; a head's
reassignment needs a reason, which the audit trail keeps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import seed, tasks_of
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
STATION = "police_station:gushan"


def overdue_month(users: dict[str, User], ctx: ServiceContext, clock: ManualClock) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    task = tasks_of(users["gushan_station"], STATION, "station_score")[0]
    due = users["gushan_station"].get(f"/api/v1/tasks/{task['id']}")["due_at"]
    clock.advance(datetime.fromisoformat(due) - clock.now() + timedelta(minutes=1))
    assert fire_due_timers(ctx) > 0


def test_staff_neither_see_nor_count_head_only_tasks(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    overdue_month(users, ctx, clock)
    staff, head, auditor = users["gushan_station"], users["gushan_station_head"], users["auditor"]
    scores = tasks_of(staff, STATION, "station_score")
    escalations = tasks_of(head, STATION, "station_escalation")
    assert escalations and len(escalations) == len(scores)
    assert tasks_of(staff, STATION, "station_escalation") == []
    assert len(tasks_of(auditor, STATION, "station_escalation")) == len(escalations)
    staff_queue = next(q for q in staff.get("/api/v1/queues") if q["department"] == STATION)
    head_queue = next(q for q in head.get("/api/v1/queues") if q["department"] == STATION)
    assert staff_queue["open"] == len(scores)
    assert head_queue["open"] == len(scores) + len(escalations)
    listing = staff.get(f"/api/v1/queues/{STATION}/tasks?per_page=200")
    assert listing["total"] == len(scores) and not any(t["head_only"] for t in listing["items"])


def test_a_reassignment_needs_a_reason_and_the_audit_keeps_it(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    start_recruitment(users["bureau"])
    task = the_task(users["bureau"], "police_bureau", "draft_plan")
    head = users["bureau_head"]
    users["bureau"].post(f"/api/v1/tasks/{task['id']}/claim")
    for body in ({"username": "bureau_head"}, {"username": "bureau_head", "reason": ""}):
        refused = head.post(f"/api/v1/tasks/{task['id']}/reassign", body, expect=422)
        assert set(refused) >= {"code", "status", "message", "message_en", "errors"}
        assert "reason" in refused["errors"]
    # Whitespace is no reason either (the web form posts it as typed).
    blank = head.post(
        f"/api/v1/tasks/{task['id']}/reassign", {"username": "bureau_head", "reason": "   "}, expect=422
    )
    assert "reason" in blank["errors"] and blank["message_en"]
    assert users["bureau"].get(f"/api/v1/tasks/{task['id']}")["claimed_by"] == "bureau"
    taken = head.post(
        f"/api/v1/tasks/{task['id']}/reassign", {"username": "bureau_head", "reason": "王警官休假，由我接手"}
    )
    assert taken["claimed_by"] == "bureau_head" and taken["state"] == "claimed"
    with ctx.database.reading() as session:
        event = session.scalars(
            select(AuditEventModel).where(
                AuditEventModel.action == "task_reassigned", AuditEventModel.task_id == task["id"]
            )
        ).one()
    assert event.actor == "bureau_head"
    reason = "王警官休假，由我接手"
    assert event.payload == {"from_user": "bureau", "to_user": "bureau_head", "reason": reason}


def test_a_head_only_task_goes_only_to_a_head(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    overdue_month(users, ctx, clock)
    head = users["gushan_station_head"]
    escalation = tasks_of(head, STATION, "station_escalation")[0]
    refused = head.post(
        f"/api/v1/tasks/{escalation['id']}/reassign",
        {"username": "gushan_station", "reason": "请刘警官督办"},
        expect=422,
    )
    assert "username" in refused["errors"]
    mine = head.post(
        f"/api/v1/tasks/{escalation['id']}/reassign",
        {"username": "gushan_station_head", "reason": "本人督办"},
    )
    assert mine["claimed_by"] == "gushan_station_head"


def test_a_refusal_names_the_department_not_its_code(users: dict[str, User]) -> None:
    refused = users["bureau"].get("/api/v1/queues/finance/tasks", expect=403)
    assert refused["message"] == "您不属于部门 财政金融局，无权查看或办理该部门的任务"
    assert (
        refused["message_en"] == "You are not a member of Finance Bureau, so you cannot see or do its tasks"
    )
