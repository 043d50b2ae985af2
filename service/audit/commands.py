"""``auxpolice audit verify``: the whole chain, only what was recorded since the last verified point, or one
instance's events; service/cli.py registers it. Every line is printed in Chinese, then English."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select

from service.audit import ChainProblem, verification
from service.audit.checkpoint import beijing
from service.backup.commands import chain_snapshot, compare_checkpoints
from service.context import ServiceContext
from service.persistence.models import InstanceModel

PROBLEM_LABELS = {
    "altered": "内容被篡改",
    "removed": "事件被删除",
    "reordered": "顺序被调换",
    "unsealed": "未入哈希链",
    "missing": "事件缺失（对照检查点）",
    "diverged": "与检查点不符",
    "forged": "检查点无效",
}


def _ctx() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


@click.command("verify")
@with_appcontext
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a checkpoint from `audit checkpoint`: also tell whether the chain still reaches it (repeatable)",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="re-compute only the events after the last point a run found intact (earlier tampering needs a"
    " full run)",
)
@click.option("--instance", "instance_id", type=int, help="check only this process instance's events")
def verify_command(checkpoint_files: tuple[Path, ...], incremental: bool, instance_id: int | None) -> None:
    """Re-compute the audit hash chain; exit 1 and name every altered, removed or reordered event."""
    if instance_id is not None and (incremental or checkpoint_files):
        raise click.UsageError(
            "--instance 不能与 --incremental 或 --checkpoint 同用 / --instance is used on its own"
        )
    ctx = _ctx()
    if instance_id is not None:
        _report(
            _verify_instance(ctx, instance_id),
            "该流程实例的审计事件完整，在哈希链中且未被篡改"
            " / the instance's audit events are on the chain and unaltered",
        )
        return
    key = ctx.settings.audit_key
    # Read in one snapshot: on PostgreSQL, while the service writes, separate statements would see the head
    # move past the events already read (service/backup/commands.py, chain_snapshot).
    with chain_snapshot(ctx) as session:
        run = (
            verification.verify_since_last(session, key) if incremental else verification.verify(session, key)
        )
        problems = list(run.problems) + compare_checkpoints(session, key, checkpoint_files)
    if incremental:
        _describe_start(run)
    click.echo(f"已检查 {run.checked} 条审计事件 / checked {run.checked} audit events")
    if incremental and run.since is not None:
        seq = run.since.seq
        click.echo(
            f"注意：第 {seq} 条及之前的事件未重新计算，只核对了第 {seq} 条的哈希与上次记录一致；"
            "这些事件若被篡改，只有完整校验（auxpolice audit verify）才能发现"
            f" / note: events up to {seq} were not re-computed, only event {seq}'s hash was compared with"
            " the record; tampering with them is found only by a full run (auxpolice audit verify)"
        )
    _report(problems, "审计链完整，未发现篡改 / the audit chain is intact")
    _remember(ctx, run, full=not incremental or run.since is None)


def _describe_start(run: verification.Verification) -> None:
    if run.since is None:
        click.echo(
            "没有可信的校验通过记录，执行完整校验 / no trustworthy verified point: verifying the whole chain"
        )
        return
    when, when_en = (
        beijing(run.since.verified_at.isoformat()),
        beijing(run.since.verified_at.isoformat(), True),
    )
    click.echo(
        f"增量校验：从第 {run.since.seq} 条事件之后开始（{when}由 {run.since.verified_by} 校验通过）"
        f" / incremental: from after event {run.since.seq} (verified {when_en} by {run.since.verified_by})"
    )


def _report(problems: list[ChainProblem], intact: str) -> None:
    if not problems:
        click.echo(intact)
        return
    for problem in problems:
        label = PROBLEM_LABELS.get(problem.kind, problem.kind)
        click.echo(f"  [{label}] {problem.message}")
    click.echo(f"审计链已被破坏：发现 {len(problems)} 处问题 / the audit chain is broken", err=True)
    click.get_current_context().exit(1)


def _remember(ctx: ServiceContext, run: verification.Verification, full: bool) -> None:
    """Record where an intact run ended, so the next incremental run starts there."""
    if not inspect(ctx.database.engine).has_table("audit_verifications"):
        return  # a database restored from before migration 0025: `auxpolice db upgrade` adds it
    by = f"cli:{_user()}"
    with ctx.database.transaction() as session:
        verification.record_point(session, ctx.settings.audit_key, run, full, ctx.clock.now(), by)
    click.echo(
        f"已记录校验点：第 {run.last_seq} 条事件（下次 --incremental 从其后开始）"
        f" / verified point recorded: event {run.last_seq} (the next --incremental run starts after it)"
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def _verify_instance(ctx: ServiceContext, instance_id: int) -> list[ChainProblem]:
    with chain_snapshot(ctx) as session:
        checked, problems = verification.verify_instance(session, instance_id)
        exists = session.scalar(select(InstanceModel.id).where(InstanceModel.id == instance_id)) is not None
    if checked == 0 and not problems:
        if not exists:
            raise click.ClickException(
                f"流程实例 {instance_id} 不存在，也没有审计事件"
                f" / instance {instance_id} does not exist and has no audit events"
            )
        problems = [
            ChainProblem(
                "removed",
                None,
                None,
                f"流程实例 {instance_id} 没有任何审计事件：已被删除"
                f" / instance {instance_id} has no audit events left: they were deleted",
            )
        ]
    click.echo(
        f"流程实例 {instance_id}：已检查 {checked} 条审计事件及其前后相邻的事件；其余事件请用完整校验"
        f" / instance {instance_id}: checked {checked} audit events and the events either side of each;"
        " a full run checks the rest"
    )
    return problems
