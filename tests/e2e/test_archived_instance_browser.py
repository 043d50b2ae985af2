"""An archived instance in a browser (issue 16, point 4): once retention dropped its engine state, the
auditor still sees the diagram with the path taken, the data, the whole history with the archiving in it,
and the note 已归档 with its date, on a desktop and a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from service.context import ServiceContext
from service.usecases.retention import archive_finished
from tests.e2e.conftest import Pages, login, shot
from tests.web_units.test_instance_people_page import VETO_REASON, appraisal
from workflows.ports import ManualClock

__all__ = ["appraisal"]  # the fixture, shared with the page tests


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_archived_appraisal_shows_its_diagram_and_history(
    pages: Pages, appraisal: int, ctx: ServiceContext, clock: ManualClock, lang: str
) -> None:
    clock.advance(timedelta(days=8))
    assert archive_finished(ctx, "system", older_than_days=7).archived == 1
    page = pages.new()
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "auditor")
    if lang == "en":
        page.click("#switch-language")
    page.goto(f"/instances/{appraisal}")
    note = page.locator("#archived-note")
    expect(note).to_contain_text("Archived (" if lang == "en" else "已归档（")
    expect(note).to_contain_text("audit log" if lang == "en" else "审计记录")
    # The diagram is drawn, the path taken marked on it: the scoring, the veto and the grade.
    completed = page.locator("#diagram .djs-element.el-completed")
    expect(completed.first).to_be_visible()
    assert completed.count() >= 4
    for element in ("station_score", "town_score", "veto_decision", "confirm_grade"):
        expect(page.locator(f'#diagram [data-element-id="{element}"].el-completed')).to_have_count(1)
    expect(page.locator("#diagram-error")).to_have_count(0)
    # The data as it was at the end, and the history with the archiving as its last event.
    expect(page.locator("#instance-data")).to_contain_text(VETO_REASON)
    last = page.locator("#instance-history tbody tr").last
    expect(last).to_contain_text("Instance archived" if lang == "en" else "归档流程实例")
    expect(last).to_contain_text("Elements run" if lang == "en" else "走过的环节")
    shot(page, f"instance-archived-{lang}")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(note).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide at 390px"
    shot(page, f"instance-archived-{lang}-phone")
    # A completed step of it still opens, with who completed it (read from its row and the audit log).
    href = page.locator("#instance-tasks a").first.get_attribute("href")
    assert href is not None
    response = page.goto(href)
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("Completed" if lang == "en" else "已完成")
