"""The lists behind the appraisal dashboard's numbers (issue 15, point 6): a month's results of a town,
filtered by grade and veto, and the month's overdue appraisal tasks of a town's police station or
government. The same rows feed the page and its Excel export (appraisal_result_export.py).

A veto decided but whose grade is not confirmed yet is a row too (grade "待确定"): the dashboard counts it
from the decision (appraisal_vetoes.py), and the list behind that number must show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from service.context import ServiceContext
from service.persistence.models import (
    ACTIVE_TASK,
    DepartmentModel,
    HumanTaskModel,
    InstanceModel,
    OfficerModel,
)
from service.usecases.appraisal import parse_month
from service.usecases.appraisal_reports import month_report
from service.usecases.appraisal_vetoes import pending_rows
from service.usecases.dashboards import TOWN_DEPARTMENT_KINDS, appraisal_towns, report_town
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.names import department_names, person_names, towns, village_names
from workflows.rules.grading import GRADE_LABELS, GRADE_LABELS_EN, GRADES

PENDING = "pending"  # the grade filter's value for a veto whose grade is not confirmed yet
PENDING_LABELS = ("待确定", "To be confirmed")
MAX_ROWS = 5000  # a town's month is a few hundred officers; the export of a whole province a few thousand


@dataclass(frozen=True)
class ResultFilters:
    town: str | None = None
    grade: str | None = None  # a grade code or PENDING
    veto: bool = False  # only the vetoed
    confirmed: bool = False  # only the confirmed records (the dashboard's "已定等次")


def _town_names(session: Any) -> dict[str, tuple[str, str]]:
    return {t["code"]: (t["name_zh"], t["name_en"]) for t in towns(session)}


def month_results(ctx: ServiceContext, caller: Caller, month: str, filters: ResultFilters) -> dict[str, Any]:
    """The month's results the filters keep, confirmed records and vetoes awaiting confirmation alike."""
    parse_month(month)
    records = month_report(ctx, caller, month, filters.town)  # checks the town and the caller's access
    with ctx.database.reading() as session:
        town = report_town(caller, filters.town)
        visible = appraisal_towns(caller)
        scope = [town] if town else (sorted(visible) if visible is not None else None)
        pending = pending_rows(session, month, scope)
        officers = {
            o.id: o
            for o in session.scalars(
                select(OfficerModel).where(OfficerModel.id.in_([p["officer_id"] for p in pending]))
            )
        }
        town_names = _town_names(session)
        rows: list[dict[str, Any]] = []
        for record in records:
            rows.append({"veto_by": None, "confirmed_by": None, "town": town, **record, "pending": False})
        for item in pending:
            if caller.officer_id is not None and item["officer_id"] == caller.officer_id:
                continue  # an officer's own month only once finished (own_cases)
            officer = officers.get(item["officer_id"])
            rows.append(
                {
                    **item,
                    "officer_name": officer.name if officer else "",
                    "village_code": officer.village_code if officer else "",
                    "station_total": None,
                    "town_total": None,
                    "combined_score": None,
                    "grade": PENDING,
                    "confirmed_by": None,
                    "confirmed_at": None,
                    "pending": True,
                }
            )
        rows = [row for row in rows if _kept(row, filters)]
        villages = village_names(session, {row["village_code"] for row in rows})
        people = person_names(
            session, {row[k] for row in rows for k in ("veto_by", "confirmed_by") if row[k]}
        )
    for row in rows:
        zh_en = town_names.get(row["town"], (row["town"], row["town"]))
        village = villages.get(row["village_code"])
        grade = (
            PENDING_LABELS
            if row["grade"] == PENDING
            else (GRADE_LABELS[row["grade"]], GRADE_LABELS_EN[row["grade"]].capitalize())
        )
        row.update(
            town_name=zh_en[0],
            town_name_en=zh_en[1],
            village_name=village.zh if village else row["village_code"],
            village_name_en=village.en if village else row["village_code"],
            grade_label=grade[0],
            grade_label_en=grade[1],
            veto_label="是" if row["veto"] else "否",
            veto_label_en="Yes" if row["veto"] else "No",
        )
        for key in ("veto_by", "confirmed_by"):
            name = people.get(row[key]) if row[key] else None
            row[f"{key}_name"] = name.zh if name else (row[key] or "")
    rows.sort(key=lambda r: (r["town"], r["village_code"], r["officer_id"] or 0))
    return {"month": month, "filters": filters, "rows": rows[:MAX_ROWS], "total": len(rows)}


