"""Bulk claim: each task claimed in its own transaction by the claim use case (audited as one claim),
with a result per task; one refusal never undoes the others."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import HumanTaskModel
from service.usecases import tasks
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from service.usecases.names import person_names

# One request claims at most this many (a page of the inbox is at most 200 rows).
MAX_CLAIMS = 200


def claim_many(ctx: ServiceContext, caller: Caller, task_ids: list[str]) -> list[dict[str, Any]]:
    """Claim each task for the caller; the result of each, in the order given (duplicates once):
    ``claimed``, ``taken`` (someone else holds it: ``holder`` names them), ``not_allowed`` (not the
    caller's department, or head-only), ``not_found``, or ``refused`` (completed, cancelled, a duty rule),
    each with the refusal's message in both languages."""
    wanted = list(dict.fromkeys(task_ids))[:MAX_CLAIMS]
    results = []
    for task_id in wanted:
        try:
            tasks.claim_task(ctx, caller, task_id)
        except ServiceError as error:
            results.append(_refused(task_id, error))
        else:
            results.append(
                {"task_id": task_id, "outcome": "claimed", "message": "已认领", "message_en": "Claimed"}
            )
    _add_names(ctx, caller, results)
    return results


def _refused(task_id: str, error: ServiceError) -> dict[str, Any]:
    if isinstance(error, NotFoundError):
        outcome = "not_found"
    elif isinstance(error, ForbiddenError):
        outcome = "not_allowed"
    elif isinstance(error, ConflictError) and "user" in error.params:
        outcome = "taken"
    else:
        outcome = "refused"
    return {"task_id": task_id, "outcome": outcome, "message": error.message, "message_en": error.message_en}


def _add_names(ctx: ServiceContext, caller: Caller, results: list[dict[str, Any]]) -> None:
    """Each result with its task's step name and subject and, when taken, who holds it (only for tasks of
    the caller's departments: another department's task stays unnamed)."""
    ids = [result["task_id"] for result in results]
    with ctx.database.reading() as session:
        rows = {
            row.id: row
            for row in session.execute(
                select(
                    HumanTaskModel.id,
                    HumanTaskModel.name_zh,
                    HumanTaskModel.name_en,
                    HumanTaskModel.subject,
                    HumanTaskModel.claimed_by,
                    HumanTaskModel.department_code,
                ).where(HumanTaskModel.id.in_(ids))
            )
            if caller.in_department(row.department_code)
        }
        holders = person_names(session, [row.claimed_by or "" for row in rows.values()])
    for result in results:
        row = rows.get(result["task_id"])
        result["name_zh"] = row.name_zh if row else ""
        result["name_en"] = row.name_en if row else ""
        result["subject"] = row.subject if row else ""
        holder = holders.get(row.claimed_by or "") if row and result["outcome"] == "taken" else None
        result["holder"] = holder.zh if holder else ""
