"""GET /api/v1/audit/verify?instance_id=ID (issue 16, point 3): one instance's events and their neighbours
re-computed for the auditor."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from service.context import ServiceContext
from tests.api.recruitment_steps import complete, start_recruitment
from tests.api.test_audit_chain import sql
from tests.conftest import User


def events(ctx: ServiceContext) -> list[Any]:
    return sql(ctx, "SELECT id, seq, hash, action, instance_id, payload FROM audit_events ORDER BY seq")


def recruitment(users: dict[str, User]) -> None:
    """A recruitment started, its plan drafted and approved: about a dozen events on two instances' chain."""
    bureau = users["bureau"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "2026年招聘计划", "monthly_salary": 4200})
    complete(users["party"], "party_affairs", "review_plan", {"decision": "approve"})


def edit_payload(ctx: ServiceContext, row: Any, change: dict[str, Any]) -> None:
    payload = json.loads(row.payload) if isinstance(row.payload, str) else dict(row.payload)
    payload.update(change)
    sql(ctx, "UPDATE audit_events SET payload = :p WHERE id = :id", p=json.dumps(payload), id=row.id)


def test_the_auditor_checks_one_instance_through_the_api(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    recruitment(users)
    rows = events(ctx)
    instance_id = next(row.instance_id for row in rows if row.action == "instance_started")
    own = [row for row in rows if row.instance_id == instance_id]
    auditor = users["auditor"]
    url = f"/api/v1/audit/verify?instance_id={instance_id}"
    assert auditor.get(url) == {
        "intact": True,
        "checked": len(own),
        "problems": [],
        "instance_id": instance_id,
    }
    started = next(row for row in own if row.action == "instance_started")
    edit_payload(ctx, started, {"business_key": "forged"})
    found = auditor.get(url)
    assert found["intact"] is False and found["checked"] == len(own)
    assert [(p["kind"], p["seq"], p["event_id"]) for p in found["problems"]] == [
        ("altered", started.seq, started.id)
    ]
    assert (
        auditor.get("/api/v1/audit/verify?instance_id=999999", expect=404)["message"]
        == "流程实例 999999 不存在"
    )
    users["bureau"].get(url, expect=403)
