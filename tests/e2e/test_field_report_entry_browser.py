"""A paper field report entered on the officer's behalf, in the browser (issue 17, point 7): the station's
clerk, on a desktop in Chinese, opens 代为录入工作报告, sees which officers have no account, takes one
officer's report, is told to attach the signed paper (refused without it), enters it; the same clerk is
refused the confirmation (segregation of duties); a second member of the station, on a phone in English,
confirms it beside the report that says who entered it; the instance's history says 由 <clerk> 代为录入.
axe on every page shot. Screenshots: 17-report-entry-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import officer_of, tasks_of
from tests.api.recruitment_steps import SMALL_PDF
from tests.api.test_field_reports import REPORT
from tests.api.test_identity import new_user
from tests.api.test_segregation import OFFICER_PASSWORD, STATION, start_month, station_scores
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.test_field_reports_browser import DESKTOP, PHONE, fits_the_phone

CLERK = "崮山派出所 刘警官"


def fill_report(page: Page) -> None:
    for name, value in REPORT.items():
        page.fill(f"[name='{name}']", str(value))


def test_a_clerk_enters_a_paper_report_and_a_colleague_confirms_it(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    start_month(users, ctx)
    (_score, officer), _other = station_scores(users)[:2]
    new_user(users, "gushan_second", [STATION], password=OFFICER_PASSWORD, display_name="崮山派出所 何警官")

    clerk = pages.new()
    clerk.set_viewport_size(DESKTOP)
    login(clerk, "gushan_station")
    clerk.click("#nav-report-entry")
    expect(clerk.locator("h1")).to_have_text("代为录入月度工作报告")
    row = clerk.locator(f"#awaiting-entry tr[data-officer='{officer}']")
    expect(row).to_contain_text("2026-12-01")  # due the 1st of the next month
    expect(row.locator("td").nth(2)).to_have_text("无")  # no account of their own
    expect(clerk.locator("#entry-help")).to_contain_text("录入人不能审核自己录入的报告")
    shot(clerk, "17-report-entry-list-zh")

    row.get_by_role("button", name="代为录入").click()
    expect(clerk).to_have_url(re.compile(r"/tasks/"))
    notice = clerk.locator("#on-behalf-notice")
    expect(notice).to_contain_text(f"{CLERK} 依据本人签字的纸质材料代为录入此项")
    expect(notice).to_contain_text("提交前须在“附件”处上传：辅警签字的纸质工作报告")
    expect(clerk.locator("#required-file")).to_contain_text("辅警签字的纸质工作报告")
    expect(clerk.locator("#required-file-state")).to_contain_text("尚未上传")
    fill_report(clerk)
    clerk.click("#complete")  # without the paper: refused, nothing recorded, what was typed kept
    expect(clerk.locator("#form-message")).to_contain_text("辅警签字的纸质工作报告")
    shot(clerk, "17-report-entry-form-zh")
    paper = {"name": "11月工作报告（签字）.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF}
    clerk.set_input_files("#attach-file", files=[paper])
    clerk.click("#attach-submit")
    expect(clerk.locator("#required-file-state")).to_contain_text("已上传")
    fill_report(clerk)
    clerk.click("#complete")
    expect(clerk.locator("#form-message")).to_have_count(0)
    expect(clerk.locator(f"#awaiting-entry tr[data-officer='{officer}']")).to_have_count(0)

    # The one who entered it cannot confirm it.
    station = users["gushan_station"]
    [review] = [t for t in tasks_of(station, STATION, "review_report") if officer_of(station, t) == officer]
    clerk.goto(f"/tasks/{review['id']}")
    expect(clerk.locator("[data-panel='field_report']")).to_contain_text(f"由 {CLERK} 代为录入")
    clerk.select_option("[name='report_decision']", "confirm")
    clerk.click("#complete")
    expect(clerk.locator("#form-message")).to_contain_text("职责分离")
    shot(clerk, "17-report-entry-refused-zh")

    # A colleague confirms it, on a phone, in English.
    phone = pages.new()
    phone.set_viewport_size(PHONE)
    phone.goto("/login")
    phone.fill("#username", "gushan_second")
    phone.fill("#password", OFFICER_PASSWORD)
    phone.click("#login-submit")
    expect(phone).not_to_have_url(re.compile(r"/login"))
    phone.click("#switch-language")
    phone.wait_for_selector("html[lang=en]")
    phone.goto(f"/tasks/{review['id']}")
    grounds = phone.locator("[data-panel='field_report']")
    expect(grounds).to_contain_text(f"Entered by {CLERK} on the officer's behalf")
    phone.select_option("[name='report_decision']", "confirm")
    fits_the_phone(phone)
    shot(phone, "17-report-entry-review-phone-en")
    phone.click("#complete")
    expect(phone.locator("#form-message")).to_have_count(0)
    phone.goto("/field-reports/awaiting-entry")
    expect(phone.locator("h1")).to_have_text("Reports to enter on the officers' behalf")
    expect(phone.locator(f"#awaiting-entry tr[data-officer='{officer}']")).to_have_count(0)
    fits_the_phone(phone)
    shot(phone, "17-report-entry-list-phone-en")

    # The history of the case names the clerk who entered it.
    clerk.goto(f"/instances/{review['instance_id']}")
    expect(clerk.locator("main")).to_contain_text(f"由 {CLERK} 代为录入（依据本人签字的纸质材料）")
    clerk.goto(f"/officers/{officer}")
    expect(clerk.locator("#officer-field-reports")).to_contain_text(f"由 {CLERK} 代为录入")
