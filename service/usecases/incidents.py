"""Incidents: instances that cannot go on by themselves, for designers and admins to see and resolve.

Two ways to get one:
- an action fails inside the engine (past its budget of steps or time, too large a task tree, a model
  expression that fails): nothing of the action is kept, so the incident is written in its own
  transaction after the failed one rolled back (``incidents_recorded``);
- an action leaves the instance neither complete nor waiting on a person, a timer or a message (a stall):
  the state is kept as it is and the incident is written with it, in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.context import ServiceContext
from service.persistence.models import IncidentModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError, OperatorFailedError
from workflows.engine import (
    ActionBudgetError,
    EngineError,
    InstanceTooLargeError,
    ModelError,
    TaskNotReadyError,
    cause_of,
)

log = logging.getLogger(__name__)

INCIDENT_FIELDS = (
    "id",
    "instance_id",
    "process_id",
    "definition_id",
    "kind",
    "element",
    "message",
    "message_en",
    "actor",
    "created_at",
    "resolved_at",
    "resolved_by",
    "resolution",
)


# What went wrong, for the incident list: past the action's budget, a task tree near the engine's limit, a
# model expression, decision or operator that failed, or (written by the runner) an instance that stalled.
_KINDS = {ActionBudgetError: "budget", InstanceTooLargeError: "too_large", ModelError: "model_error"}


class IncidentError(InvalidInputError):
    """A model failed while the engine acted; the action was undone and an incident is due."""

    def __init__(self, message: str, english: str | None, incident: dict[str, Any]) -> None:
        super().__init__(message, english=english)
        self.incident = incident


def guarded(step: Callable[[], Any], actor: str, incident: dict[str, Any] | None = None) -> Any:
    """Run engine work; a model's failure becomes a 422, and an ``IncidentError`` when ``incident``
    says which instance (or process, for a start) it happened in."""
    try:
        return step()
    except EngineError as error:
        # SpiffWorkflow wraps what an operator raised; the operator's own refusal is the useful message.
        refusal = cause_of(error, OperatorFailedError)
        if refusal is not None:
            raise refusal from error
        if incident is None or isinstance(error, TaskNotReadyError):
            raise InvalidInputError(str(error), english=error.message_en) from error
        details = {
            **incident,
            "kind": _KINDS.get(type(error), "model_error"),
            "element": error.element,
            "message": str(error),
            "message_en": error.message_en or str(error),
            "actor": actor,
        }
        raise IncidentError(str(error), error.message_en, details) from error


@contextmanager
def incidents_recorded(ctx: ServiceContext) -> Iterator[None]:
    """Record the incident of an ``IncidentError`` raised in the block, after its transaction ended.

    Put it outside the use case's transaction: the failed action rolls back first, then the incident is
    written on its own, and the error goes on to the caller.
    """
    try:
        yield
    except IncidentError as error:
        try:
            with ctx.database.transaction() as session:
                open_incident(session, ctx.clock.now(), **error.incident)
        except Exception:  # noqa: BLE001 - the refusal must still reach the person; the log keeps the rest
            log.exception("could not record an incident: %s", error.incident)
        raise


def open_incident(
    session: Session,
    now: datetime,
    *,
    instance_id: int | None,
    process_id: str,
    definition_id: int | None,
    kind: str,
    element: str | None,
    message: str,
    message_en: str,
    actor: str,
) -> None:
    """Write an incident and its audit event in ``session``'s transaction, unless the same one is open.

    A timer whose model fails is retried every scheduler lease; it is one incident, not one a minute.
    """
    if (
        instance_id is not None
        and session.scalars(
            select(IncidentModel.id).where(
                IncidentModel.instance_id == instance_id,
                IncidentModel.kind == kind,
                IncidentModel.element == element if element is not None else IncidentModel.element.is_(None),
                IncidentModel.resolved_at.is_(None),
            )
        ).first()
    ):
        return
    session.add(
        IncidentModel(
            instance_id=instance_id,
            process_id=process_id,
            definition_id=definition_id,
            kind=kind,
            element=element,
            message=message,
            message_en=message_en,
            actor=actor,
            created_at=now,
        )
    )
    audit.record(
        session,
        now,
        "system",
        "incident_opened",
        instance_id=instance_id,
        process_id=process_id,
        kind=kind,
        element=element,
        message=message,
        triggered_by=actor,
    )


def list_incidents(
    ctx: ServiceContext, open_only: bool, instance_id: int | None, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """Incidents, newest first; ``open_only`` leaves out the resolved ones."""
    with ctx.database.reading() as session:
        query = select(IncidentModel)
        if open_only:
            query = query.where(IncidentModel.resolved_at.is_(None))
        if instance_id is not None:
            query = query.where(IncidentModel.instance_id == instance_id)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(IncidentModel.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        return [_as_dict(row) for row in rows], total


def resolve_incident(
    ctx: ServiceContext, caller: Caller, incident_id: int, resolution: str
) -> dict[str, Any]:
    """Mark an incident resolved, with what was done about it (a designer or an admin)."""
    with ctx.database.transaction() as session:
        incident = session.get(IncidentModel, incident_id, with_for_update=True)
        if incident is None:
            raise NotFoundError("异常事件 {incident_id} 不存在", incident_id=incident_id)
        if incident.resolved_at is not None:
            raise ConflictError("异常事件 {incident_id} 已处理", incident_id=incident_id)
        now = ctx.clock.now()
        incident.resolved_at, incident.resolved_by, incident.resolution = now, caller.username, resolution
        audit.record(
            session,
            now,
            caller.username,
            "incident_resolved",
            instance_id=incident.instance_id,
            incident_id=incident.id,
            resolution=resolution,
        )
        return _as_dict(incident)


def _as_dict(row: IncidentModel) -> dict[str, Any]:
    return {name: getattr(row, name) for name in INCIDENT_FIELDS}
