"""Bulk scoring in the browser (issue 15, point 1): the Gushan town government's clerk scores the month of
40+ officers in one table at 1366x768, in Chinese: the first row typed with Tab across its cells, one row with
an out-of-range score refused with the error beside its cell while the others complete, fixed and sent
again; the queue empties. The police station's clerk does the same on a phone (390x844) in English: the
table scrolls inside its own box, the page never sideways. A designer ticks or clears the model's
bulkComplete in the modeler's panel. Screenshots: 15-bulk-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.usecases import drafts
from service.usecases.appraisal import start_month
from tests.api.appraisal_steps import add_officers, seed
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.test_modeler_browser import open_modeler, select_element, task_xml
from tests.e2e.test_phone_width import LAYOUT_PROBLEMS

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Fill every empty score of the table at about 90% of its maximum and the committee's opinion: the rows
# the test does not type by hand (typing 400 cells is not what is tested).
FILL_REST = """() => {
  for (const input of document.querySelectorAll('#bulk-table input.bulk-number')) {
    if (!input.value) input.value = String(Math.round(Number(input.dataset.max) * 0.9));
  }
  for (const select of document.querySelectorAll('#bulk-table select')) {
    if (!select.value) select.value = select.options[1].value;
  }
}"""


# The officers whose name or village runs out of their column (under the first score's field).
OFFICERS_OVERFLOWING = """() => {
  const officers = [...document.querySelectorAll('#bulk-table tbody th.bulk-officer')];
  return officers.filter(th => {
    const text = document.createRange();
    text.selectNodeContents(th);
    return text.getBoundingClientRect().right > th.getBoundingClientRect().right + 1;
  }).map(th => th.innerText);
}"""


def page_fits(page: Page) -> None:
    """No sideways scrolling and no column squeezed to a character a line (the phones check's rule); each
    officer's name and village stay inside the column that stays in view."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    assert page.evaluate(OFFICERS_OVERFLOWING) == []


def test_a_town_clerk_scores_a_month_in_one_table(pages: Pages, ctx: ServiceContext) -> None:
    seed(ctx)
    add_officers(ctx, 20)
    start_month(ctx, "2026-11", "bureau_head")
    page = pages.new()
    page.set_viewport_size(DESKTOP)
    login(page, "gushan_gov")
    page.goto("/inbox")  # my work links the table too, naming the department
    expect(page.locator("a.bulk-link[data-step=town_score]")).to_contain_text("崮山镇人民政府")
    expect(page.locator("a.bulk-link[data-step=town_score]")).to_contain_text("批量评分")
    page.goto("/queues/town_gov:gushan")
    link = page.locator("a.bulk-link[data-step=town_score]")
    expect(link).to_contain_text("批量评分")
    link.click()
    expect(page.locator("h1")).to_have_text("批量评分：镇政府月度考核")
    page.wait_for_load_state()  # the whole table parsed before its rows are counted (a busy machine)
    rows = page.locator("#bulk-table tbody tr")
    count = rows.count()
    assert count >= 40
    page_fits(page)
    header = page.locator('th.bulk-col[data-field="town_items.committee_meetings"]')
    expect(header).to_contain_text("列席两委会议")
    expect(header).to_contain_text("满分 15")
    expect(page.locator("th.bulk-group")).to_have_text("考核评分项")
    first = rows.nth(0)
    officer = first.get_attribute("data-officer") or ""
    expect(first.locator("td").nth(0)).to_have_text("皂埠社区")  # by village, in the register's order
    expect(page.locator("#bulk-table tbody tr", has_text="测试辅警00000").locator("td").first).to_have_text(
        "崮山后村"
    )
    cell = first.locator("input.bulk-number").first
    assert cell.get_attribute("aria-label") == f"{officer}：列席两委会议"

    # The first row by keyboard: Tab moves across the row's cells, in order.
    cell.focus()
    for value in ("15", "14", "13", "12", "9", "8", "7", "6"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the opinion's select: the first choice, 满意
    focused = page.evaluate("document.activeElement.name")
    assert focused.endswith(".village_committee_opinion"), focused
    expect(first.locator("input.bulk-number").nth(7)).to_have_value("6")
    page.evaluate(FILL_REST)
    wrong = rows.nth(3)
    wrong_officer = wrong.get_attribute("data-officer") or ""
    wrong_cell = wrong.locator("input.bulk-number").first
    wrong_cell.fill("16")
    shot(page, "15-bulk-table-zh")
    page.click("#bulk-submit")

    # Every other row completed; the wrong one is back with the error beside its cell.
    expect(page.locator("#bulk-summary")).to_contain_text(f"已办结 {count - 1} 项")
    expect(page.locator("#bulk-summary")).to_contain_text("1 项有误未办结")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-officer", wrong_officer)
    refused_cell = rows.first.locator("td.bulk-cell").first
    expect(refused_cell.locator(".field-error")).to_have_text("“列席两委会议”不能大于 15")
    expect(refused_cell.locator("input")).to_have_value("16")
    expect(refused_cell.locator("input")).to_have_attribute("aria-invalid", "true")
    expect(rows.first.locator("select")).not_to_have_value("")  # what was typed is kept
    shot(page, "15-bulk-refused-zh")
    refused_cell.locator("input").fill("15")
    page.click("#bulk-submit")
    expect(page.locator(".flash")).to_contain_text("已办结 1 项")
    expect(page.locator("#bulk-empty")).to_be_visible()
    shot(page, "15-bulk-done-zh")
    page.click("#bulk-back")
    expect(page.locator("#tasks tbody tr")).to_have_count(0)
    expect(page.locator("a.bulk-link")).to_have_count(0)


def test_a_station_clerk_scores_on_a_phone_in_english(pages: Pages, ctx: ServiceContext) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "bureau_head")
    page = pages.new()
    page.set_viewport_size(PHONE)
    login(page, "gushan_station")
    page.click("#switch-language")
    page.goto("/queues/police_station:gushan")
    page.locator("a.bulk-link[data-step=station_score]").click()
    expect(page.locator("h1")).to_have_text("Score in a table: Police station appraisal")
    page.wait_for_load_state()
    page_fits(page)
    box = page.locator("#bulk-scroll")
    assert page.evaluate("el => el.scrollWidth > el.clientWidth", box.element_handle())  # scrolls inside
    header = page.locator('th.bulk-col[data-field="station_items.attendance_discipline"]')
    expect(header).to_contain_text("Attendance and discipline")
    expect(header).to_contain_text("max 15")
    rows = page.locator("#bulk-table tbody tr")
    total = rows.count()
    first, second = rows.nth(0), rows.nth(1)
    for index, cell in enumerate(first.locator("input.bulk-number").all()):
        cell.fill(str(5 if index < 8 else 3))
    second.locator("input.bulk-number").nth(0).fill("20")
    shot(page, "15-bulk-phone-en")
    page.click("#bulk-submit")
    expect(page.locator("#bulk-summary")).to_contain_text("1 completed")
    expect(page.locator("#bulk-summary")).to_contain_text(f"{total - 2} rows left empty, skipped")
    expect(rows).to_have_count(total - 1)
    error = page.locator("td.bulk-cell .field-error").first
    expect(error).to_have_text("Attendance and discipline cannot be more than 15.")
    # The other items of that row were left empty: each is named beside its own cell.
    expect(rows.first.locator("td.bulk-cell .field-error")).to_have_count(9)
    page_fits(page)
    shot(page, "15-bulk-phone-refused-en")


def test_a_designer_sets_bulk_completion_in_the_modeler(pages: Pages, ctx: ServiceContext) -> None:
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal tbody tr").first.locator("a").first.click()
    page.locator("button[id^=new-draft-]").click()
    draft_id = int(re.search(r"/definitions/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.locator("#draft-files a", has_text="appraisal.bpmn").click()
    open_modeler(page)
    select_element(page, "station_score")
    expect(page.locator("#panel-bulk-complete")).to_be_checked()
    expect(page.locator("label[for=panel-bulk-complete]")).to_have_text(
        "可在表格中批量办理（每项任务一行，表单字段为列）"
    )
    page.uncheck("#panel-bulk-complete")
    select_element(page, "veto_decision")
    expect(page.locator("#panel-bulk-complete")).not_to_be_checked()
    page.check("#panel-bulk-complete")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    saved = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    assert 'name="bulkComplete"' not in task_xml(saved, "station_score")
    assert 'name="bulkComplete" value="true"' in task_xml(saved, "veto_decision")
    assert 'name="bulkComplete" value="true"' in task_xml(saved, "town_score")  # untouched
