"""Faults found in issue 17's screenshots, in the browser, zh-CN and en, at 1366x768 and 390x844, each page
checked by axe: the month's payroll named 2026年12月 辅警工资 (not its business key) on its task page and in
the notifications, a second payroll of the month refused naming it with a link to it; the officer page's pay
from the confirmed payroll (the sub-bureau, not the town's station); a dead officer's reason for leaving in
English and the injury row's final state; a member told that the head handed their task to someone else.
Screenshots: 17-faults-*.png."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import tasks_of
from tests.api.recruitment_steps import start_recruitment, the_task
from tests.api.test_identity import new_user
from tests.api.test_officer_death_record import die_on_duty_after_an_injury
from tests.api.test_officer_pay import confirmed_payroll
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _switch(page: Page, lang: str) -> None:
    page.click("#switch-language")
    page.wait_for_selector(f"html[lang={lang}]")


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_payroll_by_its_month_and_the_officers_pay(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    first, _, _, unsigned, _ = confirmed_payroll(users, ctx)
    company = users["company"]
    company.post("/api/v1/instances", {"process_id": "payroll", "data": {"month": "2026-12"}}, expect=201)
    [task] = tasks_of(company, "service_company", "submit_payroll")

    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "company")
    page.goto(f"/tasks/{task['id']}")
    expect(page.locator(".meta").first).to_contain_text("对象：2026年12月 辅警工资")
    expect(page.locator("body")).not_to_contain_text("2026-payroll")
    # A second payroll of the month: refused naming it and where it stands, with a link to it.
    page.goto("/processes/payroll/start")
    page.fill("[name='month']", "2026-12")
    page.click("#start-process")
    message = page.locator("#form-message")
    expect(message).to_contain_text("本月份已有工资表“2026年12月 辅警工资”（正在办理，当前步骤：报送工资表）")
    expect(page.locator("#existing-case")).to_have_text("打开已有的工资表")
    shot(page, "17-faults-payroll-twice-zh")
    _switch(page, "en")
    page.fill("[name='month']", "2026-12")
    page.click("#start-process")
    expect(message).to_contain_text(
        "“Auxiliary police payroll, 2026-12” (in progress, now at “Submit the payroll”)"
    )
    page.set_viewport_size(PHONE)
    _fits(page)
    shot(page, "17-faults-payroll-twice-phone-en")
    page.click("#existing-case")
    expect(page.locator("body")).to_contain_text("Auxiliary police payroll, 2026-12")
    # The notification of the month's task names it in English too.
    page.goto("/notifications")
    open_task = page.locator(".notification-open", has_text="Auxiliary police payroll, 2026-12")
    expect(open_task).to_have_text("Submit the payroll — Auxiliary police payroll, 2026-12 (Monthly payroll)")
    shot(page, "17-faults-payroll-notice-phone-en")

    bureau = pages.new()
    bureau.set_viewport_size(DESKTOP)
    login(bureau, "bureau")
    bureau.goto(f"/officers/{first}")
    line = bureau.locator('#officer-pay tr[data-month="2026-11"]')
    expect(line.locator("td").nth(0)).to_have_text("2026年11月")
    expect(line).to_contain_text("3,600.00")
    expect(line).to_contain_text("972.00")
    expect(line).to_contain_text("432.00")
    expect(line.locator("td").nth(5)).to_have_text("5,004.00")
    expect(line.locator("td").nth(6)).to_contain_text("财政金融局已确认（")
    shot(bureau, "17-faults-officer-pay-zh")
    _switch(bureau, "en")
    bureau.set_viewport_size(PHONE)
    expect(bureau.locator("#officer-pay-title")).to_have_text("Pay")
    expect(line.locator("td").nth(0)).to_have_text("2026-11")
    expect(line.locator("td").nth(6)).to_contain_text("Confirmed by Finance on ")
    _fits(bureau)
    shot(bureau, "17-faults-officer-pay-phone-en")
    bureau.goto(f"/officers/{unsigned}")
    expect(bureau.locator("#officer-pay-none")).to_have_text(
        "No payroll Finance confirmed lists this officer yet."
    )

    station = pages.new()
    station.set_viewport_size(DESKTOP)
    login(station, "gushan_station")
    station.goto(f"/officers/{first}")
    expect(station.locator("h1")).to_be_visible()
    expect(station.locator("#officer-pay-title")).to_have_count(0)  # the town scores, it does not read pay


def test_a_dead_officers_record_and_a_task_handed_away(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    officer = die_on_duty_after_an_injury(users, ctx)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "bureau")
    page.goto(f"/officers/{officer}")
    expect(page.locator("#officer-leave-reason")).to_have_text("因公牺牲")
    injury = page.locator("#officer-injuries tbody tr").first
    expect(injury).to_have_attribute("data-status", "left_service")
    expect(injury.locator("td").nth(2)).to_have_text("已牺牲（自 2026-11-21 起）")
    expect(injury).not_to_contain_text("工伤休假")
    shot(page, "17-faults-dead-officer-zh")
    _switch(page, "en")
    page.set_viewport_size(PHONE)
    expect(page.locator("#officer-leave-reason")).to_have_text("Died on duty")
    expect(injury.locator("td").nth(2)).to_contain_text("Died on duty")
    expect(injury).not_to_contain_text("On injury leave")
    _fits(page)
    shot(page, "17-faults-dead-officer-phone-en")

    # The head hands the clerk's task to a colleague: the clerk is told whom it went to.
    bureau, head = users["bureau"], users["bureau_head"]
    new_user(users, "wang_jing", ["police_bureau"], display_name="公安分局 王静")
    start_recruitment(bureau)
    task = the_task(bureau, "police_bureau", "draft_plan")
    for to in ("bureau", "wang_jing"):
        head.post(f"/api/v1/tasks/{task['id']}/reassign", {"username": to, "reason": "调整分工"})
    page.goto("/notifications?unread=1")
    away = page.locator('li.notification[data-kind="handed_away"]')
    expect(away.locator(".notification-kind")).to_have_text("Task handed over")
    expect(away.locator(".notification-open")).to_contain_text(", handed over to 公安分局 王静")
    _fits(page)
    shot(page, "17-faults-handed-away-phone-en")
    _switch(page, "zh-CN")
    page.set_viewport_size(DESKTOP)
    expect(away.locator(".notification-kind")).to_have_text("任务已改派")
    expect(away.locator(".notification-open")).to_contain_text(
        "起草用人计划——2026年农村辅警招聘（招聘流程），已改派给：公安分局 王静"
    )
    shot(page, "17-faults-handed-away-zh")
    away.locator(".notification-open").click()
    expect(page).to_have_url(f"{pages.base_url}/instances/{task['instance_id']}")
