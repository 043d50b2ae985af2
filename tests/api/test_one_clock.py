"""One clock (issue 10, item 7): no timer fires except through the service's clock and its scheduler
path, audited as ``timer_executed`` with its due time and firing time.

Before, SpiffWorkflow compared due times with its own ``datetime.now()`` whenever the engine stepped: a
month started after its deadline got no timer rows, 92 escalation tasks and no ``timer_executed`` event;
a deadline passing before the scheduler's round fired inside the next user completion, unaudited. The
test clock is fixed at 26 November 2026 while these tests run later than that, so the library's own
clock would fire every timer below at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, TimerModel
from service.scheduler import run_once
from tests.api.appraisal_steps import rubric, seed, tasks_of
from tests.conftest import User
from workflows.ports import ManualClock

LATE_MONTH = "2026-10"  # scoring was due at the end of 5 November; the clock says 26 November


def timer_events(ctx: ServiceContext) -> list[dict[str, str]]:
    with ctx.database.reading() as session:
        return [
            event.payload
            for event in session.scalars(
                select(AuditEventModel).where(AuditEventModel.action == "timer_executed")
            )
        ]


def unfired_timers(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(TimerModel).where(TimerModel.fired_at.is_(None)))
            or 0
        )


def escalations(users: dict[str, User]) -> int:
    return sum(
        len(tasks_of(users[f"{town}_station_head"], f"police_station:{town}", "station_escalation"))
        + len(tasks_of(users[f"{town}_gov_head"], f"town_gov:{town}", "town_escalation"))
        for town in ("gushan", "boyu")
    )


def test_a_month_started_late_escalates_through_the_scheduler(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": LATE_MONTH}, expect=201)
    # Started: both scoring tasks of each of the 46 officers wait, their deadlines already past, as
    # timer rows for the scheduler; nothing fired inside the start.
    assert escalations(users) == 0 and timer_events(ctx) == []
    assert unfired_timers(ctx) == 46 * 2
    assert run_once(ctx) == 46 * 2
    assert escalations(users) == 46 * 2 and unfired_timers(ctx) == 0
    events = timer_events(ctx)
    assert len(events) == 46 * 2
    for payload in events:
        detail = payload["detail"] if "detail" in payload else payload
        due, fired = datetime.fromisoformat(detail["due_at"]), datetime.fromisoformat(detail["fired_at"])
        assert due < fired == clock.now()


def test_a_deadline_passing_fires_only_in_the_scheduler_round(
    users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    station = users["gushan_station"]
    task = tasks_of(station, "police_station:gushan", "station_score")[0]
    due = datetime.fromisoformat(station.get(f"/api/v1/tasks/{task['id']}")["due_at"])
    clock.advance(due - clock.now() + timedelta(hours=2))
    # The deadline has passed but the scheduler has not run: a person's completion steps the instance
    # and must not fire its other branch's timer on the side.
    station.post(
        f"/api/v1/tasks/{task['id']}/complete",
        {"data": {"station_items": rubric("station_score.json", "station_items", 0.9)}},
    )
    assert escalations(users) == 0 and timer_events(ctx) == []
    fired = run_once(ctx)
    # The completed station task's own timer is gone with it; every other deadline fires now, audited.
    assert fired == 46 * 2 - 1 == len(timer_events(ctx)) and escalations(users) == fired
