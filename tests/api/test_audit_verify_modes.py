"""`auxpolice audit verify --incremental` and `--instance` (issue 16, point 3): what each run checks, what it
reports, and where an incremental run is blind by design (before its starting point: a full run's job)."""

from __future__ import annotations

import json

from click.testing import Result
from flask import Flask

from service import audit
from service.cli import main
from service.context import ServiceContext
from tests.api.recruitment_steps import complete
from tests.api.test_audit_chain import sql
from tests.api.test_audit_verify_instance_api import edit_payload, events, recruitment
from tests.conftest import User


def verify(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, ["audit", "verify", *args])


def test_incremental_runs_check_only_new_events_and_find_tampering_among_them(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    recruitment(users)
    first = verify(app, "--incremental")
    assert first.exit_code == 0, first.output
    end = len(events(ctx))
    assert "没有可信的校验通过记录，执行完整校验 / no trustworthy verified point" in first.output
    assert f"已检查 {end} 条审计事件" in first.output
    assert f"已记录校验点：第 {end} 条事件" in first.output
    assert (
        f"verified point recorded: event {end} (the next --incremental run starts after it)" in first.output
    )

    complete(users["finance"], "finance", "confirm_funding", {"decision": "approve"})
    new = [row for row in events(ctx) if row.seq > end]
    assert new
    # An event recorded after the last point is re-computed, so an edit to it is found.
    original = new[0].payload if isinstance(new[0].payload, str) else json.dumps(new[0].payload)
    edit_payload(ctx, new[0], {"submitted": {"decision": "reject"}})
    second = verify(app, "--incremental")
    assert second.exit_code == 1
    assert f"增量校验：从第 {end} 条事件之后开始" in second.output and "by cli:" in second.output
    assert f"已检查 {len(new)} 条审计事件 / checked {len(new)} audit events" in second.output
    assert f"注意：第 {end} 条及之前的事件未重新计算" in second.output
    assert "tampering with them is found only by a full run" in second.output
    assert f"[内容被篡改] 第 {new[0].seq} 条事件（id {new[0].id}）的内容在记录后被修改" in second.output
    assert "已记录校验点" not in second.output  # a broken chain moves no point

    sql(ctx, "UPDATE audit_events SET payload = :p WHERE id = :id", p=original, id=new[0].id)
    third = verify(app, "--incremental")
    assert third.exit_code == 0, third.output
    assert (
        f"已检查 {len(new)} 条审计事件" in third.output
        and f"已记录校验点：第 {new[-1].seq} 条" in third.output
    )

    # Before the point an incremental run is blind (it says so); the full run finds the edit there.
    early = events(ctx)[3]
    edit_payload(ctx, early, {"tampered": True})
    blind = verify(app, "--incremental")
    assert blind.exit_code == 0 and "已检查 0 条审计事件" in blind.output
    full = verify(app)
    assert (
        full.exit_code == 1 and f"第 {early.seq} 条事件（id {early.id}）的内容在记录后被修改" in full.output
    )


def test_an_altered_verified_point_or_its_event_is_reported(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    recruitment(users)
    assert verify(app).exit_code == 0
    rows = events(ctx)
    point = rows[-1]

    # The event the point ends at was rewritten (its hash no longer the one recorded).
    sql(ctx, "UPDATE audit_events SET hash = :h WHERE id = :id", h="f" * 64, id=point.id)
    diverged = verify(app, "--incremental")
    assert diverged.exit_code == 1
    assert f"第 {point.seq} 条事件的哈希与上次校验通过时记录的不符" in diverged.output
    assert "run a full verification" in diverged.output
    sql(ctx, "UPDATE audit_events SET hash = :h WHERE id = :id", h=point.hash, id=point.id)

    # The recorded point itself moved to another hash without the audit key: its MAC gives it away, and
    # the run checks the whole chain instead of trusting it.
    sql(ctx, "UPDATE audit_verifications SET hash = :h", h=rows[-2].hash)
    forged = verify(app, "--incremental")
    assert forged.exit_code == 1
    assert f"上次校验通过的记录（第 {point.seq} 条事件）被篡改（校验码不符），已改为完整校验" in forged.output
    assert f"已检查 {len(rows)} 条审计事件" in forged.output and "未重新计算" not in forged.output


def test_one_instance_is_checked_with_its_neighbours(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    recruitment(users)
    rows = events(ctx)
    instance_id = next(row.instance_id for row in rows if row.action == "instance_started")
    own = [row for row in rows if row.instance_id == instance_id]
    intact = verify(app, "--instance", str(instance_id))
    assert intact.exit_code == 0, intact.output
    assert f"流程实例 {instance_id}：已检查 {len(own)} 条审计事件" in intact.output
    assert "the instance's audit events are on the chain and unaltered" in intact.output

    # One of its events edited.
    completion = next(row for row in own if row.action == "task_completed")
    edit_payload(ctx, completion, {"submitted": {"decision": "return"}})
    altered = verify(app, "--instance", str(instance_id))
    assert altered.exit_code == 1
    assert (
        f"[内容被篡改] 第 {completion.seq} 条事件（id {completion.id}）的内容在记录后被修改" in altered.output
    )

    # Re-hashing the edited event (no key needed) breaks the next event's link to it.
    with ctx.database.reading() as session:
        entry = session.get(audit.AuditEventModel, completion.id)
        assert entry is not None and entry.prev_hash is not None
        fields = {name: getattr(entry, name) for name in audit._HASHED}
        rehashed = audit.digest(entry.prev_hash, fields)
    sql(ctx, "UPDATE audit_events SET hash = :h WHERE id = :id", h=rehashed, id=completion.id)
    covered = verify(app, "--instance", str(instance_id))
    assert covered.exit_code == 1
    assert f"第 {completion.seq + 1} 条事件" in covered.output, covered.output

    missing = verify(app, "--instance", "999999")
    assert missing.exit_code == 1 and "流程实例 999999 不存在，也没有审计事件" in missing.output
    refused = verify(app, "--instance", str(instance_id), "--incremental")
    assert refused.exit_code == 2 and "--instance is used on its own" in refused.output


def test_a_payload_stored_in_another_json_layout_with_the_same_content_still_verifies(
    users: dict[str, User], ctx: ServiceContext, app: Flask
) -> None:
    """The fast path hashes the stored text; a row it cannot reproduce is checked by its values."""
    recruitment(users)
    completion = next(row for row in events(ctx) if row.action == "task_completed")
    edit_payload(ctx, completion, {})  # json.dumps: spaces after the separators, same keys and values
    stored = sql(
        ctx, "SELECT CAST(payload AS TEXT) AS text FROM audit_events WHERE id = :id", id=completion.id
    )
    assert ", " in stored[0].text
    result = verify(app)
    assert result.exit_code == 0, result.output
