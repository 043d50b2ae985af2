"""An officer's pay month by month over HTTP (issue 17, point 8): the lines of the payroll Finance confirmed,
for those who read pay (the service company, Finance, the sub-bureau, auditors), refused to the others."""

from __future__ import annotations

from service.context import ServiceContext
from tests.api.appraisal_steps import tasks_of
from tests.api.test_payroll import MONTH, roster_of_five, row, submit
from tests.conftest import User


def confirmed_payroll(users: dict[str, User], ctx: ServiceContext) -> list[int]:
    """The roster of five and the 2026-11 payroll confirmed: the three with an undertaking at the standard."""
    officers = roster_of_five(users, ctx)
    company, finance = users["company"], users["finance"]
    company.post("/api/v1/instances", {"process_id": "payroll", "data": {"month": MONTH}}, expect=201)
    submit(company, "service_company", [row(officers[0]), row(officers[1]), row(officers[2])])
    [confirm] = tasks_of(finance, "finance", "confirm_payroll")
    finance.post(f"/api/v1/tasks/{confirm['id']}/complete", {"data": {"confirm": True}})
    return officers


def test_an_officers_pay_is_read_by_those_who_read_pay_only(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    first, _, _, unsigned, _ = confirmed_payroll(users, ctx)
    for reader in ("company", "finance", "bureau", "auditor"):
        pay = users[reader].get(f"/api/v1/officers/{first}/pay")
        [line] = pay["lines"]
        assert (line["month"], line["month_label"], line["state"]) == (MONTH, "2026年11月", "confirmed")
        assert (line["wage"], line["insurances"], line["housing_fund"], line["awards"], line["total"]) == (
            3600.0,
            972.0,
            432.0,
            0.0,
            5004.0,
        )
        assert line["state_label"].startswith("财政金融局已确认（")
        assert line["state_label_en"].startswith("Confirmed by Finance on ")
    assert users["bureau"].get(f"/api/v1/officers/{unsigned}/pay")["lines"] == []  # not paid: no undertaking
    for other in ("gushan_station", "gushan_gov"):
        refused = users[other].get(f"/api/v1/officers/{first}/pay", expect=403)
        assert refused["message"] == "只有服务公司、财政金融局、公安分局和审计人员可以查看辅警工资"
    users["admin"].get(f"/api/v1/officers/{first}/pay", expect=403)
    missing = users["finance"].get("/api/v1/officers/999999/pay", expect=404)
    assert missing["message_en"] == "No officer 999999"
