"""The modeler's panel offers `dueDayOfNextMonth` (issue 17, point 7): a designer drafts the monthly field
report's model, finds the report task's due day (the 1st of the next month) beside its data key, is refused a
day some month lacks (30: nothing written), sets the 5th, saves, and the draft's XML holds it; the label in
English too; the task's entry on the officer's behalf is shown by name. 1366x768, axe on each page shot.
Screenshots: 60-modeler-due-day-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from service.context import ServiceContext
from service.usecases import drafts
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.test_modeler_browser import open_modeler, select_element, task_xml


def test_a_designer_sets_the_reports_due_day_of_the_next_month(pages: Pages, ctx: ServiceContext) -> None:
    page = pages.new()
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-field_report tbody tr").first.locator("a").first.click()
    page.locator("button[id^=new-draft-]").click()
    draft_id = int(re.search(r"/definitions/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.locator("#draft-files a", has_text="field_report.bpmn").click()
    open_modeler(page)

    select_element(page, "submit_report")
    expect(page.locator("#panel-due-mode")).to_have_value("variable")
    expect(page.locator("#panel-due-variable")).to_have_value("report_due_at")
    day = page.get_by_label("次月截止日（1–28 日）")
    expect(day).to_have_value("1")
    expect(page.locator("#panel-due-day-error")).to_be_hidden()
    # Its entry on the officer's behalf, by name: the station of the town, the signed paper report.
    expect(page.locator("#panel-on-behalf-by option:checked")).to_have_text("派出所（按所在镇）")
    expect(page.locator("#panel-on-behalf-file option:checked")).to_have_text("辅警签字的纸质工作报告")

    day.fill("30")  # not a day of every month: refused beside the field, nothing written
    day.press("Tab")
    expect(page.locator("#panel-due-day-error")).to_have_text("请填写 1 至 28 之间的整数（每个月都有的日子）")
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#modeler-status")).not_to_have_text("有未保存的修改")
    shot(page, "60-modeler-due-day-invalid-zh")

    day.fill("5")
    day.press("Tab")
    expect(page.locator("#panel-due-day-error")).to_be_hidden()
    expect(page.locator("#modeler-status")).to_have_text("有未保存的修改")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    saved = task_xml(drafts.draft_file(ctx, "designer", draft_id, "field_report.bpmn"), "submit_report")
    assert 'name="dueDayOfNextMonth" value="5"' in saved, saved
    assert 'name="dueAtVariable" value="report_due_at"' in saved  # the rest of the rule is kept

    # Reloaded in English: the panel reads the saved day under its English label.
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    open_modeler(page)
    select_element(page, "submit_report")
    expect(page.get_by_label("Due day of the next month (1-28)")).to_have_value("5")
    shot(page, "60-modeler-due-day-en")
