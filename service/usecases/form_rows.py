"""Rows a task's form is filled in by, read from the domain tables (read-only).

A form declares which rows it lists (``"x-rows": {"source": "eligible_applicants", ...}`` on an array of
its schema); the page asks for them here by that name, so the table is the model's decision, never a guess
from a field's name. Today there is one source: the eligible applicants of the campaign whose recruitment
instance holds the task (the exam-score table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import ApplicationModel, CampaignModel, HumanTaskModel, VillageModel
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.grounds.building import masked_id  # one masking rule for every list


@dataclass(frozen=True)
class ApplicantRow:
    """One applicant as a clerk recognises them: name, masked resident ID and village names, no codes."""

    application_id: int
    name: str
    masked_id: str
    village_zh: str
    village_en: str


def _eligible_applicants(session: Session, task: HumanTaskModel) -> list[ApplicantRow]:
    # The campaign is the one its recruitment instance created (approve_plan), the instance of this task.
    campaign_id = session.scalar(
        select(CampaignModel.id).where(CampaignModel.instance_id == task.instance_id)
    )
    if campaign_id is None:
        return []
    found = session.execute(
        select(
            ApplicationModel.id,
            ApplicationModel.name,
            ApplicationModel.id_number,
            ApplicationModel.village_code,
            VillageModel.name_zh,
            VillageModel.name_en,
        )
        .join(VillageModel, VillageModel.code == ApplicationModel.village_code)
        .where(ApplicationModel.campaign_id == campaign_id, ApplicationModel.status == "eligible")
    ).all()
    # By village (register order: the code groups a town's villages), then name: the same order on
    # SQLite and PostgreSQL whatever the database's collation, so a clerk finds a row where it was.
    ordered = sorted(found, key=lambda row: (row.village_code, row.name, row.id))
    return [
        ApplicantRow(row.id, row.name, masked_id(row.id_number), row.name_zh, row.name_en) for row in ordered
    ]


@dataclass(frozen=True)
class FormRows:
    """The rows of one source for the form of one task (the page links the task's other ways to fill it)."""

    task_id: str
    rows: list[ApplicantRow]


SOURCES: dict[str, Callable[[Session, HumanTaskModel], list[ApplicantRow]]] = {
    "eligible_applicants": _eligible_applicants,
}


def rows_for(
    ctx: ServiceContext, caller: Caller, task_id: str, sources: Iterable[str]
) -> dict[str, FormRows]:
    """The rows of each named source for the form of ``task_id``, for those who may read the task."""
    wanted = [source for source in sources if source in SOURCES]
    if not wanted:
        return {}
    with ctx.database.reading() as session:
        task = session.get(HumanTaskModel, task_id)
        if task is None:
            raise NotFoundError("任务 {task_id} 不存在", task_id=task_id)
        if not (caller.in_department(task.department_code) or caller.has_role("auditor")):
            raise ForbiddenError(
                "您不属于部门 {department}，无权查看或办理该部门的任务", department=task.department_code
            )
        return {source: FormRows(task.id, SOURCES[source](session, task)) for source in wanted}
