"""The incident list as designers and admins read it: process names and people's names, not codes.

The incidents themselves (what opens one, the API's list and resolve) are in ``incidents``; this module
adds who may see them in the web pages and the names a person needs to act on one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, UserModel
from service.usecases import incidents
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError
from service.usecases.instances import Page

# As long as the API accepts (service/api/incidents.py ResolveSchema).
RESOLUTION_MAX_LENGTH = 2000
# An instance page lists its open incidents; more than this is a model to fix, not a list to read.
INSTANCE_INCIDENTS_SHOWN = 20


def can_handle_incidents(caller: Caller) -> bool:
    """Designers fix the model, admins the register and accounts: both see and resolve incidents."""
    return caller.has_role("designer") or caller.has_role("admin")


def can_open_instances(caller: Caller) -> bool:
    """Whether every instance page opens for ``caller`` (instances.require_reader's rule for roles)."""
    return caller.has_role("designer") or caller.has_role("auditor")


def _require_handler(caller: Caller) -> None:
    if not can_handle_incidents(caller):
        raise ForbiddenError("只有流程设计人员和系统管理员可以查看和处理异常事件")


def incident_page(
    ctx: ServiceContext, caller: Caller, open_only: bool, instance_id: int | None, page: int, per_page: int
) -> Page:
    """Incidents, newest first, each with its process's name and the display names of the people in it."""
    _require_handler(caller)
    items, total = incidents.list_incidents(ctx, open_only, instance_id, page, per_page)
    with ctx.database.reading() as session:
        return Page(_with_names(session, items), total, page, per_page)


def open_incidents_of(ctx: ServiceContext, caller: Caller, instance_id: int) -> list[dict[str, Any]]:
    """The open incidents of one instance for its page; none for people who do not handle incidents."""
    if not can_handle_incidents(caller):
        return []
    items, _total = incidents.list_incidents(ctx, True, instance_id, 1, INSTANCE_INCIDENTS_SHOWN)
    return items


def resolve(ctx: ServiceContext, caller: Caller, incident_id: int, resolution: str) -> dict[str, Any]:
    """Resolve an incident from the web page: a designer or an admin, saying what was done."""
    _require_handler(caller)
    note = resolution.strip()
    if not note:
        raise InvalidInputError("请填写处理说明：做了什么、实例如何处置")
    if len(note) > RESOLUTION_MAX_LENGTH:
        raise InvalidInputError("处理说明不能超过 {limit} 个字", limit=RESOLUTION_MAX_LENGTH)
    return incidents.resolve_incident(ctx, caller, incident_id, note)


def _with_names(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each incident with ``process_name`` and ``actor_name`` / ``resolved_by_name``; None where there is
    no name (an unnamed model, an actor that is no account such as ``system``)."""
    by_definition, by_process = _process_names(session, items)
    people = _display_names(
        session,
        {item["actor"] for item in items} | {item["resolved_by"] for item in items if item["resolved_by"]},
    )
    return [
        {
            **item,
            "process_name": by_definition.get(item["definition_id"]) or by_process.get(item["process_id"]),
            "actor_name": people.get(item["actor"]),
            "resolved_by_name": people.get(item["resolved_by"]) if item["resolved_by"] else None,
        }
        for item in items
    ]


def _process_names(session: Session, items: list[dict[str, Any]]) -> tuple[dict[int, str], dict[str, str]]:
    """Names by definition id, and by process id (its latest version) where an incident has no named version.

    A model without a name has its id as its name (workflows/specs.py): that is no name to show.
    """
    by_definition: dict[int, str] = {}
    ids = {item["definition_id"] for item in items if item["definition_id"] is not None}
    if ids:
        for definition_id, process_id, name in session.execute(
            select(DefinitionModel.id, DefinitionModel.process_id, DefinitionModel.name).where(
                DefinitionModel.id.in_(sorted(ids))
            )
        ):
            if name and name != process_id:
                by_definition[definition_id] = name
    by_process: dict[str, str] = {}
    unnamed = {item["process_id"] for item in items if item["definition_id"] not in by_definition}
    if unnamed:
        latest = (
            select(DefinitionModel.process_id, func.max(DefinitionModel.version).label("version"))
            .where(DefinitionModel.process_id.in_(sorted(unnamed)))
            .group_by(DefinitionModel.process_id)
            .subquery()
        )
        for process_id, name in session.execute(
            select(DefinitionModel.process_id, DefinitionModel.name).join(
                latest,
                (latest.c.process_id == DefinitionModel.process_id)
                & (latest.c.version == DefinitionModel.version),
            )
        ):
            if name and name != process_id:
                by_process[process_id] = name
    return by_definition, by_process


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = session.execute(
        select(UserModel.username, UserModel.display_name).where(UserModel.username.in_(sorted(usernames)))
    )
    return {username: display_name for username, display_name in rows}
