"""Auditors' use cases over the audit log."""

from __future__ import annotations

from typing import Any

from service import audit
from service.context import ServiceContext


def verify_chain(ctx: ServiceContext) -> dict[str, Any]:
    """Check the whole chain; ``intact`` is true only when no problem was found."""
    with ctx.database.reading() as session:
        checked, problems = audit.verify(session)
    return {"intact": not problems, "checked": checked, "problems": problems}
