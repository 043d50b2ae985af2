"""The list of process instances a person may read (issue 17): by process, by the step a case waits at, by
town and by state (open, ended, archived), newest first, with the steps each open case waits at.

The officers' dashboard counts its open cases by process and step with ``open_step_counts`` from the same
conditions as this list (``_readable``, ``_waiting_at``), so each of its numbers is the total of the list
its link opens. Who reads what is service/usecases/instance_access.py's rule and the officer's own cases
are hidden (service/usecases/own_cases.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, TextClause, and_, exists, func, select, text
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ACTIVE_TASK, AuditEventModel, HumanTaskModel, InstanceModel
from service.usecases.directory import Caller
from service.usecases.instance_access import CAMPAIGN_DEPARTMENT, readable_by_staff
from service.usecases.instances import INSTANCE_FIELDS
from service.usecases.own_cases import hide_own
from service.usecases.roster.training import TRAINING_RECORDED

# An instance's state as people ask for it: open (running, or stopped by an error), ended (completed, its
# engine state still kept) and archived (retention dropped its engine state; the audit log keeps the rest).
STATES = ("open", "ended", "archived")
Columns = TypeVarTuple("Columns")
STATE_LABELS = {"open": ("办理中", "Open"), "ended": ("已办结", "Ended"), "archived": ("已归档", "Archived")}


@dataclass
class InstanceFilters:
    process_id: str | None = None
    step: str | None = None
    state: str | None = None
    town: str | None = None
    status: str | None = None
    business_key: str | None = None
    # The training records with this recorded result (passed, failed, absent: roster/training.py).
    result: str | None = None


def state_of(instance: InstanceModel) -> str:
    if instance.archived_at is not None:
        return "archived"
    return "ended" if instance.status == "completed" else "open"


def _state_condition(state: str) -> ColumnElement[bool]:
    if state == "archived":
        return InstanceModel.archived_at.is_not(None)
    ended = InstanceModel.status == "completed"
    return and_(InstanceModel.archived_at.is_(None), ended if state == "ended" else ~ended)


def _readable(query: Select[*Columns], caller: Caller) -> Select[*Columns]:
    """``query`` (over ``InstanceModel``) narrowed to the instances ``caller`` may read."""
    query = hide_own(query, caller, InstanceModel.id)
    if caller.has_role("auditor") or caller.has_role("designer"):
        return query
    return query.where(readable_by_staff(caller))


def reads_every_officer_case(caller: Caller) -> bool:
    """Whether ``caller`` reads every instance of the officer processes (instance_access.py): auditors,
    designers and the sub-bureau; the others read those their departments work on."""
    return (
        caller.has_role("auditor") or caller.has_role("designer") or caller.in_department(CAMPAIGN_DEPARTMENT)
    )


def _waiting_at(
    town: str | None, step: str | None = None, open_only: bool = False
) -> list[ColumnElement[bool] | TextClause]:
    """A task of the instance's own process: of ``town`` (when given), open at ``step`` (when given), open
    at any step (``open_only``)."""
    conditions: list[ColumnElement[bool] | TextClause] = [
        HumanTaskModel.instance_id == InstanceModel.id,
        HumanTaskModel.process_id == InstanceModel.process_id,
    ]
    if step or open_only:
        conditions.append(text(f"human_tasks.{ACTIVE_TASK}"))
    if step:
        conditions.append(HumanTaskModel.spec_name == step)
    if town:
        conditions.append(HumanTaskModel.town == town)
    return conditions


def _query(caller: Caller, filters: InstanceFilters) -> Select[Any]:
    query = _readable(select(InstanceModel), caller)
    if filters.process_id:
        query = query.where(InstanceModel.process_id == filters.process_id)
    if filters.state:
        query = query.where(_state_condition(filters.state))
    if filters.status:
        query = query.where(InstanceModel.status == filters.status)
    if filters.business_key:
        query = query.where(InstanceModel.business_key.startswith(filters.business_key, autoescape=True))
    if filters.result:
        recorded = select(AuditEventModel.id).where(
            AuditEventModel.instance_id == InstanceModel.id,
            AuditEventModel.action == TRAINING_RECORDED,
            AuditEventModel.payload["result"].as_string() == filters.result,
        )
        query = query.where(exists(recorded))
    if filters.step or filters.town:
        query = query.where(exists(select(HumanTaskModel.id).where(*_waiting_at(filters.town, filters.step))))
    return query


def _open_steps(session: Session, ids: list[int]) -> dict[int, list[HumanTaskModel]]:
    found: dict[int, list[HumanTaskModel]] = {i: [] for i in ids}
    for task in session.scalars(
        select(HumanTaskModel)
        .where(HumanTaskModel.instance_id.in_(ids), text(f"human_tasks.{ACTIVE_TASK}"))
        .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
    ):
        found[task.instance_id].append(task)
    return found


def list_instances(
    ctx: ServiceContext, caller: Caller, filters: InstanceFilters, page: int, per_page: int
) -> dict[str, Any]:
    """A page of the instances ``caller`` may read that match ``filters``, newest first, each with the open
    tasks it waits at (step, department, who holds it, due date) and its state."""
    with ctx.database.reading() as session:
        query = _query(caller, filters)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = list(
            session.scalars(
                query.order_by(InstanceModel.id.desc()).offset((page - 1) * per_page).limit(per_page)
            )
        )
        steps = _open_steps(session, [i.id for i in items])
        rows = [
            {
                **{column: getattr(instance, column) for column in INSTANCE_FIELDS},
                "state": state_of(instance),
                "current_steps": steps[instance.id],
            }
            for instance in items
        ]
        return {"items": rows, "total": total, "page": page, "per_page": per_page}


def open_step_counts(
    session: Session, caller: Caller, processes: Sequence[str], town: str | None
) -> list[dict[str, Any]]:
    """The open instances of ``processes`` that ``caller`` may read, counted by the step they wait at (an
    instance waiting at two steps counts at each): the total of ``list_instances`` with the process, the
    step, the town and the state ``open``. The step's name is one of its versions'."""
    query = _readable(
        select(
            HumanTaskModel.process_id,
            HumanTaskModel.spec_name,
            func.max(HumanTaskModel.name_zh),
            func.max(HumanTaskModel.name_en),
            func.count(func.distinct(HumanTaskModel.instance_id)),
        ).join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id),
        caller,
    ).where(
        HumanTaskModel.process_id.in_(processes), _state_condition("open"), *_waiting_at(town, open_only=True)
    )
    return [
        {"process": process, "step": step, "name_zh": zh, "name_en": en, "count": count}
        for process, step, zh, en, count in session.execute(
            query.group_by(HumanTaskModel.process_id, HumanTaskModel.spec_name)
        )
    ]
