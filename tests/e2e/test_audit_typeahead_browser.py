"""The audit search's type-ahead (issue 16): an auditor types part of a village's or a person's name, sees
a few names with their town or department, chooses one with the keyboard or the mouse, and searches; with
JavaScript off the same fields are plain text and the page says what a typed name stands for. At 1366x768
and 390x844; every screenshot is checked by axe-core. Screenshots: 16-audit-typeahead-*.png."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from tests.conftest import User
from tests.e2e.conftest import SCREENSHOTS, Pages, login, shot
from tests.e2e.test_audit_search_browser import DESKTOP, PHONE, column, history
from workflows.ports import ManualClock


def typed(page: Page, selector: str, text: str) -> None:
    page.fill(selector, "")
    page.locator(selector).press_sequentially(text)


def options(page: Page, field: str) -> list[str]:
    listbox = page.locator(f"#f-{field}-list")
    expect(listbox).to_be_visible()
    return [text.strip() for text in listbox.locator("[role=option]").all_inner_texts()]


def test_an_auditor_chooses_a_village_and_a_person_as_they_type(
    pages: Pages, users: dict[str, User], ctx: ServiceContext, clock: ManualClock
) -> None:
    village_zh, _village_en = history(users, ctx, clock)
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "auditor")
    page.goto("/audit")
    village = page.locator("#f-village")
    expect(village).to_have_attribute("role", "combobox")
    expect(village).to_have_attribute("aria-autocomplete", "list")
    expect(village).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#f-village-list")).to_be_hidden()

    # Part of a name: the villages containing it, each with its town, the register's order.
    typed(page, "#f-village", "崮山")
    assert options(page, "village") == ["崮山社区（崮山镇）", "崮山后村（崮山镇）", "崮山前村（崮山镇）"]
    expect(village).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#f-village-list")).to_have_attribute("aria-labelledby", "f-village-label")
    expect(page.locator("#f-village-status")).to_contain_text("3 个建议")
    # Down, Down: the second name is the active one; Escape closes the list and keeps the text.
    village.press("ArrowDown")
    village.press("ArrowDown")
    second = page.locator("#f-village-list-1")
    expect(second).to_have_attribute("aria-selected", "true")
    expect(village).to_have_attribute("aria-activedescendant", "f-village-list-1")
    shot(page, "16-audit-typeahead-village-zh")
    village.press("Escape")
    expect(page.locator("#f-village-list")).to_be_hidden()
    expect(village).to_have_value("崮山")

    # The officer's village by its whole name: first in the list; Enter takes it, a second Enter searches.
    typed(page, "#f-village", village_zh)
    assert options(page, "village")[0].startswith(f"{village_zh}（")
    village.press("ArrowDown")
    village.press("Enter")
    expect(village).to_have_value(village_zh)
    expect(page.locator("#f-village-list")).to_be_hidden()
    page.fill("#f-since", "2026-11-27")
    page.fill("#f-until", "2026-11-27")
    village.press("Enter")
    expect(page.locator("#audit-total")).to_be_visible()
    subjects = column(page, 5)
    assert subjects and all(village_zh in subject for subject in subjects)
    expect(page.locator("#f-village-note")).to_have_count(0)  # one village: nothing to explain

    # A person, chosen with the mouse.
    page.goto("/audit")
    typed(page, "#f-person", "李科")
    assert options(page, "person") == ["党群工作部 李科长"]
    page.locator("#f-person-list [role=option]").first.click()
    expect(page.locator("#f-person")).to_have_value("党群工作部 李科长")
    page.click("#audit-search")
    expect(page.locator("#audit-total")).to_be_visible()  # the answer's page, not the form still leaving
    actors = column(page, 3)
    assert actors and set(actors) == {"党群工作部 李科长"}

    # A name matching nothing: the list says so (to a screen reader too) and stays closed.
    typed(page, "#f-person", "无此人")
    expect(page.locator("#f-person-status")).to_have_text("没有匹配的名称")
    expect(page.locator("#f-person-list")).to_be_hidden()

    # On a phone: the list fits the screen, the page does not scroll sideways.
    page.set_viewport_size(PHONE)
    page.goto("/audit")
    typed(page, "#f-village", "山")
    assert len(options(page, "village")) >= 5
    box = page.locator("#f-village-list").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "16-audit-typeahead-village-phone-zh")
    without_javascript(pages, village_zh)


def without_javascript(pages: Pages, village_zh: str) -> None:
    """The same fields as plain text: the server resolves the name and says when it is none or several."""
    context = pages.browser.new_context(base_url=pages.base_url, java_script_enabled=False, viewport=DESKTOP)
    pages.contexts.append(context)
    page = context.new_page()
    login(page, "auditor")
    page.goto("/audit")
    expect(page.locator("#f-village")).not_to_have_attribute("role", "combobox")

    page.fill("#f-village", "崮山")
    page.click("#audit-search")
    expect(page.locator("#f-village-note")).to_have_text(
        "提示：“崮山”对应 3 个村（社区），结果包含全部："
        "崮山社区（崮山镇）、崮山后村（崮山镇）、崮山前村（崮山镇）"
    )
    page.fill("#f-village", "王家村")
    page.click("#audit-search")
    expect(page.locator("#f-village-note")).to_have_text("提示：没有名称包含“王家村”的村（社区）")
    expect(page.locator("#audit-total")).to_have_text("共 0 条")
    page.screenshot(path=str(SCREENSHOTS / "16-audit-typeahead-nojs-none-zh.png"), full_page=True)

    page.fill("#f-village", village_zh)
    page.fill("#f-since", "2026-11-27")
    page.fill("#f-until", "2026-11-27")
    page.click("#audit-search")
    expect(page.locator("#f-village-note")).to_have_count(0)
    assert column(page, 5) and all(village_zh in subject for subject in column(page, 5))
    page.set_viewport_size(PHONE)
    page.fill("#f-person", "科长")
    page.click("#audit-search")
    expect(page.locator("#f-person-note")).to_contain_text("“科长”对应 4 人，结果包含全部：")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "16-audit-typeahead-nojs-several-phone-zh.png"), full_page=True)
