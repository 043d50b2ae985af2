"""Purge old notifications: the bell keeps a bounded history, as Camunda's history cleanup and GitHub's
notification expiry do, so the table and its indexes stop growing with the years.

A notification only points at what the audit trail records (task ready, returned, reassigned, an instance
migrated, a timer fired) or at a due date; deleting it loses no record, so the purge is not an audit event.
Read rows go with their notifications; the users' watermarks stay (an id, however old, is still a bound).
A task still open keeps its notifications, however old: they still point at work to do, and the scheduler's
round would raise a purged "overdue" again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, select

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel
from service.persistence.models.notifications import NotificationModel, NotificationReadModel
from service.persistence.rows import table_of
from service.usecases.errors import InvalidInputError

# Rows deleted per transaction: the service's writers wait for one batch at most, never for the whole purge.
PURGE_BATCH = 1000

N = NotificationModel


def purge_notifications(ctx: ServiceContext, older_than_days: int, batch: int = PURGE_BATCH) -> int:
    """Delete the notifications created more than ``older_than_days`` days ago, and their read rows, ``batch``
    at a time; return how many notifications were deleted."""
    if older_than_days < 1:
        raise InvalidInputError(
            "保留天数至少为 1 天（收到 {days}）",
            english="Keep notifications for at least 1 day (given {days})",
            days=older_than_days,
        )
    batch = max(1, batch)
    cutoff = ctx.clock.now() - timedelta(days=older_than_days)
    # Ids grow with time, so the oldest are the lowest: read in id order, a batch is found at the start of the
    # primary key without an index on created_at.
    still_open = exists().where(HumanTaskModel.id == N.task_id, HumanTaskModel.state.in_(OPEN_STATES))
    oldest = select(N.id).where(N.created_at < cutoff, ~still_open).order_by(N.id).limit(batch)
    deleted = 0
    while True:
        with ctx.database.transaction() as session:
            ids = list(session.scalars(oldest))
            if ids:
                session.execute(
                    delete(NotificationReadModel).where(NotificationReadModel.notification_id.in_(ids))
                )
                session.execute(delete(table_of(N)).where(table_of(N).c.id.in_(ids)))
        deleted += len(ids)
        if len(ids) < batch:
            return deleted
