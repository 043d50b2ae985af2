"""Start instances, read them and their history, fire due timers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, HumanTaskModel, InstanceModel
from service.usecases import names
from service.usecases.archived import archived_record
from service.usecases.data_view import data_view
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, ForbiddenError, NotFoundError
from service.usecases.history_view import history_view
from service.usecases.incidents import incidents_recorded
from service.usecases.instance_access import staff_may_read
from service.usecases.own_cases import refuse_own
from service.usecases.runner import InstanceRunner
from service.usecases.starting import check_api_start
from workflows.ports import CHINA

INSTANCE_FIELDS = (
    "id",
    "definition_id",
    "process_id",
    "business_key",
    "status",
    "subject",
    "started_by",
    "created_at",
    "updated_at",
    "completed_at",
    "archived_at",
)


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int


def start_instance(
    ctx: ServiceContext, caller: Caller, process_id: str, business_key: str | None, data: dict[str, Any]
) -> InstanceModel:
    """Start the latest version of ``process_id`` (one transaction with its audit events).

    Only a process its model opens to the caller (a member or a head of its departments), with start data
    its start form accepts (service/usecases/starting.py); the service's own processes are started by
    their use cases. Without ``business_key`` the service gives one: ``<year>-<process>``, then ``-2``...
    """
    try:
        with incidents_recorded(ctx), ctx.database.transaction() as session:
            runner = InstanceRunner(ctx, session, caller.username)
            specs = runner.specs_for(runner.latest_definition(process_id).id)
            check_api_start(specs, process_id, caller, data, names.department_names(session))
            if not business_key:
                business_key = next_business_key(session, process_id, ctx.clock.now().astimezone(CHINA).year)
            elif _key_taken(session, process_id, business_key):
                raise ConflictError("业务编号 {business_key} 已有流程实例", business_key=business_key)
            return runner.start(process_id, data, business_key, use_case=None)
    except IntegrityError as error:  # another start took the same generated key a moment earlier
        raise ConflictError("业务编号 {business_key} 已有流程实例", business_key=business_key) from error


def _key_taken(session: Session, process_id: str, business_key: str) -> bool:
    query = select(InstanceModel.id).where(
        InstanceModel.process_id == process_id, InstanceModel.business_key == business_key
    )
    return session.scalars(query).first() is not None


def next_business_key(session: Session, process_id: str, year: int) -> str:
    """The first free key of ``<year>-<process>``, ``<year>-<process>-2``, ... (e.g. 2026-recruitment)."""
    base = f"{year}-{process_id}"
    taken = set(
        session.scalars(
            select(InstanceModel.business_key).where(
                InstanceModel.process_id == process_id,
                InstanceModel.business_key.startswith(base, autoescape=True),
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def get_instance(ctx: ServiceContext, instance_id: int) -> tuple[InstanceModel, list[HumanTaskModel]]:
    with ctx.database.reading() as session:
        instance = session.get(InstanceModel, instance_id)
        if instance is None:
            raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=instance_id)
        tasks = list(
            session.scalars(
                select(HumanTaskModel)
                .where(HumanTaskModel.instance_id == instance_id)
                .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
            )
        )
        return instance, tasks


def require_reader(session: Session, caller: Caller, instance_id: int) -> None:
    """Auditors and designers read every instance; staff only those their departments work on (and the
    sub-bureau its campaigns', service/usecases/instance_access.py); nobody one about their own officer
    record (service/usecases/own_cases.py)."""
    if session.get(InstanceModel, instance_id) is None:
        raise NotFoundError("流程实例 {instance_id} 不存在", instance_id=instance_id)
    refuse_own(session, caller, instance_id)
    if caller.has_role("auditor") or caller.has_role("designer"):
        return
    if not staff_may_read(session, caller, instance_id):
        raise ForbiddenError("您所在部门未参与该流程实例，无权查看")


def instance_history(ctx: ServiceContext, caller: Caller, instance_id: int, page: int, per_page: int) -> Page:
    with ctx.database.reading() as session:
        require_reader(session, caller, instance_id)
        query = select(AuditEventModel).where(AuditEventModel.instance_id == instance_id)
        offset = (page - 1) * per_page
        items = list(session.scalars(query.order_by(AuditEventModel.id).offset(offset).limit(per_page)))
        if 0 < len(items) < per_page or (page == 1 and not items):
            total = offset + len(items)  # the history ends on this page: nothing left to count
        else:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return Page(items, total, page, per_page)


def instance_detail(
    ctx: ServiceContext, caller: Caller, instance_id: int, include_data: bool = True
) -> dict[str, Any]:
    """An instance with its human tasks and, unless the caller has it already, its current data."""
    with ctx.database.reading() as session:
        require_reader(session, caller, instance_id)
    instance, tasks = get_instance(ctx, instance_id)
    data: dict[str, Any] = {}
    if include_data:
        with ctx.database.reading() as session:
            if instance.archived_at is not None:  # its state is gone: the final data its audit log keeps
                data = archived_record(session, instance).data
            else:
                data = InstanceRunner(ctx, session, "system").current_data(instance)
    return {**{c: getattr(instance, c) for c in INSTANCE_FIELDS}, "data": data, "tasks": tasks}


def people_view(ctx: ServiceContext, detail: dict[str, Any], history: Page) -> dict[str, Any]:
    """The data and a page of the history of an instance the caller may read (``instance_detail`` and
    ``instance_history`` checked it), as people read them: titled, labelled, names not codes."""
    with ctx.database.reading() as session:
        specs = InstanceRunner(ctx, session, "system").specs_for(detail["definition_id"])
        process_id = detail["process_id"]
        return {
            "data": data_view(session, specs, process_id, detail["data"]),
            "history": history_view(session, specs, process_id, history.items),
        }
