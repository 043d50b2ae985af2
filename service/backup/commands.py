"""The command-line side of backups and checkpoints; service/cli.py registers these commands.

Every message is printed in Chinese, then English: the operator restoring a database and the auditor
checking it may read either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from service import audit
from service.audit import ChainProblem
from service.audit import checkpoint as checkpoints
from service.backup import BackupError, create, describe, read_manifest, restore, stored_key
from service.config import PROJECT_ROOT
from service.context import ServiceContext
from service.persistence import migrate

# Where the embedded set-up keeps its generated key when AUXPOLICE_AUDIT_KEY is not set (service/context.py).
INSTANCE_KEY = PROJECT_ROOT / "instance" / "audit_key"


def _ctx() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


@contextmanager
def chain_snapshot(ctx: ServiceContext) -> Iterator[Session]:
    """A read session over one snapshot, so the events and the head it reads were committed together.

    PostgreSQL's default READ COMMITTED lets each statement see newer commits: while the service writes,
    the head read after the last batch of events is ahead of them and the chain would look cut short.
    SQLite's read transaction (WAL) is one snapshot already.
    """
    with ctx.database.read_engine.connect() as connection:
        if not ctx.database.is_sqlite:
            connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind=connection) as session:
            yield session


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--without-key",
    is_flag=True,
    help="leave the audit key out of the backup (it must then be kept, and restored, separately)",
)
def backup_command(path: Path, without_key: bool) -> None:
    """Back the database up into the new directory PATH, safely while the service runs, with the audit key."""
    ctx = _ctx()
    try:
        manifest = create(
            ctx.settings.database_url, ctx.settings.audit_key, path, datetime.now(UTC), not without_key
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"已备份 {manifest.source} 到 {path} / backed up {manifest.source} to {path}")
    click.echo(
        f"  {manifest.file}: {manifest.size:,} 字节 / bytes, sha256 {manifest.sha256[:16]}…;"
        f" 审计链到第 {manifest.audit_head_seq} 条 / audit chain up to event {manifest.audit_head_seq}"
    )
    if manifest.audit_key_included:
        click.echo(
            f"  备份包含审计密钥（{path / 'audit_key'}，标识 {manifest.audit_key_id}）："
            "请像保管密钥一样保管备份 / the backup holds the audit key"
            f" (id {manifest.audit_key_id}): keep it as safe as the key itself"
        )
    else:
        click.secho(
            f"注意：备份不含审计密钥（标识 {manifest.audit_key_id}）。"
            "恢复时必须提供同一密钥，否则审计链头将显示为“被篡改”"
            f" / WARNING: the backup does not hold the audit key (id {manifest.audit_key_id})."
            " Keep the key with it: restored without that key, the audit chain's head reads as altered.",
            err=True,
            bold=True,
        )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="replace a database that already holds tables (stop the service first)"
)
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the audit key, for a backup taken --without-key",
)
@click.option(
    "--install-key",
    is_flag=True,
    help="make the backup's audit key this installation's instance/audit_key (the old one is kept beside it)",
)
def restore_command(path: Path, force: bool, key_file: Path | None, install_key: bool) -> None:
    """Restore the backup in PATH into DATABASE_URL (a fresh database unless --force), with its audit key."""
    ctx = _ctx()
    url = ctx.settings.database_url
    try:
        manifest = read_manifest(path)
        key = stored_key(path, manifest, key_file)
        replace_instance_key = _check_key_in_use(ctx, key, manifest.audit_key_id, install_key)
        restore(url, path, manifest, force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if replace_instance_key:
        _install_instance_key(key)
    click.echo(
        f"已从 {path}（{manifest.created_at} 备份自 {manifest.source}）恢复到 {describe(url)}"
        f" / restored {path} (taken {manifest.created_at} from {manifest.source}) into {describe(url)}"
    )
    if not migrate.is_current(ctx.database.engine):
        click.echo(
            f"数据库结构版本为 {manifest.schema_revision}，请运行 auxpolice db upgrade"
            f" / the schema is at revision {manifest.schema_revision}: run `auxpolice db upgrade`"
        )
    with chain_snapshot(ctx) as session:
        checked, problems = audit.verify(session, key)
    if problems:
        for problem in problems:
            click.echo(f"  [{problem.kind}] {problem.message}")
        raise click.ClickException(
            f"恢复的数据库审计链不完整（{len(problems)} 处问题）"
            f" / the restored audit chain is broken ({len(problems)} problems)"
        )
    click.echo(
        f"审计链完整：{checked} 条事件，到第 {manifest.audit_head_seq} 条"
        f" / audit chain intact: {checked} events."
        " 请用审计员保存的最新检查点核对 / now check it against the auditor's latest checkpoint:"
        " auxpolice audit verify --checkpoint FILE"
    )


def _check_key_in_use(ctx: ServiceContext, key: str, wanted_id: str, install_key: bool) -> bool:
    """Refuse, before anything changes, to restore under another audit key; True: install the backup's."""
    if key == ctx.settings.audit_key:
        return False
    in_use = checkpoints.key_id(ctx.settings.audit_key)
    if os.environ.get("AUXPOLICE_AUDIT_KEY"):
        raise BackupError(
            f"环境变量 AUXPOLICE_AUDIT_KEY 是另一个密钥（标识 {in_use}，备份为 {wanted_id}）："
            "请把它设为备份中的 audit_key 再恢复"
            f" / AUXPOLICE_AUDIT_KEY holds another key (id {in_use}, the backup's is {wanted_id}):"
            " set it to the backup's audit_key, then restore"
        )
    if not install_key:
        raise BackupError(
            f"本机的审计密钥 {INSTANCE_KEY}（标识 {in_use}）不是备份的密钥（标识 {wanted_id}）；"
            "在它之下审计链头会显示为“被篡改”。"
            "请加 --install-key 换用备份的密钥（原密钥另存），或设置 AUXPOLICE_AUDIT_KEY"
            f" / this installation's audit key {INSTANCE_KEY} (id {in_use}) is not the backup's"
            f" (id {wanted_id}); under it the chain head reads as altered. Add --install-key to use"
            " the backup's key (the current one is kept beside it), or set AUXPOLICE_AUDIT_KEY"
        )
    return True


