"""Issue 11, done when: due dates correct in China time on SQLite and PostgreSQL, in the browser.

The month's scoring is due at the end of 5 December in China time (16:00 UTC). On SQLite the pages showed
the 6th (a +08:00 wall time stored as if it were UTC came back eight hours late), and the queue showed
creation times in UTC without saying so. This module runs on both databases: the rest of tests/e2e is
pinned to SQLite by its conftest, so ``database_url`` is overridden here as tests/conftest.py builds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.context import ServiceContext
from tests.api.appraisal_steps import seed, tasks_of
from tests.conftest import User, postgres_schema_url
from tests.e2e.conftest import Pages
from tests.e2e.walk_steps import Walk, open_task, panel

STATION = "police_station:gushan"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_problem: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'auxpolice.db'}"
        return
    yield from postgres_schema_url(postgres_problem)


def test_due_day_and_times_in_china_time(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, database_url: str
) -> None:
    walk = Walk(pages, f"due-dates-{database_url.split(':', 1)[0]}")
    seed(ctx)
    # Started through the API: there is no web page to start a month yet (issue 13).
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    task = tasks_of(users["gushan_station"], STATION, "station_score")[0]
    assert task["due_at"].startswith("2026-12-05T16:00:00")  # the end of the 5th, stored as UTC
    officer = users["gushan_station"].get(f"/api/v1/tasks/{task['id']}")["data"]["officer_name"]

    page = walk.as_user("gushan_station")
    page.goto(f"/queues/{STATION}?q={officer}")
    row = page.locator("#tasks tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("2026-12-05")
    expect(row).not_to_contain_text("2026-12-06")
    # Created at 01:00 UTC on the test clock: 09:00 in Beijing, and said so.
    expect(row).to_contain_text("2026-11-26 09:00 北京时间")
    walk.visit(page, "01-queue")

    open_task(page, STATION, "派出所日常管理考核", officer)
    meta = page.locator("#task-meta")
    expect(meta).to_contain_text("2026-12-05")
    subject = panel(page, "scoring_subject")
    expect(subject).to_contain_text("2026-12-05")
    expect(subject).to_contain_text("北京时间")
    expect(page.locator("main")).not_to_contain_text("2026-12-06")
    walk.visit(page, "02-task")

    page.click("#task-meta a[href^='/instances/']")
    expect(page.locator("h1")).to_be_visible()
    tasks = page.locator("#instance-tasks tbody tr").filter(has_text="派出所日常管理考核")
    expect(tasks).to_contain_text("2026-12-05")
    expect(tasks).to_contain_text("2026-11-26 09:00 北京时间")
    expect(page.locator("main")).not_to_contain_text("2026-12-06 08:00")  # eight hours late, as it was
    walk.visit(page, "03-instance")
    walk.assert_pages_read_well()
