"""Accessibility (issue 15, point 3; USERS.md: every input labelled, contrast 4.5:1, state never by colour
alone), in the browser on Debian's Chromium.

- Each role's main pages (its home page and every page its top bar opens; for the station clerk also its
  queue, a task and the task's instance) in Chinese and in English: axe-core finds no serious or critical
  WCAG 2.0/2.1 A/AA violation (checked on each page here, not once per kind of page as the hook of
  tests/e2e/conftest.py does for the other tests).
- The station clerk's month end by keyboard alone: Tab reaches the skip link first, the skip link jumps to
  the page's content, Tab goes on in the page's order with a visible focus to the queue's first task, Enter
  opens it, the scoring form is filled by typing and Tab, and Enter on 提交办结 completes it. Overdue shows
  in words (已逾期), not only in red.

Screenshots: 15-a11y-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.api.appraisal_steps import rubric, seed
from tests.conftest import User
from tests.e2e.axe_check import assert_accessible
from tests.e2e.conftest import Pages, login, shot
from workflows.ports import ManualClock

STATION = "police_station:gushan"
# The roles of USERS.md: a station clerk (staff), a head, the auditor, the admin, the process designer.
ROLES = {
    "staff": "gushan_station",
    "head": "bureau_head",
    "auditor": "auditor",
    "admin": "admin",
    "designer": "designer",
}

# What has the focus: its tag, id, name and text, its place in the document, and whether it is drawn with
# a visible outline (the :focus-visible rule of app.css) and on the screen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const all = Array.from(document.querySelectorAll('*'));
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    text: (el.innerText || el.value || '').trim().slice(0, 30), href: el.getAttribute('href') || '',
    index: all.indexOf(el),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.width > 0,
  };
}"""


@pytest.fixture
def month(users: dict[str, User], ctx: ServiceContext) -> None:
    """The month's scoring started in every town: the station's queue holds its officers' scorings."""
    seed(ctx)
    users["bureau_head"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)


def nav_paths(page: Page) -> list[str]:
    paths: list[str] = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.pathname)")
    return list(dict.fromkeys(paths))


def main_pages(page: Page, role: str) -> list[str]:
    """The role's home page, the pages of its top bar and, for the station clerk, its queue, the queue's
    first task and that task's instance."""
    page.goto("/")
    paths = ["/", *nav_paths(page)]
    if role == "staff":
        page.goto(f"/queues/{STATION}")
        task = page.locator("#tasks tbody a[href*='/tasks/']").first.get_attribute("href")
        assert task, "the station's queue lists its scorings"
        page.goto(task)
        instance = page.locator("#task-meta a[href*='/instances/']").get_attribute("href")
        assert instance
        paths += [f"/queues/{STATION}", task, instance]
    return list(dict.fromkeys(paths))


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_main_pages_pass_axe_in_both_languages(pages: Pages, month: None, role: str) -> None:
    page = pages.new()
    login(page, ROLES[role])
    paths = main_pages(page, role)
    assert len(paths) >= 2, f"{role} sees no page besides home: {paths}"
    for lang in ("zh-CN", "en"):
        if lang == "en":
            page.goto("/")
            page.click("#switch-language")
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for path in paths:
            response = page.goto(path)
            status = response.status if response else None
            assert status == 200, f"{role} {path}: {status}"
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(page, f"{role} ({ROLES[role]}) {lang} {path}")
        shot(page, f"15-a11y-{role}-{lang}")


