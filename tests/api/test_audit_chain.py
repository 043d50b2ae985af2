"""Tamper detection: events edited, deleted, reordered or slipped in behind the service's back are named by
GET /api/v1/audit/verify and by `auxpolice audit verify` (exit code 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import text

from service.cli import main
from service.context import ServiceContext
from tests.api.recruitment_steps import complete, start_recruitment
from tests.conftest import User


def run_cli(app: Flask) -> Result:
    return app.test_cli_runner().invoke(main, ["audit", "verify"])


def verify(users: dict[str, User]) -> dict[str, Any]:
    return users["auditor"].get("/api/v1/audit/verify")  # type: ignore[no-any-return]


def sql(ctx: ServiceContext, statement: str, **params: Any) -> list[Any]:
    """Run raw SQL on the database, bypassing the service (and its commit hook)."""
    with ctx.database.engine.begin() as connection:
        result = connection.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def events(ctx: ServiceContext) -> list[Any]:
    return sql(ctx, "SELECT id, seq, action, actor, payload FROM audit_events ORDER BY seq")


@pytest.fixture
def activity(users: dict[str, User], ctx: ServiceContext, app: Flask) -> list[Any]:
    """A recruitment started and two tasks completed through the API; the chain checks out."""
    bureau, party = users["bureau"], users["party"]
    start_recruitment(bureau)
    complete(bureau, "police_bureau", "draft_plan", {"plan_title": "2026年招聘计划", "monthly_salary": 4200})
    complete(party, "party_affairs", "review_plan", {"decision": "approve"})
    result = verify(users)
    rows = events(ctx)
    assert result == {"intact": True, "checked": len(rows), "problems": []}
    assert len(rows) >= 8 and [row.seq for row in rows] == list(range(1, len(rows) + 1))
    cli = run_cli(app)
    assert cli.exit_code == 0, cli.output
    assert f"已检查 {len(rows)} 条审计事件" in cli.output and "审计链完整" in cli.output
    return rows


def completion(rows: list[Any], actor: str) -> Any:
    return next(row for row in rows if row.action == "task_completed" and row.actor == actor)


def test_an_edited_event_is_reported_as_altered(
    users: dict[str, User], ctx: ServiceContext, app: Flask, activity: list[Any]
) -> None:
    approval = completion(activity, "party")
    payload = json.loads(approval.payload) if isinstance(approval.payload, str) else approval.payload
    assert payload["submitted"] == {"decision": "approve"}
    payload["submitted"]["decision"] = "return"
    sql(ctx, "UPDATE audit_events SET payload = :p WHERE id = :id", p=json.dumps(payload), id=approval.id)

    result = verify(users)
    assert result["intact"] is False and result["checked"] == len(activity)
    assert [(p["kind"], p["seq"], p["event_id"]) for p in result["problems"]] == [
        ("altered", approval.seq, approval.id)
    ]
    cli = run_cli(app)
    assert cli.exit_code == 1
    assert "[内容被篡改]" in cli.output and f"第 {approval.seq} 条事件（id {approval.id}）" in cli.output


def test_an_edited_actor_is_reported_as_altered(
    users: dict[str, User], ctx: ServiceContext, activity: list[Any]
) -> None:
    draft = completion(activity, "bureau")
    sql(ctx, "UPDATE audit_events SET actor = 'party' WHERE id = :id", id=draft.id)
    problems = verify(users)["problems"]
    assert [(p["kind"], p["seq"]) for p in problems] == [("altered", draft.seq)]


def test_a_deleted_event_is_reported_as_removed(
    users: dict[str, User], ctx: ServiceContext, app: Flask, activity: list[Any]
) -> None:
    draft = completion(activity, "bureau")
    sql(ctx, "DELETE FROM audit_events WHERE id = :id", id=draft.id)

    result = verify(users)
    assert result["intact"] is False and result["checked"] == len(activity) - 1
    assert [(p["kind"], p["seq"]) for p in result["problems"]] == [("removed", draft.seq)]
    assert f"第 {draft.seq}" in result["problems"][0]["message"]
    cli = run_cli(app)
    assert cli.exit_code == 1
    assert "[事件被删除]" in cli.output and f"第 {draft.seq}–{draft.seq} 条事件缺失" in cli.output


def test_swapped_events_are_reported_as_reordered(
    users: dict[str, User], ctx: ServiceContext, app: Flask, activity: list[Any]
) -> None:
    first = completion(activity, "bureau")
    second = next(row for row in activity if row.seq == first.seq + 1)
    # Through a temporary position: seq is unique.
    sql(ctx, "UPDATE audit_events SET seq = -1 WHERE id = :id", id=first.id)
    sql(ctx, "UPDATE audit_events SET seq = :seq WHERE id = :id", seq=first.seq, id=second.id)
    sql(ctx, "UPDATE audit_events SET seq = :seq WHERE id = :id", seq=second.seq, id=first.id)

    result = verify(users)
    assert result["intact"] is False and result["checked"] == len(activity)
    # Each swapped event no longer follows its predecessor, and neither does the event after the pair.
    third = next(row for row in activity if row.seq == second.seq + 1)
    assert [(p["kind"], p["seq"], p["event_id"]) for p in result["problems"]] == [
        ("reordered", first.seq, second.id),
        ("reordered", second.seq, first.id),
        ("reordered", third.seq, third.id),
    ]
    cli = run_cli(app)
    assert cli.exit_code == 1
    assert (
        "[顺序被调换]" in cli.output and f"第 {first.seq} 条事件（id {second.id}）的位置被调换" in cli.output
    )


def test_an_event_inserted_outside_the_chain_is_reported_as_unsealed(
    users: dict[str, User], ctx: ServiceContext, app: Flask, activity: list[Any]
) -> None:
    sql(
        ctx,
        "INSERT INTO audit_events (at, actor, action, payload) VALUES (:at, 'finance', 'task_completed', :p)",
        at="2026-01-01 00:00:00.000000",
        p=json.dumps({"element": "confirm_funding", "submitted": {"decision": "approve"}}),
    )
    forged = sql(ctx, "SELECT id FROM audit_events WHERE seq IS NULL")
    assert len(forged) == 1

    result = verify(users)
    assert result["intact"] is False and result["checked"] == len(activity)
    assert [(p["kind"], p["seq"], p["event_id"]) for p in result["problems"]] == [
        ("unsealed", None, forged[0].id)
    ]
    # The forged row is listed too (last, without a chain position), so an auditor can look at it.
    listed = users["auditor"].get("/api/v1/audit/events?per_page=200")["items"]
    assert listed[-1]["id"] == forged[0].id and listed[-1]["seq"] is None
    cli = run_cli(app)
    assert cli.exit_code == 1
    assert "[未入哈希链]" in cli.output and f"事件 id {forged[0].id} 不在哈希链中" in cli.output


def test_events_deleted_from_the_end_are_reported(
    users: dict[str, User], ctx: ServiceContext, app: Flask, activity: list[Any]
) -> None:
    last_two = activity[-2:]
    sql(ctx, "DELETE FROM audit_events WHERE id IN (:a, :b)", a=last_two[0].id, b=last_two[1].id)
    result = verify(users)
    assert result["intact"] is False
    assert [(p["kind"], p["seq"]) for p in result["problems"]] == [("removed", last_two[0].seq)]
    # The service goes on after the gap instead of closing it, so the deletion stays visible.
    complete(users["finance"], "finance", "confirm_funding", {"decision": "approve"})
    later = verify(users)
    assert [(p["kind"], p["seq"]) for p in later["problems"]] == [("removed", last_two[0].seq)]
    assert run_cli(app).exit_code == 1


def test_a_forged_head_is_reported(users: dict[str, User], ctx: ServiceContext, activity: list[Any]) -> None:
    sql(ctx, "UPDATE audit_head SET seq = seq - 1")
    result = verify(users)
    assert [p["kind"] for p in result["problems"]] == ["altered"]
    assert "链头" in result["problems"][0]["message"]
