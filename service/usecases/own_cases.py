"""An officer's own cases: one rule for what an account linked to an officer reads about that officer.

Such an account (``users.officer_id``) never reads the instances, tasks, task data or history of a process
about its officer (``instance_subjects``, kind ``officer``), in progress or finished: they hold the scorers'
work and names. It sees its own appraisal only as the result of a finished month (its instance completed,
or a record imported without one): the month, the totals, the veto and its reason, the grade and the
promotion level (``own_results``, and its own row of a month report). Every read path applies this rule
here; an account linked to no officer pays nothing for it.
"""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from service.context import ServiceContext
from service.persistence.models import AppraisalRecordModel, InstanceModel, InstanceSubjectModel
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError
from workflows.rules.grading import GRADE_LABELS, PROMOTION_LABELS

Columns = TypeVarTuple("Columns")

# What an officer sees of their own finished month; the rest (who scored, vetoed or confirmed, the
# suggestion, the committee's opinion, the reward decision) stays with the departments.
RESULT_FIELDS = (
    "month",
    "station_total",
    "town_total",
    "combined_score",
    "veto",
    "veto_reason",
    "grade",
    "grade_label",
    "promotion_level",
    "promotion_label",
)
# The officer's identity in a report row, kept with the result.
IDENTITY_FIELDS = ("officer_id", "officer_name", "village_code", "village_name", "town")


def instances_about(officer_id: int) -> Select[int]:
    """The ids of the instances about ``officer_id``."""
    return select(InstanceSubjectModel.instance_id).where(
        InstanceSubjectModel.kind == "officer", InstanceSubjectModel.ref == officer_id
    )


def hide_own(
    query: Select[*Columns], caller: Caller, instance_id: QueryableAttribute[Any]
) -> Select[*Columns]:
    """``query`` without the rows (of instances, tasks or events) about the caller's own officer."""
    if caller.officer_id is None:
        return query
    # An event of no instance (a login, a deployment) is about no officer: NOT IN alone would drop it.
    return query.where(or_(instance_id.is_(None), instance_id.not_in(instances_about(caller.officer_id))))


def refuse_own(session: Session, caller: Caller, instance_id: int) -> None:
    """Refuse to show an instance, its tasks or its history to the officer it is about."""
    if caller.officer_id is None:
        return
    own = session.scalar(
        instances_about(caller.officer_id).where(InstanceSubjectModel.instance_id == instance_id).limit(1)
    )
    if own is not None:
        raise ForbiddenError(
            "不能查看与本人有关的流程、任务及办理过程；本人的考核结果在当月考核办结后可在“我的考核结果”中查看"
        )


def finished_record() -> ColumnElement[bool]:
    """An appraisal record whose month is over: its instance completed, or imported without one."""
    completed = select(InstanceModel.id).where(InstanceModel.status == "completed")
    return or_(AppraisalRecordModel.instance_id.is_(None), AppraisalRecordModel.instance_id.in_(completed))


def own_record_finished(session: Session, officer_id: int, month: str) -> bool:
    found = session.scalar(
        select(AppraisalRecordModel.id)
        .where(
            AppraisalRecordModel.officer_id == officer_id,
            AppraisalRecordModel.month == month,
            finished_record(),
        )
        .limit(1)
    )
    return found is not None


def result_only(row: dict[str, Any]) -> dict[str, Any]:
    """A report row as its officer may see it: identity and result, every other field empty."""
    kept = set(RESULT_FIELDS) | set(IDENTITY_FIELDS)
    return {key: value if key in kept else None for key, value in row.items()}


def own_report_rows(
    session: Session, caller: Caller, month: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A month report's rows as the caller may see them: their own row only finished and as a result."""
    if caller.officer_id is None or not any(row["officer_id"] == caller.officer_id for row in rows):
        return rows
    finished = own_record_finished(session, caller.officer_id, month)
    return [
        row if row["officer_id"] != caller.officer_id else result_only(row)
        for row in rows
        if row["officer_id"] != caller.officer_id or finished
    ]


def own_results(ctx: ServiceContext, caller: Caller) -> list[dict[str, Any]]:
    """The caller's own finished appraisal months, newest first (none for an account of no officer)."""
    if caller.officer_id is None:
        return []
    with ctx.database.reading() as session:
        records = session.scalars(
            select(AppraisalRecordModel)
            .where(AppraisalRecordModel.officer_id == caller.officer_id, finished_record())
            .order_by(AppraisalRecordModel.month.desc())
        )
        return [
            {
                "month": record.month,
                "station_total": record.station_total,
                "town_total": record.town_total,
                "combined_score": record.combined_score,
                "veto": record.veto,
                "veto_reason": record.veto_reason,
                "grade": record.grade,
                "grade_label": GRADE_LABELS[record.grade],
                "promotion_level": record.promotion_level,
                "promotion_label": PROMOTION_LABELS[record.promotion_level],
            }
            for record in records
        ]
