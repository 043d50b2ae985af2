"""The ``auxpolice`` command: a Flask CLI group (serve, db upgrade, deploy, demo, timers, audit)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from service import create_app
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


def run_timer_loop(app: Flask, interval: float, stop: threading.Event) -> None:
    """Fire due timers and start a due appraisal month every ``interval`` seconds until ``stop`` is set."""
    from service.usecases.appraisal import start_due_month
    from service.usecases.instances import fire_due_timers

    ctx: ServiceContext = app.extensions["auxpolice"]
    while not stop.wait(interval):
        try:
            fire_due_timers(ctx)
            start_due_month(ctx)
        except Exception:  # noqa: BLE001 - a failed round is logged and retried next round
            app.logger.exception("timer round failed")


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
    click.echo(f"{month}: {result['started']} started, {result['officers']} officers in service")


@main.group()
def timers() -> None:
    """Timers."""


@timers.command("fire")
def timers_fire() -> None:
    """Fire the timers that are due now, once."""
    from service.usecases.instances import fire_due_timers

    click.echo(f"fired {fire_due_timers(_ctx())} timer(s)")


@main.group("audit")
def audit_group() -> None:
    """Audit trail."""


PROBLEM_LABELS = {
    "altered": "内容被篡改",
    "removed": "事件被删除",
    "reordered": "顺序被调换",
    "unsealed": "未入哈希链",
}


@audit_group.command("verify")
def audit_verify() -> None:
    """Re-compute the audit hash chain; exit 1 and name every altered, removed or reordered event."""
    from service.usecases.audit_trail import verify_chain

    result = verify_chain(_ctx())
    click.echo(f"已检查 {result['checked']} 条审计事件 / checked {result['checked']} audit events")
    problems = result["problems"]
    if not problems:
        click.echo("审计链完整，未发现篡改 / the audit chain is intact")
        return
    for problem in problems:
        label = PROBLEM_LABELS.get(problem.kind, problem.kind)
        click.echo(f"  [{label}] {problem.message}")
    click.echo(f"审计链已被破坏：发现 {len(problems)} 处问题 / the audit chain is broken", err=True)
    click.get_current_context().exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=1, show_default=True, help="gunicorn worker processes")
@click.option("--timer-interval", default=5.0, show_default=True, help="seconds between timer rounds")
def serve(host: str, port: int, workers: int, timer_interval: float) -> None:
    """Run the service under gunicorn, with a timer loop in each worker."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()  # type: ignore[attr-defined]

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")

            def post_worker_init(worker: Any) -> None:
                threading.Thread(
                    target=run_timer_loop, args=(app, timer_interval, threading.Event()), daemon=True
                ).start()

            self.cfg.set("post_worker_init", post_worker_init)

        def load(self) -> Flask:
            return app  # type: ignore[no-any-return]

    click.echo(f"auxpolice listening on http://{host}:{port}  (OpenAPI: /api/openapi.json)")
    time.sleep(0)
    Server().run()
