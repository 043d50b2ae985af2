"""The escalation's 新的完成期限 moves the overdue task's due date (issue 11, part 5), on SQLite and
PostgreSQL: the queue row (overdue mark, counts) and the data the task reads its due time from.

Before, the head could type a new date and nothing changed: the scoring task stayed overdue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.scheduler import run_once as fire_due_timers
from tests.api.appraisal_steps import seed, tasks_of
from tests.conftest import User
from workflows.ports import ManualClock

MONTH = "2026-11"
STATION = "police_station:gushan"


def overdue_count(user: User) -> int:
    return int(next(q for q in user.get("/api/v1/queues") if q["department"] == STATION)["overdue"])


def test_a_new_date_moves_the_overdue_task_and_its_count(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": MONTH}, expect=201)
    staff, head = users["gushan_station"], users["gushan_station_head"]
    scores = tasks_of(staff, STATION, "station_score")
    due = datetime.fromisoformat(staff.get(f"/api/v1/tasks/{scores[0]['id']}")["due_at"])
    clock.advance(due - clock.now() + timedelta(hours=1))  # 01:00 on 6 December, Beijing time
    assert fire_due_timers(ctx) > 0
    assert overdue_count(staff) == len(scores)
    escalation = tasks_of(head, STATION, "station_escalation")[0]
    score = next(t for t in scores if t["instance_id"] == escalation["instance_id"])
    url = f"/api/v1/tasks/{escalation['id']}/complete"

    # A day already over would be overdue again at once: refused by field, nothing moves.
    refused = head.post(url, {"data": {"action_taken": "电话督办", "new_due_date": "2026-12-05"}}, expect=422)
    assert set(refused["errors"]) == {"new_due_date"} and refused["message_en"]
    assert overdue_count(staff) == len(scores)

    head.post(url, {"data": {"action_taken": "电话督办，所长承诺10日前完成", "new_due_date": "2026-12-10"}})
    moved = staff.get(f"/api/v1/tasks/{score['id']}")
    # The end of the 10th in Beijing time is 16:00 UTC on the 10th; stored and returned as that instant.
    assert datetime.fromisoformat(moved["due_at"]) == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert datetime.fromisoformat(moved["data"]["due_at"]) == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert overdue_count(staff) == len(scores) - 1
    listed = {t["id"]: t for t in tasks_of(staff, STATION, "station_score")}
    assert listed[score["id"]]["overdue"] is False
    assert sum(t["overdue"] for t in listed.values()) == len(scores) - 1
    overdue_only = staff.get(f"/api/v1/queues/{STATION}/tasks?overdue=true&per_page=200")
    assert score["id"] not in {t["id"] for t in overdue_only["items"]}
    with ctx.database.reading() as session:
        event = session.scalars(
            select(AuditEventModel).where(AuditEventModel.action == "task_due_moved")
        ).one()
    assert event.actor == "gushan_station_head" and event.task_id == score["id"]
    assert event.payload["by_task"] == escalation["id"]
    assert datetime.fromisoformat(event.payload["to_due"]) == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    # Past the new date, it is overdue again.
    clock.advance(timedelta(days=5))
    assert overdue_count(staff) == len(scores)
