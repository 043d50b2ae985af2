"""Monthly field reports in the browser (issue 17, point 7): an admin opens an officer's own account from the
officer's page; the officer, on a phone, finds the month's report in their inbox and sends it; the station's
clerk, on a desktop, confirms it beside the report and sees it as grounds of the station's scoring; the
officer's page lists the month. zh-CN and en, axe on every page shot. Screenshots: 17-field-report-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, ViewportSize, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import officer_of, tasks_of
from tests.api.test_field_reports import REPORT
from tests.api.test_segregation import OFFICER_PASSWORD, STATION, start_month, station_scores
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_officer_reports_on_a_phone_and_the_station_confirms_it(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    start_month(users, ctx)
    (score, officer), _other = station_scores(users)[:2]

    admin = pages.new()
    admin.set_viewport_size(DESKTOP)
    login(admin, "admin")
    admin.goto(f"/officers/{officer}")
    admin.fill("#account-username", "officer_walk")
    admin.fill("#account-password", OFFICER_PASSWORD)
    admin.click("#account-submit")
    expect(admin.locator("#officer-account")).to_contain_text("officer_walk")

    phone = pages.new()
    phone.set_viewport_size(PHONE)
    phone.goto("/login")
    phone.fill("#username", "officer_walk")
    phone.fill("#password", OFFICER_PASSWORD)
    phone.click("#login-submit")
    expect(phone).not_to_have_url(re.compile(r"/login"))
    expect(phone.locator("#queues")).to_have_count(0)  # no department's queue on the home page
    phone.click("#own-work a")
    row = phone.get_by_role("link", name="填报月度工作报告")
    expect(row).to_have_count(1)  # their own report only: no department's queue, no other officer's
    fits_the_phone(phone)
    shot(phone, "17-field-report-inbox-phone-zh")
    row.click()
    expect(phone.locator("h1")).to_contain_text("月度工作报告")
    expect(phone.locator("[data-panel='field_report']")).to_contain_text("辅警尚未报送")
    expect(phone.get_by_role("link", name="查看流程实例")).to_have_count(0)  # the case is theirs to do only
    for name, value in REPORT.items():
        phone.fill(f"[name='{name}']", str(value))
    fits_the_phone(phone)
    shot(phone, "17-field-report-form-phone-zh")
    first = next(iter(REPORT))
    phone.fill(f"[name='{first}']", "-1")  # refused by the server, the page says what to correct
    phone.click("#complete")
    expect(phone.locator("#form-message")).to_contain_text("表单填写有误")
    expect(phone.locator("main")).to_contain_text("不能小于 0")
    phone.fill(f"[name='{first}']", str(REPORT[first]))
    phone.click("#complete")
    expect(phone.locator("#form-message")).to_have_count(0)

    station = users["gushan_station"]
    [review] = [t for t in tasks_of(station, STATION, "review_report") if officer_of(station, t) == officer]
    clerk = pages.new()
    clerk.set_viewport_size(DESKTOP)
    login(clerk, "gushan_station")
    clerk.goto(f"/tasks/{review['id']}")
    report = clerk.locator("[data-panel='field_report']")
    expect(report).to_contain_text("待派出所审核")
    expect(report).to_contain_text("组织群防群治巡逻（次）")
    expect(report).to_contain_text(str(REPORT["highlights"]))
    shot(clerk, "17-field-report-review-zh")
    clerk.select_option("[name='report_decision']", "confirm")
    clerk.fill("[name='station_remarks']", "情况属实")
    clerk.click("#complete")
    expect(clerk.locator("#form-message")).to_have_count(0)

    clerk.goto(f"/tasks/{score['id']}")
    grounds = clerk.locator("[data-panel='field_report']")
    expect(grounds).to_contain_text("已确认")
    expect(grounds).to_contain_text("情况属实")
    clerk.click("#switch-language")
    clerk.wait_for_selector("html[lang=en]")
    expect(clerk.locator("[data-panel='field_report']")).to_contain_text("Confirmed")
    expect(clerk.locator("[data-panel='field_report']")).to_contain_text("Community patrols organised")
    shot(clerk, "17-field-report-scoring-en")

    clerk.goto(f"/officers/{officer}")
    listed = clerk.locator("#officer-field-reports tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("2026-11")
    expect(listed).to_contain_text("Confirmed")
    shot(clerk, "17-field-report-officer-en")
