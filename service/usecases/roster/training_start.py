"""Starting training, the payroll and an undertaking's registration in person, and the bureau's list of
the officers in service without a confidentiality undertaking (issue 17, points 6 and 8).

Who may start either is the model's to say (``startedBy`` on its start event, service/usecases/starting.py);
``instances.start_instance`` checks it and the start form, as for a start through the API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import OPEN_STATES, HumanTaskModel, OfficerModel
from service.usecases import instances
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError
from service.usecases.roster import training_cohort
from service.usecases.roster.training import UNDERTAKING, officers_without_undertaking
from service.usecases.runner import InstanceRunner

# Who reads the list of missing undertakings: the sub-bureau, which collects them (the policy's section 3).
LIST_DEPARTMENT = "police_bureau"


def start_process(
    ctx: ServiceContext, caller: Caller, process_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Start ``process_id`` in person (audited as every start); answers the instance, its names and the
    first task it opened for the caller (None when its next step is someone else's)."""
    instance = instances.start_instance(ctx, caller, process_id, None, data)
    with ctx.database.reading() as session:
        tasks = session.scalars(
            select(HumanTaskModel)
            .where(HumanTaskModel.instance_id == instance.id, HumanTaskModel.state.in_(OPEN_STATES))
            .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
        ).all()
        runner = InstanceRunner(ctx, session, caller.username)
        specs = runner.specs_for(instance.definition_id)

    def open_to_caller(task: HumanTaskModel) -> bool:
        info = specs.user_task(task.process_id, task.spec_name)
        if info is not None and info.not_done_by:  # it bars whoever did the step before: the starter
            return False
        return caller.heads(task.department_code) or (
            caller.in_department(task.department_code) and not task.head_only
        )

    mine = next((t.id for t in tasks if open_to_caller(t)), None)
    name_zh = specs.process_names.get(process_id, process_id)
    return {
        "instance_id": instance.id,
        "task_id": mine,
        "name_zh": name_zh,
        "name_en": specs.process_names_en.get(process_id, name_zh),
    }


def start_undertaking(ctx: ServiceContext, caller: Caller, officer_id: int) -> dict[str, Any]:
    """Open the registration of ``officer_id``'s undertaking; answers the instance and its open task."""
    with ctx.database.reading() as session:
        officer = session.get(OfficerModel, officer_id)
        subject = f"{officer.name} 保密承诺书" if officer is not None else None
    data: dict[str, Any] = {"officer_id": officer_id}
    if subject:
        data["subject"] = subject
    instance = instances.start_instance(ctx, caller, UNDERTAKING, None, data)
    with ctx.database.reading() as session:
        task_id = session.scalar(
            select(HumanTaskModel.id).where(
                HumanTaskModel.instance_id == instance.id, HumanTaskModel.state.in_(OPEN_STATES)
            )
        )
    return {"instance_id": instance.id, "task_id": task_id}


def cohort_choices(ctx: ServiceContext, lang: str) -> list[tuple[int, str]]:
    """The officers a training plan may choose by name (roster/training_cohort.py, ``choices``)."""
    with ctx.database.reading() as session:
        return training_cohort.choices(session, lang)


def may_list_missing(caller: Caller) -> bool:
    """Who reads the list of missing undertakings: the sub-bureau, auditors and administrators."""
    return caller.in_department(LIST_DEPARTMENT) or caller.has_role("auditor") or caller.has_role("admin")


def missing_undertakings(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """The officers in service without an undertaking, for the sub-bureau, auditors and administrators."""
    if not may_list_missing(caller):
        raise ForbiddenError("只有公安分局人员、审计人员和系统管理员可以查看未签保密承诺书的辅警名单")
    with ctx.database.reading() as session:
        return officers_without_undertaking(session)