def _kept(row: dict[str, Any], filters: ResultFilters) -> bool:
    if (filters.veto and not row["veto"]) or (filters.confirmed and row["pending"]):
        return False
    return not filters.grade or row["grade"] == filters.grade


def visible_towns(ctx: ServiceContext, caller: Caller) -> list[dict[str, str]]:
    """The towns the lists' town filter offers: those whose appraisals ``caller`` may see."""
    visible = appraisal_towns(caller)
    with ctx.database.reading() as session:
        return [t for t in towns(session) if visible is None or t["code"] in visible]


def grade_choices() -> list[tuple[str, str, str]]:
    """(code, 中文, English) of the grade filter."""
    return [(g, GRADE_LABELS[g], GRADE_LABELS_EN[g].capitalize()) for g in GRADES] + [
        (PENDING, *PENDING_LABELS)
    ]


def overdue_tasks(
    ctx: ServiceContext, caller: Caller, month: str, town: str | None, kind: str | None
) -> dict[str, Any]:
    """The month's open appraisal tasks past their due time in a town's station or government (or all the
    caller may see): the list behind the dashboard's overdue numbers."""
    parse_month(month)
    if kind is not None and kind not in TOWN_DEPARTMENT_KINDS:
        raise NotFoundError("没有这类部门：{kind}", english="No such kind of department: {kind}", kind=kind)
    visible = appraisal_towns(caller)
    if visible is not None and not visible:
        raise ForbiddenError("只有公安分局、审计人员和各镇派出所、镇政府人员可以查看考核看板")
    now = ctx.clock.now()
    month_of = func.substr(InstanceModel.business_key, 1, 7)
    with ctx.database.reading() as session:
        if town is not None and town not in _town_names(session):
            raise NotFoundError("没有名为 {town} 的镇", town=town)
        town = report_town(caller, town)
        query = (
            select(HumanTaskModel, DepartmentModel.town, DepartmentModel.kind)
            .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
            .join(DepartmentModel, DepartmentModel.code == HumanTaskModel.department_code)
            .where(
                text(f"human_tasks.{ACTIVE_TASK}"),
                HumanTaskModel.process_id == "appraisal",
                HumanTaskModel.due_at < now,
                month_of == month,
                DepartmentModel.kind.in_([kind] if kind else TOWN_DEPARTMENT_KINDS),
            )
            .order_by(HumanTaskModel.due_at, HumanTaskModel.id)
            .limit(MAX_ROWS)
        )
        if town:
            query = query.where(DepartmentModel.town == town)
        elif visible is not None:
            query = query.where(DepartmentModel.town.in_(sorted(visible)))
        found = session.execute(query).all()
        departments = department_names(session)
        people = person_names(session, {task.claimed_by for task, _t, _k in found if task.claimed_by})
    rows = []
    for task, _town, _kind in found:
        department = departments.get(task.department_code)
        claimed = people.get(task.claimed_by) if task.claimed_by else None
        rows.append(
            {
                "id": task.id,
                "instance_id": task.instance_id,
                "name": task.name_zh,
                "name_en": task.name_en,
                "subject": task.subject,
                "department_code": task.department_code,
                "department_name": department.zh if department else task.department_code,
                "department_name_en": department.en if department else task.department_code,
                "state": task.state,
                "claimed_by_name": (claimed.zh if claimed else task.claimed_by) or "",
                "due_at": task.due_at,
                "created_at": task.created_at,
            }
        )
    return {"month": month, "town": town, "kind": kind, "rows": rows, "total": len(rows)}
