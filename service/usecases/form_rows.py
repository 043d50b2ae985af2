"""Rows a task's form is filled in by, read from the domain tables (read-only).

A form declares which rows it lists (``"x-rows": {"source": "eligible_applicants", ...}`` on an array of
its schema); the page asks for them here by that name, so the table is the model's decision, never a guess
from a field's name. The sources: the eligible applicants of the campaign whose recruitment instance holds
the task (the exam-score table), and the villages of the staffing plan being drafted (quota, officers in
service, vacancies; the planned number and its reason are the inputs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    OPEN_STATES,
    ApplicationModel,
    CampaignModel,
    HumanTaskModel,
    InstanceModel,
    VillageModel,
)
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.grounds.building import (
    masked_id,  # one masking rule for every list
    town_name,
    town_names,
    village_names,
)
from service.usecases.grounds.recruitment import officer_names
from service.usecases.runner import InstanceRunner


@dataclass(frozen=True)
class ApplicantRow:
    """One applicant as a clerk recognises them: name, masked resident ID and village names, no codes."""

    application_id: int
    name: str
    masked_id: str
    village_zh: str
    village_en: str


def _eligible_applicants(ctx: ServiceContext, session: Session, task: HumanTaskModel) -> list[ApplicantRow]:
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
class PlanVillageRow:
    """One village of the staffing plan being drafted: what it was computed from (quota, the officers then in
    service, by name, and the vacancies) and the drafter's current number and reason (the last draft's, or
    the vacancies on a first draft)."""

    village_code: str
    village_zh: str
    village_en: str
    town_zh: str
    town_en: str
    quota: int
    in_service: int
    officers: list[str]
    vacancies: int
    posts: int
    reason: str


def _plan_villages(ctx: ServiceContext, session: Session, task: HumanTaskModel) -> list[PlanVillageRow]:
    instance = session.get(InstanceModel, task.instance_id)
    if instance is None or task.state not in OPEN_STATES:
        return []
    engine, workflow = InstanceRunner(ctx, session, "system").load(instance)
    plan = engine.task_data(workflow, task.id).get("plan") or {}  # the plan this draft works on
    posts = [post for post in plan.get("posts") or [] if isinstance(post, dict) and "quota" in post]
    # Town by town in the register's order, as the review's plan table lists them.
    towns = town_names(session)
    order = {code: position for position, code in enumerate(towns)}
    posts.sort(key=lambda post: order.get(str(post.get("town")), len(order)))
    villages = village_names(session, (post["village_code"] for post in posts))
    names = officer_names(session, posts)
    rows = []
    for post in posts:
        code = str(post["village_code"])
        village = villages.get(code, (str(post.get("village_name") or code),) * 2)
        town = town_name(towns, post.get("town"))
        rows.append(
            PlanVillageRow(
                code,
                village[0],
                village[1],
                town[0],
                town[1],
                int(post["quota"]),
                int(post["in_service"]),
                [names.get(officer_id, str(officer_id)) for officer_id in post.get("officer_ids") or []],
                int(post["vacancies"]),
                int(post["posts"]),
                str(post.get("adjustment_reason") or ""),
            )
        )
    return rows


@dataclass(frozen=True)
class FormRows:
    """The rows of one source for the form of one task (the page links the task's other ways to fill it).
    ``layout`` says which table the page draws: the applicants' (one score each) or the plan's villages."""

    task_id: str
    rows: Sequence[Any]
    layout: str = field(default="applicants")


SOURCES: dict[str, Callable[[ServiceContext, Session, HumanTaskModel], Sequence[Any]]] = {
    "eligible_applicants": _eligible_applicants,
    "plan_villages": _plan_villages,
}
LAYOUTS = {"plan_villages": "plan"}


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
        return {
            source: FormRows(task.id, SOURCES[source](ctx, session, task), LAYOUTS.get(source, "applicants"))
            for source in wanted
        }