def _install_instance_key(key: str) -> None:
    if INSTANCE_KEY.exists():
        kept = INSTANCE_KEY.with_name(f"audit_key.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        INSTANCE_KEY.replace(kept)
        click.echo(f"原审计密钥已另存为 {kept} / the previous audit key was kept as {kept}")
    INSTANCE_KEY.parent.mkdir(parents=True, exist_ok=True)
    INSTANCE_KEY.touch(mode=0o600)
    INSTANCE_KEY.write_text(key + "\n")
    click.echo(f"已安装备份的审计密钥到 {INSTANCE_KEY} / installed the backup's audit key as {INSTANCE_KEY}")


@click.command("checkpoint")
@with_appcontext
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write the checkpoint to this new file (default: print it)",
)
def checkpoint_command(out: Path | None) -> None:
    """Sign the audit chain's head (after verifying the chain) for the auditor to keep outside the system."""
    ctx = _ctx()
    key = ctx.settings.audit_key
    try:
        with chain_snapshot(ctx) as session:
            _checked, problems = audit.verify(session, key)
            if problems:
                raise checkpoints.CheckpointError(
                    f"审计链不完整（{len(problems)} 处问题），拒绝签发检查点；请运行 auxpolice audit verify"
                    f" / the audit chain is broken ({len(problems)} problems); no checkpoint signed:"
                    " run `auxpolice audit verify`"
                )
            taken = checkpoints.take(session, key, ctx.clock.now(), describe(ctx.settings.database_url))
    except checkpoints.CheckpointError as error:
        raise click.ClickException(str(error)) from error
    summary = (
        f"审计链检查点：第 {taken.seq} 条事件，哈希 {taken.hash[:16]}…，"
        f"{checkpoints.beijing(taken.taken_at)}，"
        f"密钥标识 {taken.key_id}；请保存在系统之外 / audit chain checkpoint: event {taken.seq}, hash"
        f" {taken.hash[:16]}…, key id {taken.key_id}; keep it outside the system"
    )
    if out is None:
        click.echo(taken.to_json(), nl=False)
        click.echo(summary, err=True)
        return
    try:
        with out.open("x", encoding="utf-8") as stream:
            stream.write(taken.to_json())
    except FileExistsError:
        raise click.ClickException(f"文件已存在，不覆盖 / the file exists; not overwritten: {out}") from None
    click.echo(f"{summary}: {out}")


def compare_checkpoints(session: Session, key: str, files: tuple[Path, ...]) -> list[ChainProblem]:
    """``audit verify --checkpoint``: each checkpoint's problems (a match is printed as it is found)."""
    problems: list[ChainProblem] = []
    for file in files:
        try:
            taken = checkpoints.parse(file.read_text(encoding="utf-8"))
        except (checkpoints.CheckpointError, UnicodeDecodeError) as error:
            problems.append(ChainProblem("forged", None, None, f"{file}: {error}"))
            continue
        bad_signature = checkpoints.check_signature(taken, key)
        found = [bad_signature] if bad_signature else checkpoints.compare(session, taken)
        for problem in found:
            problems.append(
                ChainProblem(problem.kind, problem.seq, problem.event_id, f"{file}: {problem.message}")
            )
        if not found:
            click.echo(
                f"检查点 {file}（第 {taken.seq} 条，{checkpoints.beijing(taken.taken_at)}）与审计链相符"
                f" / the checkpoint {file} (event {taken.seq}) is on the chain"
            )
    return problems
