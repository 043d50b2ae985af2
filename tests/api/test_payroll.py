"""Pay and funding over HTTP (issue 17, point 8): the service company's payroll of a month is checked against
the roster and the standard; a mismatch goes back with the reasons per row (an officer who left, one
unknown, one without a confidentiality undertaking, amounts off the standard, awards without a reward, an
officer missing), the corrected payroll goes to Finance, whose confirmer is not its submitter."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, OfficerModel
from tests.api.appraisal_steps import add_officers, tasks_of
from tests.api.recruitment_steps import attach
from tests.api.test_identity import new_user
from tests.conftest import User

MONTH = "2026-11"
STANDARD = {
    "wage": 3600,
    "pension": 576,
    "medical": 324,
    "unemployment": 28.8,
    "work_injury": 14.4,
    "maternity": 28.8,
    "housing_fund": 432,
}


def register_undertaking(bureau: User, officer_id: int) -> None:
    """The sub-bureau registers the officer's signed undertaking, with the file."""
    body = {"process_id": "confidentiality_undertaking", "data": {"officer_id": officer_id}}
    started = bureau.post("/api/v1/instances", body, expect=201)
    [task] = [
        t
        for t in tasks_of(bureau, "police_bureau", "register_undertaking")
        if t["instance_id"] == started["id"]
    ]
    attach(bureau, task["id"], name="保密承诺书.pdf")
    bureau.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"signed_on": "2026-01-01"}})


def roster_of_five(users: dict[str, User], ctx: ServiceContext) -> list[int]:
    """Five Gushan officers: three with an undertaking, one without, one who left in October."""
    add_officers(ctx, 5)
    with ctx.database.transaction() as session:
        officers = list(session.scalars(select(OfficerModel.id).order_by(OfficerModel.id)))
        session.execute(
            update(OfficerModel)
            .where(OfficerModel.id == officers[4])
            .values(status="resigned", status_since=date(2026, 10, 15), left_on=date(2026, 10, 15))
        )
    for officer in officers[:3]:
        register_undertaking(users["bureau"], officer)
    return officers


def row(officer_id: int, **changes: Any) -> dict[str, Any]:
    return {"officer_id": officer_id, **STANDARD, "awards": 0, **changes}


def submit(user: User, department: str, rows: list[dict[str, Any]]) -> None:
    [task] = tasks_of(user, department, "submit_payroll")
    user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"rows": rows}})


def test_a_payroll_off_the_roster_is_sent_back_with_reasons_and_confirmed_once_corrected(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second, third, unsigned, left = roster_of_five(users, ctx)
    company, finance = users["company"], users["finance"]
    start = {"process_id": "payroll", "data": {"month": MONTH}}
    finance.post("/api/v1/instances", start, expect=403)  # the service company submits
    payroll = company.post("/api/v1/instances", start, expect=201)
    again = company.post("/api/v1/instances", start, expect=422)
    assert "每月只能报送一份" in again["message"]

    # The first payroll: the second's wage off and an award without a reward, the unsigned officer paid, the
    # one who left and an unknown number listed, the third missing.
    submit(
        company,
        "service_company",
        [row(first), row(second, wage=3000, awards=200), row(unsigned), row(left), row(9999)],
    )
    assert tasks_of(finance, "finance", "confirm_payroll") == []
    [back] = tasks_of(company, "service_company", "submit_payroll")
    [panel] = company.get(f"/api/v1/tasks/{back['id']}")["grounds"]
    reasons = {r[1]["value_zh"]: r[3]["value_zh"] for r in panel["rows"]}
    assert "工资 3000.00 元，与标准 3600.00 元不符" in reasons["测试辅警00001"]
    assert "本月及上月没有公安分局予以奖励的决定" in reasons["测试辅警00001"]
    assert "未登记保密承诺书" in reasons["测试辅警00003"]
    assert "2026-10-15 离岗" in reasons["测试辅警00004"]
    assert "名册中没有编号为 9999 的辅警" in reasons["—"]
    assert reasons["测试辅警00002"] == "名册在岗，工资表中缺少"
    assert "测试辅警00000" not in reasons
    fields = {f["label_zh"]: f["value_zh"] for f in panel["fields"]}
    assert fields["核对结果"] == "4 行不一致，缺少 1 人：已退回服务公司"
    assert fields["未签保密承诺书（不予发放）"] == "1 人：测试辅警00003"

    # Corrected by a clerk who also works for Finance: the check passes, but they may not confirm it.
    both = new_user(users, "company_finance", ["service_company", "finance"])
    submit(both, "service_company", [row(first), row(second), row(third)])
    [confirm] = tasks_of(finance, "finance", "confirm_payroll")
    refused = both.post(f"/api/v1/tasks/{confirm['id']}/complete", {"data": {"confirm": True}}, expect=403)
    assert "职责分离" in refused["message"]
    [panel] = finance.get(f"/api/v1/tasks/{confirm['id']}")["grounds"]
    fields = {f["label_zh"]: f["value_zh"] for f in panel["fields"]}
    assert fields["核对结果"] == "与名册和标准一致" and fields["列出 / 应列"] == "3 / 3 人"
    english = {f["label_en"]: f["value_en"] for f in panel["fields"]}
    assert english["Listed / expected"] == "3 / 3 officers"
    assert english["Without an undertaking (not paid)"] == "1 officer: 测试辅警00003"
    assert fields["合计"] == "15,012 元"
    finance.post(f"/api/v1/tasks/{confirm['id']}/complete", {"data": {"confirm": True}})

    assert company.get(f"/api/v1/instances/{payroll['id']}")["status"] == "completed"
    with ctx.database.reading() as session:
        [event] = session.scalars(
            select(AuditEventModel).where(AuditEventModel.action == "payroll_confirmed")
        )
    assert (event.actor, event.payload["month"], event.payload["officers"]) == ("finance", MONTH, 3)
    assert event.payload["total"] == 15012.0
