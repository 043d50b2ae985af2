"""An officer leaves service: resigned, dismissed or contract ended, by the sub-bureau's head.

One transaction changes the officer's row and records the audit event with the status before and after.
The post is free from then on: a campaign's vacancies are the register's posts minus the officers in
service, and a month's appraisal starts only for officers in service (service/usecases/appraisal.py).
Appraisals and renewals already running go on; their operators look at the status when they act.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from service import audit
from service.context import ServiceContext
from service.persistence.models import OfficerModel
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.officer_labels import IN_SERVICE, LEAVING_STATUSES, status_label
from service.usecases.roster.access import require_bureau_head
from service.usecases.roster.listing import officer_row
from workflows.ports import CHINA

AUDITED_FIELDS = ("status", "status_since", "left_on", "leave_reason")


def snapshot(officer: OfficerModel, fields: tuple[str, ...] = AUDITED_FIELDS) -> dict[str, Any]:
    """The officer's fields as the audit log keeps them (dates as ISO text)."""
    values = {name: getattr(officer, name) for name in fields}
    return {name: v.isoformat() if isinstance(v, date) else v for name, v in values.items()}


def leave_service(officer: OfficerModel, status: str, on: date, reason: str) -> None:
    """Mark ``officer`` out of service from ``on``: the one place a post is freed."""
    officer.status = status
    officer.status_since = on
    officer.left_on = on
    officer.leave_reason = reason


def change_status(
    ctx: ServiceContext, caller: Caller, officer_id: int, status: str, on: date, reason: str
) -> dict[str, Any]:
    """Record that an officer in service resigned, was dismissed or saw the contract end on ``on``."""
    require_bureau_head(caller)
    if status not in LEAVING_STATUSES:
        raise InvalidInputError(
            "辅警状态只能变更为辞职、辞退或合同终止",
            errors={"status": ["应为辞职、辞退或合同终止", "Must be resigned, dismissed or contract ended"]},
            english="An officer's status can only change to resigned, dismissed or contract ended",
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInputError(
            "请填写变更原因",
            errors={"reason": ["请填写变更原因", "Give the reason"]},
            english="Give the reason for the change",
        )
    today = ctx.clock.now().astimezone(CHINA).date()
    with ctx.database.transaction() as session:
        officer = session.scalars(
            select(OfficerModel).where(OfficerModel.id == officer_id).with_for_update()
        ).first()
        if officer is None:
            raise NotFoundError(
                "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer_id
            )
        if officer.status != IN_SERVICE:
            raise ConflictError(
                "该辅警已不在岗（{status}，自 {since} 起），不能再变更状态",
                english="The officer is no longer in service ({status_en} since {since})",
                status=status_label(officer.status)[0],
                status_en=status_label(officer.status)[1],
                since=officer.status_since.isoformat(),
            )
        if not officer.contract_start <= on <= today:
            raise InvalidInputError(
                "离岗日期应在合同开始日期 {start} 至今天 {today} 之间",
                errors={
                    "on": [
                        f"应在 {officer.contract_start} 至 {today} 之间",
                        f"Must lie between {officer.contract_start} and {today}",
                    ]
                },
                english="The day of leaving must lie between the contract start {start} and today {today}",
                start=officer.contract_start.isoformat(),
                today=today.isoformat(),
            )
        before = snapshot(officer)
        leave_service(officer, status, on, reason)
        audit.record(
            session,
            ctx.clock.now(),
            caller.username,
            "officer_status_changed",
            department_code="police_bureau",
            officer_id=officer.id,
            officer_name=officer.name,
            before=before,
            after=snapshot(officer),
        )
        session.flush()
        row = officer_row(session, officer.id, today)
    assert row is not None  # noqa: S101 - changed in this transaction
    return row
