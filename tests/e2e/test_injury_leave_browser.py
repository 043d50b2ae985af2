"""The officer's status after a work injury in the browser (issue 17, point 4): an officer on injury leave is
shown as 工伤休假 on the roster (filtered so) and the officer page with the leave's limit; the service
company records a grade 3 officer's leaving the post on its task page, with the recognition beside the form;
that officer's page shows 因工伤退出岗位 and the contract kept. zh-CN and en, at 1366x768 and 390x844, each
page checked by axe. Screenshots: 17-injury-leave-*.png."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.test_injury_leave import recognise_and_pay
from tests.api.test_welfare import INJURY, officers, report_injury, task_of
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _english(page: Page) -> None:
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")


def _chinese(page: Page) -> None:
    page.click("#switch-language")
    page.wait_for_selector("html[lang=zh-CN]")


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_injury_leave_and_leaving_the_post_on_the_roster_and_the_officer_page(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    on_leave, disabled = officers(ctx, 2)
    report_injury(users, on_leave)
    instance = report_injury(users, disabled, {**INJURY, "injury_date": "2026-11-21"})
    recognise_and_pay(users, instance, "grade_3")

    # The service company records the day the grade 3 officer leaves the post, on the recognition's grounds.
    company = pages.new()
    company.set_viewport_size(DESKTOP)
    login(company, "company")
    task = task_of(users["company"], "service_company", "arrange_leaving_post", instance)
    company.goto(f"/tasks/{task['id']}")
    expect(company.locator("h1")).to_contain_text("办理退出工作岗位")
    expect(company.locator("[data-panel='injury_recognition']")).to_contain_text("三级伤残")
    company.fill("[name='left_post_on']", "2026-11-25")
    company.fill("[name='exit_note']", "按月发给伤残津贴")
    shot(company, "17-injury-leave-exit-zh")
    company.click("#complete")
    expect(company.locator("#form-message")).to_have_count(0)

    bureau = pages.new()
    bureau.set_viewport_size(DESKTOP)
    login(bureau, "bureau")
    # The roster filtered to those on injury leave today.
    bureau.goto("/officers?status=injury_leave")
    expect(bureau.locator("#filter-status")).to_have_value("injury_leave")
    rows = bureau.locator("tr[data-officer]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-officer", str(on_leave))
    expect(rows.first).to_contain_text("工伤休假（自 2026-11-20 起）")
    shot(bureau, "17-injury-leave-roster-zh")

    bureau.goto(f"/officers/{on_leave}")
    expect(bureau.locator("#officer-status")).to_have_text("工伤休假（自 2026-11-20 起）")
    expect(bureau.locator("#officer-injury-leave")).to_contain_text("最迟至 2027-11-19（上限 12 个月）")
    expect(bureau.locator("#officer-injuries")).to_contain_text("停工留薪期最迟至 2027-11-19")
    shot(bureau, "17-injury-leave-officer-zh")
    _english(bureau)
    expect(bureau.locator("#officer-status")).to_contain_text("On injury leave")
    expect(bureau.locator("#officer-injury-leave")).to_contain_text("At most until 2027-11-19")
    shot(bureau, "17-injury-leave-officer-en")

    # At phone width: the officer who left the post, in both languages.
    bureau.set_viewport_size(PHONE)
    bureau.goto(f"/officers/{disabled}")
    expect(bureau.locator("#officer-status")).to_contain_text("Left the post after a work injury")
    expect(bureau.locator("#officer-contracts")).to_contain_text("Labour relation kept; left the post")
    # The reason for leaving the service wrote, in English too (the grounds as the reviewer typed them).
    expect(bureau.locator("#officer-leave-reason")).to_contain_text(
        "Grade 3 disability after a work injury: the labour relation kept, the officer left the post"
    )
    _fits(bureau, 390)
    shot(bureau, "17-injury-leave-left-post-phone-en")
    _chinese(bureau)
    expect(bureau.locator("#officer-status")).to_contain_text("因工伤退出岗位")
    expect(bureau.locator("#officer-left-on")).to_have_text("2026-11-25")
    expect(bureau.locator("#officer-leave-reason")).to_contain_text("三级伤残，保留劳动关系，退出工作岗位")
    expect(bureau.locator("#officer-contracts")).to_contain_text("保留劳动关系，退出工作岗位")
    expect(bureau.locator("#officer-injury-leave")).to_have_count(0)
    _fits(bureau, 390)
    shot(bureau, "17-injury-leave-left-post-phone-zh")
    bureau.goto(f"/officers/{on_leave}")
    expect(bureau.locator("#officer-status")).to_contain_text("工伤休假")
    _fits(bureau, 390)
    shot(bureau, "17-injury-leave-officer-phone-zh")
