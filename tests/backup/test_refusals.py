"""What the backup commands refuse: forged checkpoints, overwriting a database, a restore without its key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from service import audit, create_app
from service.audit import checkpoint as checkpoints
from service.backup import commands as backup_commands
from service.cli import main
from service.context import ServiceContext
from tests.backup.conftest import Cli, Targets, table_rows

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_forged_or_foreign_checkpoints_are_refused_and_the_genuine_one_passes(
    cli: Cli, tmp_path: Path
) -> None:
    printed = cli.run("audit", "checkpoint")
    assert printed.returncode == 0, printed.stderr
    assert "keep it outside the system" in printed.stderr  # the summary; stdout is the file itself
    genuine = json.loads(printed.stdout)
    assert genuine["seq"] >= 1 and genuine["key_id"] == checkpoints.key_id(cli.key)
    files = {"genuine": tmp_path / "genuine.json"}
    files["genuine"].write_text(printed.stdout)
    # Edited after signing: a later time and a head further on, the signature copied.
    files["edited"] = tmp_path / "edited.json"
    files["edited"].write_text(
        json.dumps(dict(genuine, seq=genuine["seq"] + 50, taken_at="2027-01-01T00:00:00+00:00"))
    )
    # Signed by someone holding another key (for instance a new machine's generated one).
    foreign = checkpoints.sign(checkpoints.parse(printed.stdout), "someone-else's-key")
    files["foreign"] = tmp_path / "foreign.json"
    files["foreign"].write_text(
        checkpoints.Checkpoint(
            **{**json.loads(foreign.to_json()), "key_id": checkpoints.key_id("x")}
        ).to_json()
    )
    files["garbage"] = tmp_path / "garbage.json"
    files["garbage"].write_text("[1, 2, 3]")

    done = cli.run(
        "audit", "verify", *(arg for file in files.values() for arg in ("--checkpoint", str(file)))
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()

    def problems_of(file: Path) -> list[str]:
        return [line for line in lines if f"{file}:" in line and line.strip().startswith("[")]

    assert not problems_of(files["genuine"])
    assert f"the checkpoint {files['genuine']} (event {genuine['seq']}) is on the chain" in done.stdout
    (edited,) = problems_of(files["edited"])
    assert "[检查点无效]" in edited and "检查点的签名无效" in edited and "signature is invalid" in edited
    (foreign_line,) = problems_of(files["foreign"])
    assert "signed with another audit key" in foreign_line and "另一个审计密钥" in foreign_line
    (garbage,) = problems_of(files["garbage"])
    assert "not an audit checkpoint" in garbage

    refused = cli.run("audit", "checkpoint", "--out", str(files["genuine"]))
    assert refused.returncode != 0 and "not overwritten" in refused.stderr
    assert json.loads(files["genuine"].read_text()) == genuine


@SQLITE_ONLY
def test_restore_refuses_a_non_empty_database_another_key_and_a_damaged_backup(
    cli: Cli, targets: Targets, tmp_path: Path
) -> None:
    keyless = tmp_path / "keyless"
    taken = cli.run("backup", str(keyless), "--without-key")
    assert taken.returncode == 0, taken.stderr
    assert "WARNING: the backup does not hold the audit key" in taken.stderr
    assert "审计链头将显示为“被篡改”" in taken.stderr
    assert not (keyless / "audit_key").exists()

    fresh = targets.fresh()
    fresh_file = Path(fresh.removeprefix("sqlite:///"))
    no_key = cli.run("restore", str(keyless), url=fresh)
    assert no_key.returncode != 0 and "--key-file" in no_key.stderr, no_key.stderr
    assert not fresh_file.exists()  # refused before anything was written

    key_file = tmp_path / "kept-elsewhere.key"
    key_file.write_text(cli.key)
    other_env_key = cli.run(
        "restore", str(keyless), "--key-file", str(key_file), url=fresh, key="another-key"
    )
    assert other_env_key.returncode != 0
    assert "AUXPOLICE_AUDIT_KEY holds another key" in other_env_key.stderr, other_env_key.stderr
    assert not fresh_file.exists()

    cli.ok("restore", str(keyless), "--key-file", str(key_file), url=fresh)
    assert table_rows(fresh) == table_rows(cli.url)

    again = cli.run("restore", str(keyless), "--key-file", str(key_file), url=fresh)
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr, again.stderr
    forced = cli.run("restore", str(keyless), "--key-file", str(key_file), "--force", url=fresh)
    assert forced.returncode == 0, forced.stderr
    assert "audit chain intact" in forced.stdout

    data = keyless / "auxpolice.db"
    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    data.write_bytes(bytes(damaged))
    refused = cli.run("restore", str(keyless), "--key-file", str(key_file), url=targets.fresh())
    assert refused.returncode != 0 and "checksum does not match" in refused.stderr, refused.stderr


@SQLITE_ONLY
def test_the_embedded_database_syncs_every_commit(ctx: ServiceContext) -> None:
    # synchronous=FULL (2): an acknowledged transaction survives a power loss (docs/benchmarks.md).
    for engine in (ctx.database.engine, ctx.database.read_engine):
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgresql_restore_refuses_a_database_with_tables_unless_forced(
    cli: Cli, targets: Targets, tmp_path: Path
) -> None:
    backup = tmp_path / "dump"
    cli.ok("backup", str(backup))
    assert (backup / "auxpolice.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    fresh = targets.fresh()
    cli.ok("restore", str(backup), url=fresh)
    again = cli.run("restore", str(backup), url=fresh)
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr, again.stderr
    forced = cli.run("restore", str(backup), "--force", url=fresh)
    assert forced.returncode == 0, forced.stderr
    assert table_rows(fresh) == table_rows(cli.url)


@SQLITE_ONLY
def test_install_key_makes_the_backups_key_the_embedded_installations(
    ctx: ServiceContext, targets: Targets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database whose head is sealed under K1, as on the machine the backup comes from.
    source_key = "the-old-machine's-key"
    old_machine = create_app({"DATABASE_URL": ctx.settings.database_url, "AUDIT_KEY": source_key})
    with old_machine.extensions["auxpolice"].database.transaction() as session:
        audit.record(session, datetime.now(UTC), "test", "backup_test_event")
    old_machine.extensions["auxpolice"].database.dispose()
    runner = CliRunner()
    backup = tmp_path / "from-the-old-machine"
    env = {"DATABASE_URL": ctx.settings.database_url, "AUXPOLICE_AUDIT_KEY": source_key}
    taken = runner.invoke(main, ["backup", str(backup)], env=env)
    assert taken.exit_code == 0, taken.output

    # The new machine runs on its generated instance/audit_key (here a file in tmp_path, never the project's).
    instance_key = tmp_path / "instance" / "audit_key"
    instance_key.parent.mkdir()
    instance_key.write_text("the-new-machine's-generated-key\n")
    monkeypatch.setattr(backup_commands, "INSTANCE_KEY", instance_key)
    fresh = targets.fresh()
    new_machine: dict[str, str | None] = {"DATABASE_URL": fresh, "AUXPOLICE_AUDIT_KEY": None}  # None: unset
    refused = runner.invoke(main, ["restore", str(backup)], env=new_machine)
    assert refused.exit_code != 0
    assert "--install-key" in refused.output and "reads as altered" in refused.output, refused.output
    assert not Path(fresh.removeprefix("sqlite:///")).exists()

    restored = runner.invoke(main, ["restore", str(backup), "--install-key"], env=new_machine)
    assert restored.exit_code == 0, restored.output
    assert "audit chain intact" in restored.output
    assert instance_key.read_text().strip() == source_key
    assert instance_key.stat().st_mode & 0o077 == 0
    (kept,) = instance_key.parent.glob("audit_key.replaced-*")
    assert kept.read_text().strip() == "the-new-machine's-generated-key"
