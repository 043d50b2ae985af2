"""Renaming what the administration names in two languages (a department, a town): the code, which lanes,
memberships and the register refer to, stays; only a real change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.usecases.directory import Caller


def rename(
    ctx: ServiceContext,
    session: Session,
    admin: Caller,
    row: Any,
    body: dict[str, Any],
    action: str,
    **subject: Any,
) -> None:
    """Give ``row`` the Chinese and English names of ``body``; record ``action`` with before and after
    when they differ."""
    before = {"name_zh": row.name_zh, "name_en": row.name_en}
    row.name_zh, row.name_en = body["name_zh"], body["name_en"]
    after = {"name_zh": row.name_zh, "name_en": row.name_en}
    if before != after:
        audit.record(session, ctx.clock.now(), admin.username, action, **subject, before=before, after=after)
