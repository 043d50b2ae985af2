"""The ``auxpolice`` command: a Flask CLI group (serve, db upgrade, deploy, demo, timers, notifications,
audit, backup, retention)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from service import create_app
from service.audit.commands import verify_command
from service.backup.commands import backup_command, checkpoint_command, restore_command
from service.cli_notifications import notifications_command
from service.cli_retention import retention_command
from service.context import ServiceContext
from service.persistence import migrate


def _ctx() -> ServiceContext:
    return current_app.extensions["auxpolice"]  # type: ignore[no-any-return]


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def main() -> None:
    """一村一辅警 workflow service."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration."""
    ctx = _ctx()
    _prepare_sqlite_dir(ctx.settings.database_url)
    migrate.upgrade(ctx.settings.database_url)
    click.echo("数据库已升级到最新版本 / database is up to date")


def _prepare_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def deploy(path: Path) -> None:
    """Validate and deploy the BPMN/DMN files under PATH."""
    from service.usecases.definitions import deploy_path
    from service.usecases.errors import ServiceError

    try:
        deployed = deploy_path(_ctx(), path, "cli")
    except ServiceError as error:
        raise click.ClickException(f"{error.message}: {error.errors}") from error
    for definition in deployed:
        click.echo(f"{definition.process_id} v{definition.version} ({definition.bundle_sha256[:12]})")


@main.command()
def demo() -> None:
    """Migrate, load the register and demo users, deploy the bundled definitions; print the tokens."""
    from service.usecases.demo import DEMO_PASSWORD, seed_demo

    ctx = _ctx()
    _prepare_sqlite_dir(ctx.settings.database_url)
    migrate.upgrade(ctx.settings.database_url)
    tokens = seed_demo(ctx)
    click.echo(f"演示用户及令牌 / demo users and their bearer tokens (password for all: {DEMO_PASSWORD}):")
    for username, token in tokens.items():
        click.echo(f"  {username:20s} {token}")


@main.group()
def appraisal() -> None:
    """Monthly appraisal."""


@appraisal.command("start-month")
@click.argument("month")
def appraisal_start_month(month: str) -> None:
    """Start MONTH's (YYYY-MM) appraisals for every officer in service; safe to run twice."""
    from service.usecases.appraisal import start_month
    from service.usecases.errors import ServiceError

    try:
        result = start_month(_ctx(), month, "cli")
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"{month}: {result['started']} started now, {result['existing']} there already,"
        f" {result['officers']} officers in service, {result['on_injury_leave']} of them on injury leave all"
        " month and not appraised"
    )


@main.group()
def contracts() -> None:
    """Officers' labour contracts."""


@contracts.command("raise-renewals")
def contracts_raise_renewals() -> None:
    """Raise the renewal of every contract ending within AUXPOLICE_CONTRACT_RENEWAL_DAYS (the scheduler does
    it each round); a contract already raised is not raised again."""
    from service.usecases.roster import start_due_renewals

    ctx = _ctx()
    started = start_due_renewals(ctx, "cli")
    click.echo(f"{started} renewal(s) raised ({ctx.settings.contract_renewal_days} days ahead)")


@main.group()
def timers() -> None:
    """Timers."""


@timers.command("fire")
def timers_fire() -> None:
    """Fire the timers that are due now, once."""
    from service.scheduler import run_once

    click.echo(f"fired {run_once(_ctx())} timer(s)")


@main.command()
@click.option("--interval", default=2.0, show_default=True, help="seconds between rounds")
@click.option("--batch", default=100, show_default=True, help="timers claimed per round")
@click.option(
    "--lease", default=60, show_default=True, help="seconds a claim is held before others may take it"
)
@click.option("--once", is_flag=True, help="run one round and exit")
def worker(interval: float, batch: int, lease: int, once: bool) -> None:
    """Run the scheduler: fire due timers and escalations, start the monthly appraisal; safe to run many."""
    from datetime import timedelta

    from service.scheduler import run_forever, run_once

    ctx = _ctx()
    if once:
        click.echo(f"fired {run_once(ctx, batch=batch, lease=timedelta(seconds=lease))} timer(s)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"auxpolice worker running (every {interval}s, lease {lease}s); Ctrl-C to stop")
    try:
        run_forever(ctx, interval, stop, batch, timedelta(seconds=lease))
    except KeyboardInterrupt:
        stop.set()


@main.group("audit")
def audit_group() -> None:
    """Audit trail."""


audit_group.add_command(verify_command)
audit_group.add_command(checkpoint_command)
main.add_command(backup_command)
main.add_command(retention_command)
main.add_command(notifications_command)
main.add_command(restore_command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=1, show_default=True, help="gunicorn worker processes")
@click.option("--threads", default=2, show_default=True, help="threads per worker (CPU-bound work)")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="also fire timers in each worker (off when separate `auxpolice worker` processes run)",
)
@click.option("--scheduler-interval", default=5.0, show_default=True, help="seconds between scheduler rounds")
def serve(
    host: str, port: int, workers: int, threads: int, scheduler: bool, scheduler_interval: float
) -> None:
    """Run the service under gunicorn; each worker process builds its own app and connections."""
    from gunicorn.app.base import BaseApplication

    from service.scheduler import run_forever

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)  # the app logs each request as JSON, with its request id
            # gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default: one path shared by
            # every service on the machine, so starting or stopping one disturbed another. Each service is
            # controlled by its own process id (signals), so the socket is off; no pid file is written.
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            app = create_app()
            if scheduler:
                ctx: ServiceContext = app.extensions["auxpolice"]
                threading.Thread(
                    target=run_forever,
                    args=(ctx, scheduler_interval, threading.Event()),
                    name="auxpolice-scheduler",
                    daemon=True,
                ).start()
            return app

    click.echo(f"auxpolice listening on http://{host}:{port}  (OpenAPI: /api/openapi.json)")
    Server().run()
