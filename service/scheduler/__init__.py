"""Background work shared safely by any number of workers: due timers, the monthly appraisal start, the
notifications' reminders and their daily purge.

A worker claims a batch of due timers with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
workers never claim the same rows; SQLite serialises writers anyway), then fires them instance by
instance, each in its own transaction under the instance's row lock. The instance state is the truth: a
timer that already fired is no longer pending there, so even a worker whose lease ran out while it was
still busy cannot fire it twice. A worker that dies leaves its claims behind; once the lease runs out, any
other worker takes them over. Nothing is lost: an unfired timer row stays until its timer fires.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update

from service.context import ServiceContext
from service.persistence.models import TimerModel
from service.usecases.errors import ServiceError
from service.usecases.incidents import incidents_recorded
from service.usecases.runner import InstanceRunner
from workflows.engine import PendingTimer, WorkflowEngine
from workflows.ports import CHINA

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_BATCH = 100


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(frozen=True)
class Claim:
    timer_id: int
    instance_id: int


def claim_due_timers(
    ctx: ServiceContext, worker: str, limit: int = DEFAULT_BATCH, lease: timedelta = DEFAULT_LEASE
) -> list[Claim]:
    """Lease up to ``limit`` due, unfired timers that nobody else holds."""
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        candidates = (
            select(TimerModel.id)
            .where(
                TimerModel.fired_at.is_(None),
                TimerModel.due_at <= now,
                or_(TimerModel.lease_until.is_(None), TimerModel.lease_until < now),
            )
            .order_by(TimerModel.due_at, TimerModel.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        rows = session.execute(
            update(TimerModel)
            .where(TimerModel.id.in_(candidates.scalar_subquery()))
            .values(leased_by=worker, lease_until=now + lease)
            .returning(TimerModel.id, TimerModel.instance_id),
            execution_options={"synchronize_session": False},
        ).all()
    return [Claim(timer_id, instance_id) for timer_id, instance_id in rows]


def _fire_at(now: datetime) -> Callable[[WorkflowEngine, object], list[PendingTimer]]:
    return lambda engine, workflow: engine.fire_due_timers(workflow, now)  # type: ignore[arg-type]


def fire_claimed(ctx: ServiceContext, worker: str, claims: list[Claim]) -> int:
    """Fire the timers of the claimed instances; return how many timers fired."""
    fired = 0
    for instance_id in sorted({claim.instance_id for claim in claims}):
        try:
            with incidents_recorded(ctx), ctx.database.transaction() as session:
                runner = InstanceRunner(ctx, session, "system")
                instance = runner.lock(instance_id)
                if instance.status == "running":
                    fired += len(runner.act(instance, _fire_at(ctx.clock.now())))
                # Whatever did not fire (no longer due in the state) is handed back.
                session.execute(
                    update(TimerModel)
                    .where(
                        TimerModel.instance_id == instance_id,
                        TimerModel.leased_by == worker,
                        TimerModel.fired_at.is_(None),
                    )
                    .values(leased_by=None, lease_until=None),
                    execution_options={"synchronize_session": False},
                )
        except ServiceError as error:
            # A model error must not stop the other instances; the lease makes it retry later.
            log.error("timers of instance %s could not fire: %s", instance_id, error.message)
    return fired


def run_once(
    ctx: ServiceContext,
    worker: str | None = None,
    batch: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
) -> int:
    """Claim and fire due timers until none are left; return how many fired."""
    worker = worker or worker_name()
    total = 0
    while claims := claim_due_timers(ctx, worker, batch, lease):
        total += fire_claimed(ctx, worker, claims)
    return total


def run_forever(
    ctx: ServiceContext,
    interval: float,
    stop: threading.Event,
    batch: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
) -> None:
    """Fire due timers, start a due appraisal month, raise due contract renewals and the due-today,
    due-tomorrow and overdue notifications every ``interval`` seconds until ``stop`` is set; once a day (China
    time), purge the notifications older than AUXPOLICE_NOTIFICATION_RETENTION_DAYS."""
    from service.usecases.appraisal import start_due_month
    from service.usecases.notifications.purging import purge_notifications
    from service.usecases.notifications.raising import notify_due
    from service.usecases.roster import start_due_renewals

    worker = worker_name()
    purged_on: date | None = None  # each worker purges once a day; a second worker's purge finds little
    while not stop.is_set():
        try:
            fired = run_once(ctx, worker, batch, lease)
            started = start_due_month(ctx)
            renewals = start_due_renewals(ctx)
            notices = notify_due(ctx)  # due today, tomorrow, overdue: once per task (issue 15, point 5)
            purged, today = 0, ctx.clock.now().astimezone(CHINA).date()
            if purged_on != today and ctx.settings.notification_retention_days > 0:
                purged = purge_notifications(ctx, ctx.settings.notification_retention_days)
                purged_on = today  # only once it succeeded: a failed purge is tried again next round
            if fired or started or renewals or notices or purged:
                log.info(
                    "scheduler round",
                    extra={
                        "fired": fired,
                        "appraisals": started,
                        "renewals": renewals,
                        "notices": notices,
                        "purged_notifications": purged,
                    },
                )
        except Exception:  # noqa: BLE001 - a failed round is logged and retried next round
            log.exception("scheduler round failed")
        stop.wait(interval)
