"""Read models of the dashboards: recruitment campaigns, and the monthly appraisal by month and town."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import (
    ACTIVE_TASK,
    AppraisalCountModel,
    CampaignModel,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
)
from service.usecases import names
from service.usecases.appraisal import EARLIEST_MONTH, month_scored_by, parse_month
from service.usecases.campaign_charts import campaign_charts
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError
from workflows.ports import CHINA
from workflows.rules.grading import GRADES

TOWN_DEPARTMENT_KINDS = ("police_station", "town_gov")


def can_read_campaigns(caller: Caller) -> bool:
    return caller.in_department("police_bureau") or caller.has_role("auditor")


def appraisal_towns(caller: Caller) -> set[str] | None:
    """The towns whose appraisals ``caller`` may see: None for all (sub-bureau, auditors), else own towns."""
    if can_read_campaigns(caller):
        return None
    return {
        code.split(":", 1)[1]
        for code in caller.departments
        if ":" in code and code.split(":", 1)[0] in TOWN_DEPARTMENT_KINDS
    }


def report_town(caller: Caller, town: str | None) -> str | None:
    """The town a month report shows: any (or all) for the sub-bureau and auditors, else the caller's own."""
    visible = appraisal_towns(caller)
    if visible is None:
        return town
    if town is None and len(visible) == 1:
        return next(iter(visible))
    if town in visible:
        return town
    raise ForbiddenError("您只能查看本镇的考核结果")


def _require_campaign_reader(caller: Caller) -> None:
    if not can_read_campaigns(caller):
        raise ForbiddenError("只有公安分局人员和审计人员可以查看招聘看板")


