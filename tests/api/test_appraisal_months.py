"""Each month's appraisal: the scheduler starts a due month by itself, and an admin or the sub-bureau's head
starts or re-runs one (issue 13, point 1). Idempotent, audited, refused to everyone else with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update

from service.cli import main
from service.context import ServiceContext
from service.persistence.models import AppraisalStartModel, AuditEventModel, OfficerModel
from service.usecases.appraisal import start_due_month
from service.usecases.names import Name, person_names
from tests.api.appraisal_steps import seed
from tests.conftest import User
from workflows.ports import ManualClock

# No officer on injury leave: the month start's answer and audit say so (service/usecases/injury_leave.py).
NO_LEAVE: dict[str, Any] = {"on_injury_leave": 0, "on_injury_leave_officers": []}


def month_runs(ctx: ServiceContext) -> list[tuple[str, dict[str, Any]]]:
    """The audited runs of a month's start: (actor, payload), oldest first."""
    with ctx.database.reading() as session:
        events = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.action == "appraisal_month_started")
            .order_by(AuditEventModel.id)
        )
        return [(event.actor, dict(event.payload)) for event in events]


def started_for(ctx: ServiceContext, month: str) -> int:
    with ctx.database.reading() as session:
        query = (
            select(func.count()).select_from(AppraisalStartModel).where(AppraisalStartModel.month == month)
        )
        return int(session.scalar(query) or 0)


def test_the_scheduler_starts_the_month_on_its_start_day_once(
    ctx: ServiceContext, clock: ManualClock
) -> None:
    seed(ctx)
    clock.advance(timedelta(days=5))  # 2026-12-01 in Beijing: before the start day (25th)
    assert start_due_month(ctx) is None
    assert started_for(ctx, "2026-12") == 0

    clock.advance(timedelta(days=24))  # 2026-12-25: the start day
    assert start_due_month(ctx) == {
        "officers": 46,
        "started": 46,
        "existing": 0,
        "on_injury_leave": 0,
        "on_injury_leave_officers": [],
    }
    assert start_due_month(ctx) is None  # the next round finds nothing missing and starts nothing
    assert month_runs(ctx) == [
        ("scheduler", {"month": "2026-12", "officers": 46, "started": 46, "existing": 0, **NO_LEAVE})
    ]

    # An officer who leaves after the start keeps the month's appraisal; nothing is missing, so the
    # scheduler does not re-run the month every round (it compared two counts before).
    with ctx.database.transaction() as session:
        first = session.scalars(select(OfficerModel.id).order_by(OfficerModel.id)).first()
        session.execute(update(OfficerModel).where(OfficerModel.id == first).values(status="resigned"))
    clock.advance(timedelta(hours=1))
    assert start_due_month(ctx) is None
    assert len(month_runs(ctx)) == 1


def test_the_bureau_head_and_an_admin_start_or_re_run_a_month(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    head, admin = users["bureau_head"], users["admin"]
    assert head.post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201) == {
        "officers": 46,
        "started": 46,
        "existing": 0,
        "on_injury_leave": 0,
        "on_injury_leave_officers": [],
    }
    assert admin.post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201) == {
        "officers": 46,
        "started": 0,
        "existing": 46,
        "on_injury_leave": 0,
        "on_injury_leave_officers": [],
    }
    assert started_for(ctx, "2026-11") == 46
    assert month_runs(ctx) == [
        ("bureau_head", {"month": "2026-11", "officers": 46, "started": 46, "existing": 0, **NO_LEAVE}),
        ("admin", {"month": "2026-11", "officers": 46, "started": 0, "existing": 46, **NO_LEAVE}),
    ]


def test_everyone_else_is_refused_with_the_reason(users: dict[str, User], ctx: ServiceContext) -> None:
    seed(ctx)
    for username in ("gushan_station_head", "boyu_gov_head"):  # heads, but not of the sub-bureau
        body = users[username].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=403)
        assert body["message"] == "只有系统管理员或公安分局负责人可以启动或补启月度考核"
        assert body["message_en"].startswith("Only an administrator or the head of the police sub-bureau")
    for username in ("bureau", "designer", "auditor"):
        users[username].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=403)
    assert started_for(ctx, "2026-11") == 0
    assert month_runs(ctx) == []


def test_an_operator_re_runs_a_month_from_the_command_line(app: Flask, ctx: ServiceContext) -> None:
    seed(ctx)
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["appraisal", "start-month", "2026-11"])
    assert first.exit_code == 0
    assert "2026-11: 46 started now, 0 there already, 46 officers in service" in first.output
    again = runner.invoke(main, ["appraisal", "start-month", "2026-11"])
    assert "2026-11: 0 started now, 46 there already, 46 officers in service" in again.output
    assert [actor for actor, _payload in month_runs(ctx)] == ["cli", "cli"]
    # The audit pages name the command line, not its code.
    with ctx.database.reading() as session:
        assert person_names(session, {"cli"})["cli"] == Name("命令行", "Command line")
