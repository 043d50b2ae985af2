"""The month's payroll in the browser (issue 17, point 8), zh-CN at 1366x768: the service company opens the
month from the home page and submits a payroll off the roster; it comes back with the reasons row by row
beside the form; corrected with the month's Excel sheet (downloaded prefilled, uploaded as it is), Finance
confirms it on the check's grounds. Screenshots: 17-payroll-*.png."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from playwright.sync_api import expect

from service.context import ServiceContext
from tests.api.appraisal_steps import tasks_of
from tests.api.test_payroll import MONTH, roster_of_five, row
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_payroll_sent_back_with_its_reasons_is_corrected_and_confirmed_by_finance(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    first, second, _, unsigned, _ = roster_of_five(users, ctx)
    company = pages.new()
    company.set_viewport_size(DESKTOP)
    login(company, "company")
    company.click("#tool-start-payroll")
    company.fill("[name='month']", MONTH)
    company.click("#start-process")
    # Taken to the payroll's own form, with the month's standard beside it.
    expect(company.locator("h1")).to_contain_text("报送工资表")
    check = company.locator("[data-panel='payroll_check']")
    expect(check).to_contain_text("工资 3,600 元")
    rows = [row(first), row(second, wage=3000), row(unsigned)]
    company.fill("[name='rows']", json.dumps(rows))
    company.click("#complete")

    # Sent back: the reasons per row beside the form again.
    [back] = tasks_of(users["company"], "service_company", "submit_payroll")
    company.goto(f"/tasks/{back['id']}")
    expect(check).to_contain_text("2 行不一致，缺少 1 人：已退回服务公司")
    expect(check).to_contain_text("工资 3000.00 元，与标准 3600.00 元不符")
    expect(check).to_contain_text("未登记保密承诺书")
    expect(check).to_contain_text("名册在岗，工资表中缺少")
    shot(company, "17-payroll-sent-back-zh")
    # Corrected with the month's Excel sheet: prefilled with the officers to be paid (those with an
    # undertaking) at the standard, uploaded as it is.
    with company.expect_download() as download:
        company.click("#payroll-download")
    sheet = download.value.path().read_bytes()
    names = [
        r[1] for r in load_workbook(io.BytesIO(sheet)).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert names == ["测试辅警00000", "测试辅警00001", "测试辅警00002"]
    company.set_input_files(
        "#payroll-file", files=[{"name": "工资表-2026-11.xlsx", "mimeType": XLSX, "buffer": sheet}]
    )
    company.click("#payroll-upload")
    expect(company.locator(".flash").first).to_contain_text("已上传工资表")

    finance = pages.new()
    finance.set_viewport_size(DESKTOP)
    login(finance, "finance")
    [confirm] = tasks_of(users["finance"], "finance", "confirm_payroll")
    finance.goto(f"/tasks/{confirm['id']}")
    grounds = finance.locator("[data-panel='payroll_check']")
    expect(grounds).to_contain_text("与名册和标准一致")
    expect(grounds).to_contain_text("15,012 元")
    finance.select_option("[name='confirm']", "true")
    shot(finance, "17-payroll-confirm-zh")
    finance.click("#complete")
    expect(finance.locator("#form-message")).to_have_count(0)
