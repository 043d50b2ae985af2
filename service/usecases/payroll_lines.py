"""An officer's pay month by month (issue 17, point 8), from the payrolls Finance confirmed: the lines
``record_payroll`` writes (service/usecases/payroll.py, table ``payroll_lines``).

Who reads pay: the departments that handle the payroll, the service company (which submits it), Finance
(which confirms and funds it) and the sub-bureau (which runs the auxiliary police), and auditors, who read
every case. A town's station or government, which score the officer, and administrators, who run the
accounts, do not: they see the officer's page without the pay. The officer's page shows the pay to those of
its readers who read pay (the sub-bureau and auditors); Finance and the service company, who do not read the
roster, read it through ``GET /api/v1/officers/<id>/pay``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.context import ServiceContext
from service.persistence.models import OfficerModel, PayrollLineModel
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.instance_access import staff_may_read

PAY_DEPARTMENTS = ("service_company", "finance", "police_bureau")
INSURANCES = ("pension", "medical", "unemployment", "work_injury", "maternity")


def may_read_pay(caller: Caller) -> bool:
    return caller.has_role("auditor") or any(caller.in_department(code) for code in PAY_DEPARTMENTS)


def officer_pay(ctx: ServiceContext, caller: Caller, officer_id: int) -> dict[str, Any]:
    """The officer's name and monthly pay lines, newest month first (403 to those who do not read pay)."""
    if not may_read_pay(caller):
        raise ForbiddenError(
            "只有服务公司、财政金融局、公安分局和审计人员可以查看辅警工资",
            english="Only the service company, Finance, the sub-bureau and auditors may read an officer's"
            " pay",
        )
    with ctx.database.reading() as session:
        officer = session.get(OfficerModel, officer_id)
        if officer is None:
            raise NotFoundError(
                "辅警 {officer_id} 不存在", english="No officer {officer_id}", officer_id=officer_id
            )
        lines = pay_lines(session, caller, officer_id)
        return {"officer_id": officer.id, "name": officer.name, "lines": lines}


def pay_lines(session: Session, caller: Caller, officer_id: int) -> list[dict[str, Any]]:
    """The officer's confirmed pay, newest month first; ``instance_id`` only where ``caller`` may open the
    payroll's case (a dozen lines a year: one check each)."""
    lines = session.scalars(
        select(PayrollLineModel)
        .where(PayrollLineModel.officer_id == officer_id)
        .order_by(PayrollLineModel.month.desc())
    ).all()
    every_case = caller.has_role("auditor") or caller.has_role("designer")
    readable = {
        line.instance_id
        for line in lines
        if every_case or staff_may_read(session, caller, line.instance_id)
    }
    return [_line(line, line.instance_id in readable) for line in lines]


def _line(line: PayrollLineModel, may_open: bool) -> dict[str, Any]:
    year, number = line.month.split("-")
    confirmed = line.confirmed_on.isoformat()
    return {
        "month": line.month,
        "month_label": f"{year}年{int(number)}月",
        "wage": line.wage,
        "insurances": round(sum(getattr(line, key) for key in INSURANCES), 2),
        **{key: getattr(line, key) for key in INSURANCES},
        "housing_fund": line.housing_fund,
        "awards": line.awards,
        "total": line.total,
        "state": "confirmed",
        "state_label": f"财政金融局已确认（{confirmed}）",
        "state_label_en": f"Confirmed by Finance on {confirmed}",
        "confirmed_on": confirmed,
        "instance_id": line.instance_id if may_open else None,
    }
