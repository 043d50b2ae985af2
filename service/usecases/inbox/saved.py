"""A user's saved inbox filters: a name and the inbox's query string, the user's own only.

A saved filter is a person's view of their list, not a decision about a case: it is not audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import SavedFilterModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError

# The inbox's query keys a saved filter keeps (page and anything else are dropped).
KEYS = ("section", "process", "step", "town", "village", "due", "sort")
MAX_FILTERS = 50


def normalise(query: str) -> str:
    """``query`` with only the inbox's own keys, non-empty, in a fixed order."""
    pairs = dict(parse_qsl(query.lstrip("?"), keep_blank_values=False))
    return urlencode([(key, pairs[key][:100]) for key in KEYS if pairs.get(key)])


def saved_filters(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        return read_saved(session, caller)


def read_saved(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """``saved_filters`` in a session the caller holds."""
    rows = session.scalars(
        select(SavedFilterModel)
        .where(SavedFilterModel.username == caller.username)
        .order_by(SavedFilterModel.name, SavedFilterModel.id)
    )
    return [_as_dict(row) for row in rows]


def save_filter(ctx: ServiceContext, caller: Caller, name: str, query: str) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise InvalidInputError(
            "请填写筛选条件的名称",
            errors={"name": ["请填写名称", "Enter a name"]},
            english="Enter the filter's name",
        )
    with ctx.database.transaction() as session:
        mine = SavedFilterModel.username == caller.username
        if session.scalar(select(SavedFilterModel.id).where(mine, SavedFilterModel.name == name)) is not None:
            raise ConflictError(
                "已有同名的筛选条件“{name}”", english="A filter named {name} exists already", name=name
            )
        if (
            session.scalar(select(func.count()).select_from(SavedFilterModel).where(mine)) or 0
        ) >= MAX_FILTERS:
            raise ConflictError(
                "最多保存 {n} 个筛选条件，请先删除不用的",
                english="At most {n} filters can be saved; delete one you no longer use",
                n=MAX_FILTERS,
            )
        row = SavedFilterModel(
            username=caller.username,
            name=name[:64],
            query=normalise(query)[:1000],
            created_at=ctx.clock.now(),
        )
        session.add(row)
        session.flush()
        return _as_dict(row)


def delete_filter(ctx: ServiceContext, caller: Caller, filter_id: int) -> None:
    with ctx.database.transaction() as session:
        gone = session.execute(
            delete(SavedFilterModel).where(
                SavedFilterModel.id == filter_id, SavedFilterModel.username == caller.username
            )
        )
        if not gone.rowcount:  # type: ignore[attr-defined]
            raise NotFoundError("筛选条件 {filter_id} 不存在", filter_id=filter_id)


def _as_dict(row: SavedFilterModel) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "query": row.query, "created_at": row.created_at}