def list_campaigns(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """Every recruitment campaign, newest first."""
    _require_campaign_reader(caller)
    with ctx.database.reading() as session:
        campaigns = session.scalars(select(CampaignModel).order_by(CampaignModel.id.desc()))
        return [
            {
                "id": c.id,
                "title": c.title,
                "business_key": c.business_key,
                "status": c.status,
                "instance_id": c.instance_id,
                "posts_total": (c.plan or {}).get("total_posts", 0),
                "registration_start": c.registration_start,
                "registration_end": c.registration_end,
                "created_at": c.created_at,
            }
            for c in campaigns
        ]


def campaign_dashboard(ctx: ServiceContext, caller: Caller, campaign_id: int) -> dict[str, Any]:
    """The campaign report with the posts broken down: filled, vacant, in progress, vetting, not started;
    ``charts`` holds the same numbers by village (campaign_charts), from which the report is summed:
    grouped counts, not every application loaded (a province's campaign has tens of thousands)."""
    _require_campaign_reader(caller)
    charts = campaign_charts(ctx, caller, campaign_id)
    campaign, by_status, posts = charts["campaign"], charts["totals"], charts["posts"].values()
    items = [item for entry in posts for item in entry["items"]]
    filled = sum(entry["filled"] for entry in posts)
    vacant = [item["business_key"] for item in items if item["state"] == "vacant"]
    in_progress = sum(1 for item in items if item["state"] == "in_progress")
    total = (campaign.plan or {}).get("total_posts", 0)
    return {
        "campaign": campaign,
        "charts": charts,
        "posts_total": total,
        "posts_filled": filled,
        "posts_vacant": vacant,
        "posts_in_progress": in_progress,
        "applicants_by_status": by_status,
        "rejections_by_reason": charts["reasons"],
        "posts_vacant_count": len(vacant),
        "in_vetting": by_status.get("vetting", 0),
        "posts_not_started": max(total - filled - len(vacant) - in_progress, 0),
        "applicants_total": sum(by_status.values()),
    }


def visible_towns(session: Session, caller: Caller, town: str | None) -> list[dict[str, str]]:
    """The towns of the register whose appraisals ``caller`` may see, checking the one asked for."""
    visible = appraisal_towns(caller)
    if visible is not None and not visible:
        raise ForbiddenError("只有公安分局、审计人员和各镇派出所、镇政府人员可以查看考核看板")
    if town and visible is not None and town not in visible:
        raise ForbiddenError("您只能查看本镇的考核情况")
    shown = [t for t in names.towns(session) if visible is None or t["code"] in visible]
    if town and town not in {t["code"] for t in shown}:
        raise InvalidInputError("没有名为 {town} 的镇", town=town)
    return shown


def month_town_counts(session: Session, months: list[str], towns: list[str]) -> list[AppraisalCountModel]:
    """The appraisal counts of ``months`` x ``towns``: a projection kept by the use cases that change them
    (service/persistence/appraisal_counts.py), 12 x towns rows however long the history."""
    return list(
        session.scalars(
            select(AppraisalCountModel).where(
                AppraisalCountModel.month.in_(months), AppraisalCountModel.town.in_(towns)
            )
        )
    )


def overdue_counts(
    session: Session, months: list[str], towns: list[str], now: datetime
) -> list[tuple[str, str, str, int]]:
    """(month, department kind, town, n): the open appraisal tasks of the towns' departments past due.

    Counted from the partial index (process_id, department_code, due_at, state) alone, grouped by department
    and due time: a few rows per department instead of every overdue task joined to its instance for the month
    of its business key (45,000 at the bench's volume, 0.3-1.5 s). The appraisal's tasks are due when the
    start's data says, appraisal.scoring_due_at of their month, so that time names the month; a task due at
    any other time (changed by hand) is counted through its instance as before. The figure stays per month,
    not only "overdue now by department", because the page's rows are per month and each opens that
    month's list (docs/design.md "Dashboards")."""
    departments: dict[str, tuple[str, str]] = {
        code: (kind, town)
        for code, kind, town in session.execute(
            select(DepartmentModel.code, DepartmentModel.kind, DepartmentModel.town).where(
                DepartmentModel.town.in_(towns)
            )
        )
        if town is not None
    }
    if not departments:
        return []
    open_overdue = (
        # The literal condition of the partial index (models.ACTIVE_TASK), for SQLite to read it.
        text(f"human_tasks.{ACTIVE_TASK}"),
        HumanTaskModel.process_id == "appraisal",
        HumanTaskModel.department_code.in_(sorted(departments)),
        HumanTaskModel.due_at < now,
    )
    counted: dict[tuple[str, str, str], int] = {}

    def add(month: str, code: str, count: int) -> None:
        if month in months:
            key = (month, *departments[code])
            counted[key] = counted.get(key, 0) + count

    other_times: set[datetime] = set()
    for code, due_at, count in session.execute(
        select(HumanTaskModel.department_code, HumanTaskModel.due_at, func.count())
        .where(*open_overdue)
        .group_by(HumanTaskModel.department_code, HumanTaskModel.due_at)
    ):
        if due_at is None:
            continue  # not found by "due_at < now"; only for the type checker
        if due_at.astimezone(CHINA).time() == time(0, 0):  # how scoring_due_at ends a due day
            add(month_scored_by(due_at), code, count)
        else:
            other_times.add(due_at)
    if other_times:
        month_of = func.substr(InstanceModel.business_key, 1, 7)
        for code, month, count in session.execute(
            select(HumanTaskModel.department_code, month_of, func.count())
            .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
            .where(*open_overdue, HumanTaskModel.due_at.in_(sorted(other_times)))
            .group_by(HumanTaskModel.department_code, month_of)
        ):
            add(month, code, count)
    return [(month, kind, town, count) for (month, kind, town), count in counted.items()]


def appraisal_overview(
    ctx: ServiceContext, caller: Caller, months: list[str], town: str | None = None
) -> dict[str, Any]:
    """Per month and town: appraisals started, grades confirmed, vetoes, and overdue open scoring tasks;
    ``towns`` are the ones shown (``town``, or all the caller may see), ``town_options`` all those."""
    for month in months:
        parse_month(month, EARLIEST_MONTH)  # a window's columns may reach before the programme
    now = ctx.clock.now()
    with ctx.database.reading() as session:
        options = visible_towns(session, caller, town)
        chosen = [t for t in options if not town or t["code"] == town]
        codes = [t["code"] for t in chosen]
        cells: dict[tuple[str, str], dict[str, Any]] = {
            (month, t["code"]): {
                "month": month,
                "town": t["code"],
                "town_name_zh": t["name_zh"],
                "town_name_en": t["name_en"],
                "started": 0,
                "appraised": 0,
                "grades": dict.fromkeys(GRADES, 0),
                "vetoes": 0,
                "vetoes_pending": 0,
                "overdue": dict.fromkeys(TOWN_DEPARTMENT_KINDS, 0),
                "overdue_total": 0,
            }
            for month in months
            for t in chosen
        }
        counts = month_town_counts(session, months, codes)
        overdue = overdue_counts(session, months, codes, now)
        departments = {
            code: (zh, en)
            for code, zh, en in session.execute(
                select(DepartmentModel.code, DepartmentModel.name_zh, DepartmentModel.name_en).where(
                    DepartmentModel.kind.in_(TOWN_DEPARTMENT_KINDS), DepartmentModel.town.in_(codes)
                )
            )
        }
    for counted in counts:
        cell = cells[(counted.month, counted.town)]
        cell["started"], cell["appraised"] = counted.started, counted.appraised
        cell["grades"] = {grade: getattr(counted, grade) for grade in GRADES}
        # A veto counts from the town government's decision, before its grade is confirmed.
        cell["vetoes"], cell["vetoes_pending"] = counted.vetoes, counted.vetoes - counted.vetoes_confirmed
    for month, kind, town_code, count in overdue:
        cell = cells[(month, town_code)]
        cell["overdue"][kind] = cell["overdue"].get(kind, 0) + count
        cell["overdue_total"] += count
    rows = [
        cell
        for cell in cells.values()
        if cell["started"] or cell["appraised"] or cell["overdue_total"] or cell["vetoes"]
    ]
    return {
        "months": months,
        "towns": chosen,
        "town_options": options,
        "rows": rows,
        "departments": departments,
    }
