"""``auxpolice notifications purge``: delete old notifications (issue 15, point 5).

Counts are printed in Chinese and English, as the other commands do; the work is the use case's
(service/usecases/notifications/purging.py), which the scheduler also runs once a day.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from service.context import ServiceContext


@click.group("notifications", cls=AppGroup)  # its commands run inside the app's context
def notifications_command() -> None:
    """In-app notifications."""


@notifications_command.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=None,
    help="delete notifications older than this [default: AUXPOLICE_NOTIFICATION_RETENTION_DAYS, 180]",
)
@click.option(
    "--batch", type=click.IntRange(min=1), default=1000, show_default=True, help="rows per transaction"
)
def purge_command(older_than_days: int | None, batch: int) -> None:
    """Delete notifications older than N days (and who read them), batch by batch; an open task's stay."""
    from service.usecases.notifications.purging import purge_notifications

    ctx: ServiceContext = current_app.extensions["auxpolice"]
    days = older_than_days or ctx.settings.notification_retention_days
    if days < 1:
        raise click.ClickException(
            "AUXPOLICE_NOTIFICATION_RETENTION_DAYS 为 0（永久保留）：请用 --older-than-days 指定天数"
            " / notifications are kept for good (0): give --older-than-days"
        )
    deleted = purge_notifications(ctx, days, batch)
    click.echo(
        f"已删除 {deleted} 条 {days} 天前的通知 / deleted {deleted} notification(s) older than {days} days"
    )
