"""The month's payroll named as people name it (issue 17): its tasks' subject is "2026年11月 辅警工资", not
the business key; a second payroll of the month is refused naming the month and where the first stands."""

from __future__ import annotations

from service.context import ServiceContext
from tests.api.appraisal_steps import tasks_of
from tests.api.test_payroll import MONTH
from tests.conftest import User


def test_the_payroll_is_named_by_its_month_and_a_second_one_points_to_the_first(
    users: dict[str, User], ctx: ServiceContext
) -> None:
    company = users["company"]
    start = {"process_id": "payroll", "data": {"month": MONTH}}
    payroll = company.post("/api/v1/instances", start, expect=201)
    [task] = tasks_of(company, "service_company", "submit_payroll")
    assert task["subject"] == "2026年11月 辅警工资"
    assert company.get(f"/api/v1/instances/{payroll['id']}")["subject"] == "2026年11月 辅警工资"

    again = company.post("/api/v1/instances", start, expect=422)
    assert again["message"] == (
        "本月份已有工资表“2026年11月 辅警工资”（正在办理，当前步骤：报送工资表），每月只能报送一份："
        "请打开该工资表办理，不要重复报送"
    )
    assert again["message_en"] == (
        "There is already a payroll for this month, “Auxiliary police payroll, 2026-11” (in progress, now at"
        " “Submit the payroll”); there is one per month: open that payroll instead of submitting another"
    )
    assert f"流程 {payroll['id']}" not in again["message"]  # no instance number
