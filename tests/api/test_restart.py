"""A new app object over the same database resumes a half-done instance."""

from __future__ import annotations

from flask import Flask

from service.context import ServiceContext
from tests.api.recruitment_steps import complete, start_recruitment, the_task
from tests.conftest import User, build_app
from workflows.ports import ManualClock


def test_new_app_resumes_half_done_instance(
    app: Flask, users: dict[str, User], database_url: str, clock: ManualClock
) -> None:
    instance = start_recruitment(users["bureau"])
    complete(users["bureau"], "police_bureau", "draft_plan", {"plan_title": "计划", "monthly_salary": 4000})
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})
    old: ServiceContext = app.extensions["auxpolice"]
    old.database.dispose()

    restarted = build_app(database_url, clock)
    fresh = {name: User(restarted.test_client(), name) for name in ("bureau", "finance")}
    task = the_task(fresh["finance"], "finance", "confirm_funding")
    assert task["instance_id"] == instance["id"]
    complete(fresh["finance"], "finance", "confirm_funding", {"decision": "approve"})
    announcement = the_task(fresh["bureau"], "police_bureau", "publish_announcement")
    detail = fresh["bureau"].get(f"/api/v1/tasks/{announcement['id']}")
    assert detail["data"]["plan"]["total_posts"] == 46
    assert detail["data"]["campaign"]["campaign_id"] >= 1
    restarted.extensions["auxpolice"].database.dispose()
