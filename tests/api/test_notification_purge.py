"""Purging old notifications (issue 15, point 5), on SQLite and PostgreSQL: the scheduler's daily purge and
`auxpolice notifications purge` delete notifications older than the retention, and their read rows, batch by
batch; a still open task's notifications stay, however old."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from service.cli import main
from service.context import ServiceContext
from service.persistence.models.notifications import NotificationModel, NotificationReadModel
from service.scheduler import run_forever
from tests.api.clean_form_steps import PLAN
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User
from workflows.ports import ManualClock


def stored(ctx: ServiceContext) -> tuple[list[str], int]:
    """The stored notifications (kind and task name, oldest first) and how many read rows there are."""
    with ctx.database.reading() as session:
        rows = session.execute(select(NotificationModel).order_by(NotificationModel.id)).scalars()
        kept = [f"{row.kind}:{row.task_name_zh}" for row in rows]
        reads = session.scalar(select(func.count()).select_from(NotificationReadModel))
    return kept, int(reads or 0)


def read_all_one_by_one(user: User) -> None:
    for item in user.get("/api/v1/notifications?per_page=50")["items"]:
        user.post(f"/api/v1/notifications/{item['id']}/read")


def test_old_notifications_are_purged_daily_and_on_demand(
    app: Flask, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", PLAN)  # the plan goes to Party Affairs for review
    read_all_one_by_one(bureau)
    read_all_one_by_one(party)
    assert stored(ctx) == (["new_task:起草用人计划", "new_task:审核用人计划及薪酬"], 2)

    # Kept 10 days here (180 by default): the demo users' tokens would not outlive 180.
    ctx.settings.notification_retention_days = 10
    clock.advance(timedelta(days=11))
    # The scheduler purges once a day: the drafted plan's notice (and who read it) goes, the review's stays
    # (the review is still open).
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(ctx, 0.05, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while stored(ctx)[1] != 1:
            assert time.monotonic() < deadline, "the scheduler purged nothing"
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert stored(ctx) == (["new_task:审核用人计划及薪酬"], 1)

    complete(party, "party_affairs", "review_plan", {"decision": "return", "reason": "薪酬标准偏低"})
    read_all_one_by_one(bureau)  # the plan comes back to its drafter: a new notice, read at once
    assert stored(ctx) == (["new_task:审核用人计划及薪酬", "returned:起草用人计划"], 2)

    runner = app.test_cli_runner()
    refused = runner.invoke(main, ["notifications", "purge", "--older-than-days", "0"])
    assert refused.exit_code == 2 and stored(ctx)[0][0] == "new_task:审核用人计划及薪酬"
    purged = runner.invoke(main, ["notifications", "purge", "--older-than-days", "10", "--batch", "1"])
    assert purged.exit_code == 0, purged.output
    assert "已删除 1 条 10 天前的通知 / deleted 1 notification(s) older than 10 days" in purged.output
    assert stored(ctx) == (["returned:起草用人计划"], 1)  # the review, done now, and its read row went

    clock.advance(timedelta(days=2))
    default = runner.invoke(main, ["notifications", "purge"])  # AUXPOLICE_NOTIFICATION_RETENTION_DAYS
    assert default.exit_code == 0 and "已删除 0 条 10 天前的通知" in default.output
    assert runner.invoke(main, ["notifications", "purge", "--older-than-days", "1"]).exit_code == 0
    assert stored(ctx) == (["returned:起草用人计划"], 1)  # old, but its task (the redraft) is open
    assert bureau.get("/api/v1/notifications/count")["unread"] == 0
