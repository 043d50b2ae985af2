"""Injury leave (工伤休假, the 停工留薪期 of 工伤保险条例 第三十三条) as others read it: the roster's
status of an officer in service, and the appraisal's month start, which does not start a month wholly in
leave.

Kept apart from the work injury's operators (service/usecases/welfare/injury.py), which write the leave, so
that the roster and the appraisal read it without importing them (as dismissal_records.py is for dismissals).

An officer is on injury leave on day D when a leave row has ``leave_from <= D <= leave_limit`` and has not
ended by D (``ended_on``, the first day off it, is after D or not yet known). ``leave_limit`` is the last
day the model's maximum (``max_leave_months``) allows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from service.persistence.models import InjuryLeaveModel, OfficerModel
from service.usecases.officer_labels import IN_SERVICE
from workflows.calendar_months import add_months

END_REASONS: dict[str, tuple[str, str]] = {
    "returned": ("已复岗", "Back at work"),
    "left_post": ("因工伤退出岗位", "Left the post after a work injury"),
    "not_recognised": ("不予认定工伤，工伤休假结束", "Not recognised; the injury leave ended"),
}


def covers(first: date, last: date) -> ColumnElement[bool]:
    """A leave row covering every day from ``first`` to ``last``."""
    return and_(
        InjuryLeaveModel.leave_from <= first,
        InjuryLeaveModel.leave_limit >= last,
        or_(InjuryLeaveModel.ended_on.is_(None), InjuryLeaveModel.ended_on > last),
    )


def on_leave(day: date) -> ColumnElement[bool]:
    """The officer of the row (``OfficerModel``) is in service and on injury leave on ``day``.

    The officers of the few leaves covering the day (``id IN``), not a correlated EXISTS: with it, counting
    those on leave by town probed the leaves once per officer in service (72,500 at the bench's volume,
    116 ms on SQLite, docs/benchmarks.md "The officers' dashboard")."""
    leave = select(InjuryLeaveModel.officer_id).where(covers(day, day))
    return and_(OfficerModel.status == IN_SERVICE, OfficerModel.id.in_(leave))


def month_days(month: str) -> tuple[date, date]:
    """The first and the last day of ``YYYY-MM``."""
    first = date.fromisoformat(f"{month}-01")
    return first, date.fromordinal(add_months(first, 1).toordinal() - 1)


def on_leave_all_month(month: str) -> ColumnElement[bool]:
    """The officer of the row is in service and on injury leave every day of ``month`` as far as is known
    (a leave not ended yet counts up to its limit): the appraisal does not start that month for them."""
    first, last = month_days(month)
    leave = select(InjuryLeaveModel.instance_id).where(
        InjuryLeaveModel.officer_id == OfficerModel.id, covers(first, last)
    )
    return and_(OfficerModel.status == IN_SERVICE, leave.exists())


def current_leaves(session: Session, officer_ids: list[int], day: date) -> dict[int, InjuryLeaveModel]:
    """The leave each of ``officer_ids`` is on on ``day`` (officers not on leave are absent)."""
    if not officer_ids:
        return {}
    rows = session.scalars(
        select(InjuryLeaveModel).where(InjuryLeaveModel.officer_id.in_(officer_ids), covers(day, day))
    )
    return {row.officer_id: row for row in rows}


def open_leaves(session: Session, officer_ids: list[int]) -> dict[int, InjuryLeaveModel]:
    """The leave of each of ``officer_ids`` not ended yet, whatever the day (for a reader without the
    service's clock: a task's grounds panel)."""
    rows = session.scalars(
        select(InjuryLeaveModel).where(
            InjuryLeaveModel.officer_id.in_(officer_ids), InjuryLeaveModel.ended_on.is_(None)
        )
    )
    return {row.officer_id: row for row in rows}


def leave_fields(leave: InjuryLeaveModel | None) -> dict[str, Any]:
    """What the roster's row says of the leave: since when, until when at most, and of which injury."""
    if leave is None:
        return {"on_injury_leave": False, "injury_leave": None}
    return {
        "on_injury_leave": True,
        "injury_leave": {
            "instance_id": leave.instance_id,
            "since": leave.leave_from,
            "until_at_most": leave.leave_limit,
            "max_months": leave.max_months,
        },
    }


def leave_of(session: Session, instance_id: int) -> InjuryLeaveModel | None:
    return session.get(InjuryLeaveModel, instance_id)


def end_reason_label(reason: str | None) -> tuple[str, str] | None:
    return END_REASONS.get(reason) if reason else None
