"""My work (issue 15, point 1) in the browser: a station clerk with tasks in two departments sees them in
one list, filters by village and due date, saves the filter, claims five tasks at once and reads a result
per row (one was taken meanwhile by the station's head), and the navigation's count follows; past the count
bound the counts read "N+"; at 1366x768 and 390x844, in Chinese and English. Screenshots: 15-inbox-*.png."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import add_officers, seed
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def clerk_in_two_departments(users: dict[str, User], ctx: ServiceContext, extra_officers: int = 0) -> None:
    admin = users["admin"]
    clerk = next(u for u in admin.get("/api/v1/admin/users") if u["username"] == "gushan_station")
    changed = admin.client.patch(
        f"/api/v1/admin/users/{clerk['user_id']}",
        json={"departments": ["police_station:gushan", "town_gov:gushan"]},
        headers=admin._headers(),
    )
    assert changed.status_code == 200
    seed(ctx)
    if extra_officers:
        add_officers(ctx, extra_officers)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)


def fits(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide"
    shot(page, name)
    page.set_viewport_size(DESKTOP)


def test_a_clerk_works_from_one_inbox(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    clerk_in_two_departments(users, ctx)
    api = users["gushan_station"]
    village: dict[str, Any] = api.get("/api/v1/inbox?per_page=1")["items"][0]
    # Two days before the scoring is due: the month's tasks are due within three days.
    clock.advance(datetime.fromisoformat(village["due_at"]) - clock.now() - timedelta(days=2))
    expected = api.get(f"/api/v1/inbox?village={village['village_code']}&due=3days&per_page=200")
    due_soon = api.get("/api/v1/inbox?due=3days&per_page=200")
    assert due_soon["total"] > expected["total"] > 0 and {
        t["department_code"] for t in expected["items"]
    } == {
        "police_station:gushan",
        "town_gov:gushan",
    }
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_station")
    expect(page.locator("#nav-claimed")).to_have_text("已认领 0")
    page.click("#nav-inbox")
    expect(page.locator("h1")).to_have_text("我的工作")
    table = page.locator("#inbox")
    # Both departments' tasks in one list, by name.
    expect(table).to_contain_text("崮山派出所")
    expect(table).to_contain_text("崮山镇人民政府")
    expect(table).to_contain_text("月度考核")
    shot(page, "15-inbox-all-zh")

    page.select_option("#filter-village", village["village_code"])
    page.select_option("#filter-due", "3days")
    page.click("#apply-filters")
    expect(page.locator(".inbox-total")).to_contain_text(f"共 {expected['total']} 项")
    expect(table.locator("tbody tr")).to_have_count(expected["total"])
    expect(table.locator("tbody tr").first).to_contain_text(village["village_name_zh"])
    page.fill("#filter-name", "本村三天内")
    page.click("#save-filter-button")
    expect(page.locator(".flash")).to_contain_text("本村三天内")
    expect(page.locator("#saved-filters")).to_contain_text("本村三天内")
    expect(page.locator("#filter-village")).to_have_value(village["village_code"])

    # All the village's tasks due within three days from both departments; then the town's: five ticked,
    # and the station's head takes one of them before the clerk submits.
    page.select_option("#filter-village", "")
    page.click("#apply-filters")
    expect(table.locator("tbody tr")).to_have_count(due_soon["total"])
    picks = table.locator("tbody input[type=checkbox]")
    ids = [picks.nth(n).get_attribute("value") for n in range(5)]
    for n in range(5):
        picks.nth(n).check()
    station_ids = [t["id"] for t in due_soon["items"] if t["department_code"] == "police_station:gushan"]
    taken = next(task_id for task_id in ids if task_id in station_ids)
    users["gushan_station_head"].post(f"/api/v1/tasks/{taken}/claim")
    page.click("#claim-selected")
    results = page.locator("#claim-results")
    expect(results.locator("tbody tr")).to_have_count(5)
    expect(results.locator(f"tr[data-task='{taken}']")).to_contain_text("已被 崮山派出所 所长 认领")
    expect(results.locator("tr.claim-claimed")).to_have_count(4)
    expect(page.locator("#nav-claimed")).to_have_text("已认领 4")
    expect(page.locator(".flash")).to_contain_text("已认领 4 项任务")
    shot(page, "15-inbox-claimed-zh")
    fits(page, "15-inbox-claimed-phone-zh")

    page.click("#section-mine")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text("我已认领")

    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator("#nav-claimed")).to_have_text("Claimed 4")
    expect(table).to_contain_text("Monthly appraisal")
    page.click("#saved-filters a")
    expect(page.locator("#filter-due")).to_have_value("3days")
    now = api.get(f"/api/v1/inbox?village={village['village_code']}&due=3days")["total"]
    expect(page.locator(".inbox-total")).to_contain_text(f"{now} in all")
    shot(page, "15-inbox-saved-en")
    fits(page, "15-inbox-saved-phone-en")
    # On a phone the filters fold behind "Filter" unless one is on, as the saved filter's were just now.
    page.set_viewport_size(PHONE)
    expect(page.locator("#inbox-filter-box summary")).to_have_text("Filter (on)")
    page.goto("/inbox")
    box = page.locator("#inbox-filter-box")
    assert box.evaluate("details => details.open") is False
    expect(box.locator("summary")).to_have_text("Filter")
    expect(page.locator("#filter-process")).to_be_hidden()
    shot(page, "15-inbox-filters-folded-phone-en")
    assert ids  # the five were rows of the filtered list


def test_counts_past_the_bound_read_n_plus(pages: Pages, users: dict[str, User], ctx: ServiceContext) -> None:
    """Past the count bound (AUXPOLICE_INBOX_COUNT_BOUND, 1,000; here 5) the clerk reads "5+" on the tabs
    and the navigation's badge, and "50+" as the total of a page of 50 (counted to the end of the page),
    with a note, "page 1 of 2+" and a next page that is counted exactly."""
    clerk_in_two_departments(users, ctx, extra_officers=2)  # 52 tasks: more than a page
    api = users["gushan_station"]
    held = [t["id"] for t in api.get("/api/v1/inbox?per_page=6")["items"]]
    assert [r["outcome"] for r in api.post("/api/v1/inbox/claim", {"task_ids": held})["results"]] == [
        "claimed"
    ] * 6
    ctx.settings.inbox_count_bound = 5
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_station")
    expect(page.locator("#nav-claimed")).to_have_text("已认领 5+")
    page.click("#nav-inbox")
    table = page.locator("#inbox")
    expect(table.locator("tbody tr")).to_have_count(50)
    expect(page.locator(".inbox-total")).to_contain_text("共 50+ 项")
    expect(page.locator("#inbox-bound-note")).to_have_text("（数到 50 项为止，可用筛选缩小范围）")
    expect(page.locator("#section-all .inbox-count")).to_have_text("50+")
    expect(page.locator("#section-mine .inbox-count")).to_have_text("5+")
    expect(page.locator("#section-open .inbox-count")).to_have_text("5+")
    expect(page.locator("#section-overdue .inbox-count")).to_have_text("0")
    expect(page.locator("#inbox-pager")).to_contain_text("第 1 / 2+ 页")
    shot(page, "15-inbox-bound-zh")
    fits(page, "15-inbox-bound-phone-zh")

    page.click("#inbox-pager a:has-text('下一页')")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.locator(".inbox-total")).to_have_text(re.compile(r"共 52 项"))
    expect(page.locator("#inbox-bound-note")).to_have_count(0)
    expect(page.locator("#inbox-pager")).to_contain_text("第 2 / 2 页")

    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    expect(page.locator("#nav-claimed")).to_have_text("Claimed 5+")
    page.goto(page.url.split("?")[0])
    expect(page.locator(".inbox-total")).to_contain_text("50+ in all")
    expect(page.locator("#inbox-bound-note")).to_have_text("(counted up to 50; filter to narrow the list)")
    expect(page.locator("#inbox-pager")).to_contain_text("Page 1 of 2+")
    shot(page, "15-inbox-bound-en")
    fits(page, "15-inbox-bound-phone-en")
