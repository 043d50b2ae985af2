"""``auxpolice retention archive``: drop the engine state of instances that ended long ago (issue 16,
point 4).

Counts are printed in Chinese and English, as the other commands do; the work is the use case's
(service/usecases/retention.py).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from service.context import ServiceContext
from workflows.ports import CHINA


@click.group("retention", cls=AppGroup)  # its commands run inside the app's context
def retention_command() -> None:
    """Retention of finished instances."""


@retention_command.command("archive")
@click.option(
    "--older-than-days",
    type=int,
    default=None,
    help="instances that ended more than this many days ago [default: AUXPOLICE_RETENTION_DAYS, 730]",
)
@click.option("--dry-run", is_flag=True, help="only count them and their engine state's bytes")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="instances archived per transaction",
)
def archive_command(older_than_days: int | None, dry_run: bool, batch_size: int) -> None:
    """Drop the engine state of instances that ended long ago; their history and diagram stay readable."""
    from service.usecases.errors import ServiceError
    from service.usecases.retention import archive_finished

    ctx: ServiceContext = current_app.extensions["auxpolice"]
    try:
        report = archive_finished(ctx, "system", older_than_days, dry_run, batch_size)
    except ServiceError as error:
        raise click.ClickException(f"{error.message} / {error.message_en}") from error
    cutoff = report.cutoff.astimezone(CHINA).date().isoformat()  # the day people read, Beijing time
    days, found = report.older_than_days, report.candidates
    click.echo(
        f"结束早于 {cutoff}（{days} 天前）且未归档的流程实例：{found} 个 / "
        f"finished instances not archived that ended before {cutoff} ({days} days ago): {found}"
    )
    if dry_run:
        click.echo(
            f"试运行，未作修改：引擎状态共 {report.bytes_before} 字节 / "
            f"dry run, nothing changed: {report.bytes_before} bytes of engine state"
        )
        return
    click.echo(
        f"已归档 {report.archived} 个（{report.batches} 批），引擎状态 {report.bytes_before} → "
        f"{report.bytes_after} 字节 / archived {report.archived} in {report.batches} batch(es), "
        f"engine state {report.bytes_before} -> {report.bytes_after} bytes"
    )
    for instance_id, problem in sorted(report.failed.items()):
        click.echo(f"  未归档 / not archived: #{instance_id} {problem}", err=True)
    if report.failed:
        click.get_current_context().exit(1)
