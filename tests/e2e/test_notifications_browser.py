"""A station clerk's notifications (issue 15, point 5): the bell counts what a month's start put in the
queue, the list opens a task and marks it read, the count drops; English; a task the head hands over; a
phone. Screenshots: 15-notify-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import seed, tasks_of
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot


def bell_says(page: Page, count: int) -> None:
    bell = page.locator("#nav-bell")
    expect(bell).to_have_attribute("aria-label", f"{count} 条未读通知")
    if count:
        expect(bell.locator(".bell-count")).to_have_text(str(count))
    else:
        expect(bell.locator(".bell-count")).to_have_count(0)


def test_a_clerk_opens_a_new_task_from_the_bell(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)

    page = pages.new()
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "gushan_station")
    bell_says(page, 24)
    page.click("#nav-bell")
    expect(page).to_have_url(re.compile(r"/notifications$"))
    items = page.locator("#notifications li.notification")
    expect(items).to_have_count(24)
    first = items.first
    expect(first.locator(".notification-state")).to_have_text("未读")
    expect(first.locator(".notification-kind")).to_have_text("新任务")
    expect(first.locator(".notification-open")).to_contain_text("派出所日常管理考核")
    expect(first.locator(".notification-open")).to_contain_text("月度考核")
    shot(page, "15-notify-list")

    first.locator(".notification-open").click()
    expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text("派出所日常管理考核")
    bell_says(page, 23)
    shot(page, "15-notify-task")

    page.click("#nav-bell")
    expect(items.first.locator(".notification-state")).to_have_text("已读")
    page.click("#filter-unread")
    expect(items).to_have_count(23)
    items.first.locator("button[id^=read-]").click()
    expect(page.locator(".flash.ok")).to_have_text("已标为已读")
    expect(items).to_have_count(22)
    bell_says(page, 22)

    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("Notifications")
    expect(items.first.locator(".notification-open")).to_contain_text("Police station appraisal — ")
    # The officer's village by its English name, not the Chinese the notification was raised with.
    subject = re.compile(r"— \S+ \([A-Z][A-Za-z ]+\) 2026-11 \(Monthly appraisal\)$")
    expect(items.first.locator(".notification-open")).to_have_text(subject)
    expect(items.first.locator(".notification-kind")).to_have_text("New task")
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "22 unread notifications")
    shot(page, "15-notify-en")
    page.click("#read-all")
    expect(page.locator("#no-notifications")).to_have_text("No unread notifications.")
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "0 unread notifications")

    # The station's head hands one of the scoring tasks to the clerk: a notification of its own, naming him.
    handed = tasks_of(users["gushan_station"], "police_station:gushan", "station_score")[0]
    body = {"username": "gushan_station", "reason": "刘警官熟悉该村情况"}
    users["gushan_station_head"].post(f"/api/v1/tasks/{handed['id']}/reassign", body)
    page.reload()
    # One is said in the singular in English, seen and heard alike.
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "1 unread notification")
    expect(page.locator("#nav-bell")).to_have_text("1 unread notification")
    page.click("#switch-language")
    bell_says(page, 1)
    expect(items).to_have_count(1)
    expect(items.first.locator(".notification-kind")).to_have_text("改派给您")
    expect(items.first.locator(".notification-open")).to_contain_text(handed["subject"])
    expect(items.first.locator(".notification-open")).to_contain_text("改派人：崮山派出所 所长")
    shot(page, "15-notify-reassigned")
    items.first.locator(".notification-open").click()
    expect(page).to_have_url(re.compile(f"/tasks/{handed['id']}$"))

    # A phone: the town government's clerk reads the same list at 390 px without scrolling sideways.
    phone = pages.new()
    phone.set_viewport_size({"width": 390, "height": 844})
    login(phone, "gushan_gov")
    bell_says(phone, 24)
    phone.click("#nav-bell")
    expect(phone.locator("#notifications li.notification")).to_have_count(24)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "15-notify-phone")
