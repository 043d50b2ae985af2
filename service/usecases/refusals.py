"""Record refused actions: access refused, conflicts and rule violations on changes."""

from __future__ import annotations

from service import audit
from service.context import ServiceContext


def record_refusal(
    ctx: ServiceContext, actor: str, method: str, path: str, status: int, message: str
) -> None:
    """Append an ``action_refused`` event in its own transaction (never with request bodies or tokens)."""
    with ctx.database.transaction() as session:
        audit.record(
            session,
            ctx.clock.now(),
            actor,
            "action_refused",
            method=method,
            path=path,
            status=status,
            message=message,
        )
