"""``auxpolice backup`` / ``restore`` / ``audit checkpoint`` as real processes, on SQLite and PostgreSQL.

The database is written by another process (tests/backup/writer.py, completing tasks through the API)
while the backups and checkpoints are taken; each backup is restored into a fresh database with the real
command and compared with what it was taken from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.persistence.models import AuditEventModel, AuditHeadModel, HumanTaskModel, InstanceModel
from tests.backup.conftest import Cli, Targets, Writer, engine_for, table_rows


def manifest_of(backup: Path) -> dict[str, object]:
    return json.loads((backup / "manifest.json").read_text())  # type: ignore[no-any-return]


def snapshot_facts(url: str) -> dict[str, int]:
    """What a consistent snapshot of the writer's work must agree on across tables."""
    engine = engine_for(url)
    try:
        with Session(engine) as session:
            head = session.get(AuditHeadModel, 1)
            writer = session.scalar(
                select(InstanceModel.id).where(InstanceModel.business_key.like("backup-writer-%"))
            )
            return {
                "head_seq": head.seq if head else 0,
                "last_seq": session.scalar(select(func.max(AuditEventModel.seq))) or 0,
                "completed_events": session.scalar(
                    select(func.count())
                    .select_from(AuditEventModel)
                    .where(AuditEventModel.action == "task_completed", AuditEventModel.instance_id == writer)
                )
                or 0,
                "completed_tasks": session.scalar(
                    select(func.count())
                    .select_from(HumanTaskModel)
                    .where(HumanTaskModel.instance_id == writer, HumanTaskModel.state == "completed")
                )
                or 0,
                "open_tasks": session.scalar(
                    select(func.count())
                    .select_from(HumanTaskModel)
                    .where(HumanTaskModel.instance_id == writer, HumanTaskModel.state == "open")
                )
                or 0,
            }
    finally:
        engine.dispose()


def test_backups_taken_while_a_process_writes_restore_to_consistent_databases(
    cli: Cli, targets: Targets, start_writer: Callable[[Cli], Writer], tmp_path: Path
) -> None:
    writer = start_writer(cli)
    writer.wait_for(8)
    during = []
    for number in range(2):
        backup = tmp_path / f"during-{number}"
        out = cli.ok("backup", str(backup))
        assert "backed up" in out and "audit_key" in out, out
        during.append(backup)
        writer.wait_for(writer.acknowledged() + 3)  # the writer went on during and after the backup
    writer.kill()

    for backup in during:
        manifest = manifest_of(backup)
        assert (backup / "audit_key").read_text().strip() == cli.key
        assert (backup / "audit_key").stat().st_mode & 0o077 == 0  # the key is readable by its owner only
        fresh = targets.fresh()
        out = cli.ok("restore", str(backup), url=fresh)
        assert "audit chain intact" in out, out
        cli.ok("audit", "verify", url=fresh)
        facts = snapshot_facts(fresh)
        # One snapshot: the head, the events and the task projection all stop at the same transaction.
        assert facts["head_seq"] == facts["last_seq"] == manifest["audit_head_seq"], (facts, manifest)
        assert facts["completed_events"] == facts["completed_tasks"] >= 1, facts
        assert facts["open_tasks"] == 1, facts

    # After the writer stopped: a backup restored into a fresh database holds exactly the same rows.
    final = tmp_path / "final"
    cli.ok("backup", str(final))
    fresh = targets.fresh()
    cli.ok("restore", str(final), url=fresh)
    source_rows, restored_rows = table_rows(cli.url), table_rows(fresh)
    assert source_rows.keys() == restored_rows.keys()
    for table, rows in source_rows.items():
        assert restored_rows[table] == rows, table
    assert len(source_rows["audit_events"]) == manifest_of(final)["audit_head_seq"]

    # Why the key travels with the backup: under any other key the intact chain's head reads as altered.
    other_key = cli.run("audit", "verify", url=fresh, key="a-key-generated-on-the-new-machine")
    assert other_key.returncode == 1
    assert "链头记录被篡改" in other_key.stdout, other_key.stdout


def test_a_killed_service_restored_from_its_last_backup_names_the_missing_events(
    cli: Cli, targets: Targets, start_writer: Callable[[Cli], Writer], tmp_path: Path
) -> None:
    writer = start_writer(cli)
    writer.wait_for(5)
    backup = tmp_path / "nightly"
    cli.ok("backup", str(backup))
    writer.wait_for(writer.acknowledged() + 6)
    checkpoint = tmp_path / "auditor" / "checkpoint.json"
    checkpoint.parent.mkdir()
    cli.ok("audit", "checkpoint", "--out", str(checkpoint))
    writer.wait_for(writer.acknowledged() + 3)
    acknowledged = writer.kill()

    # The killed database lost nothing it acknowledged, and still reaches the auditor's checkpoint.
    survived = snapshot_facts(cli.url)
    assert survived["completed_events"] >= acknowledged, (survived, acknowledged)
    out = cli.ok("audit", "verify", "--checkpoint", str(checkpoint))
    assert "is on the chain" in out, out

    # Restored from the backup taken before the checkpoint: verify names what is missing.
    fresh = targets.fresh()
    cli.ok("restore", str(backup), url=fresh)
    plain = cli.run("audit", "verify", url=fresh)
    assert plain.returncode == 0  # without a checkpoint nothing tells the auditor (the finding)
    checked = cli.run("audit", "verify", "--checkpoint", str(checkpoint), url=fresh)
    assert checked.returncode == 1, checked.stdout
    first = int(manifest_of(backup)["audit_head_seq"]) + 1  # type: ignore[call-overload]
    last = json.loads(checkpoint.read_text())["seq"]
    count = last - first + 1
    assert count >= 6, (first, last)  # at least the six acknowledged completions' events
    assert f"缺少 {count} 条审计事件（第 {first}–{last} 条）" in checked.stdout, checked.stdout
    assert f"{count} audit events are missing (seq {first} to {last})" in checked.stdout, checked.stdout
    assert "[事件缺失（对照检查点）]" in checked.stdout