def press_tab_to(page: Page, selector: str, walked: list[dict[str, Any]], limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus; every stop along the way is noted in ``walked``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused is not None, f"Tab left the page after {[w['id'] or w['text'] for w in walked]}"
        walked.append(focused)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached in {limit} Tab presses: {[w['id'] or w['text'] for w in walked]}")


def assert_in_order_and_visible(walked: list[dict[str, Any]]) -> None:
    """The focus went forward through the page (the page's order is the reading order) and each stop was
    drawn with a visible outline, on the screen."""
    indexes = [w["index"] for w in walked]
    assert indexes == sorted(indexes), f"the focus jumped back: {[(w['id'] or w['text']) for w in walked]}"
    hidden = [w for w in walked if not (w["outline"] and w["onScreen"])]
    assert not hidden, f"focus not visible on: {hidden}"


def test_a_station_clerk_scores_an_officer_by_keyboard_alone(
    pages: Pages, month: None, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    clock.advance(timedelta(days=40))  # past the 5th of next month: the scorings are overdue
    page = pages.new()
    login(page, "gushan_station")
    page.goto(f"/queues/{STATION}?sort=name")

    # Overdue in words and a sign, not only in red.
    first_row = page.locator("#tasks tbody tr").first
    expect(first_row.locator(".overdue-mark")).to_have_text(re.compile("已逾期"))

    # The first Tab stop is the skip link, shown when it has the focus; Enter jumps to the content.
    walked: list[dict[str, Any]] = []
    press_tab_to(page, "#skip-link", walked, limit=1)
    expect(page.locator("#skip-link")).to_be_in_viewport()
    shot(page, "15-a11y-01-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # From the content, in the page's order, with the focus visible: the filters, then the first task.
    walked = []
    press_tab_to(page, "#tasks tbody tr:first-child a[href*='/tasks/']", walked)
    stops = [w["id"] for w in walked]
    assert {"queue-q", "queue-state", "queue-sort"} <= set(stops), stops  # the filters, each labelled
    assert_in_order_and_visible(walked)
    task_name = walked[-1]["text"]
    shot(page, "15-a11y-02-queue-first-task")

    # Enter opens the task; its form is filled by keyboard: Tab to each field, type.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/tasks/\d+"))
    expect(page.locator("h1")).to_contain_text(task_name)
    items = rubric("station_score.json", "station_items", 0.9)
    walked = []
    for key, value in items.items():
        press_tab_to(page, f"[name='station_items.{key}']", walked)
        page.keyboard.type(str(value))
    press_tab_to(page, "[name='comment']", walked)
    page.keyboard.type("键盘录入：本月驻村考勤良好")
    assert_in_order_and_visible(walked)
    shot(page, "15-a11y-03-form-by-keyboard")
    press_tab_to(page, "#complete", walked)
    page.keyboard.press("Enter")

    # Completed: back on the queue, told so in words (the message's green passes 4.5:1, axe checks it).
    expect(page.locator(".flash").filter(has_text=f"任务已办结：{task_name}")).to_be_visible()
    assert_accessible(page, "the queue after completing a task by keyboard")
    shot(page, "15-a11y-04-completed")


def test_a_station_clerk_claims_from_my_work_by_keyboard_alone(
    pages: Pages, month: None, clock: ManualClock
) -> None:
    """My work (issue 15, point 1) by keyboard: Space ticks two tasks, Shift+Tab goes back to 认领所选 and
    Enter claims them, a result per row; overdue reads 已逾期 in each row and on its tab, not only in red."""
    clock.advance(timedelta(days=40))  # past the 5th of next month: the scorings are overdue
    page = pages.new()
    login(page, "gushan_station")
    page.goto("/inbox")
    rows = page.locator("#inbox tbody tr")
    expect(rows.first.locator(".inbox-overdue")).to_contain_text("已逾期")
    expect(page.locator("#section-overdue")).to_contain_text("已逾期")

    walked: list[dict[str, Any]] = []
    press_tab_to(page, "#skip-link", walked, limit=1)
    page.keyboard.press("Enter")
    walked = []
    press_tab_to(page, "#inbox tbody tr:nth-child(1) input[type=checkbox]", walked)
    page.keyboard.press("Space")
    press_tab_to(page, "#inbox tbody tr:nth-child(2) input[type=checkbox]", walked)
    page.keyboard.press("Space")
    assert_in_order_and_visible(walked)
    picked = [rows.nth(n).get_attribute("data-task") for n in (0, 1)]
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "claim-selected":
            break
    expect(page.locator("#claim-selected")).to_be_focused()
    shot(page, "15-a11y-05-inbox-keyboard")
    page.keyboard.press("Enter")

    results = page.locator("#claim-results")
    expect(results.locator("tr.claim-claimed")).to_have_count(2)
    for task_id in picked:
        expect(results.locator(f"tr[data-task='{task_id}']")).to_be_visible()
    expect(page.locator("#nav-claimed")).to_have_text("已认领 2")
    assert_accessible(page, "my work after claiming by keyboard")
