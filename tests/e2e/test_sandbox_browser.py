"""A designer tries the appraisal model's draft in the sandbox (issue 14, point 3): starts a run with sample
start data, completes the first tasks from their real forms (a refused form says which field), skips the
scoring deadline on the run's own clock, sees the path on the diagram and the steps by name, saves the run
as a scenario and replays it, in Chinese and in English. Nothing reaches anyone's task list.
Screenshots: 60-sandbox-*.png."""

from __future__ import annotations

import json
import re

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from service.persistence.models import HumanTaskModel, InstanceModel
from tests.api.appraisal_steps import SANDBOX_MONTH
from tests.e2e.conftest import Pages, login, shot


def live_rows(app: Flask) -> tuple[int, int]:
    with app.extensions["auxpolice"].database.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(InstanceModel)) or 0,
            session.scalar(select(func.count()).select_from(HumanTaskModel)) or 0,
        )


def fill_items(page: Page, group: str, value: str) -> None:
    for field in page.locator(f"#group-{group} input[type=number]").all():
        field.fill(value)


def open_task(page: Page, element: str) -> None:
    link = page.locator(f"#ready-tasks li[data-element={element}] a")
    if link.count():
        link.click()
    expect(page.locator("#task-form")).to_have_attribute("data-element", element)


def test_a_designer_tries_the_appraisal_draft(app: Flask, pages: Pages) -> None:
    before = live_rows(app)
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal button[id^=new-draft-]").first.click()
    expect(page.locator("#draft-actions")).to_be_visible()
    page.click("#draft-sandbox")
    expect(page.locator("h1")).to_contain_text("试运行")

    page.fill("#start-data", json.dumps(SANDBOX_MONTH, ensure_ascii=False, indent=2))
    shot(page, "60-sandbox-start-zh")
    page.click("#sandbox-start-button")
    expect(page.locator(".flash.ok")).to_contain_text("已开始试运行")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator("#ready-tasks li")).to_have_count(2)
    expect(page.locator("#ready-tasks")).to_contain_text("派出所日常管理考核")

    # The station's form, as its task page renders it; an empty form is refused naming a field.
    open_task(page, "station_score")
    page.click("#complete-task")
    expect(page.locator("#sandbox-message")).to_be_visible()
    expect(page.locator("#task-form .field.has-error").first).to_be_visible()
    shot(page, "60-sandbox-refused-zh")
    fill_items(page, "station_items", "5")
    page.click("#complete-task")
    expect(page.locator(".flash.ok")).to_contain_text("派出所日常管理考核")

    open_task(page, "town_score")
    fill_items(page, "town_items", "5")
    page.select_option("#in-village_committee_opinion", "satisfied")
    page.click("#complete-task")
    open_task(page, "veto_decision")
    page.select_option("#in-veto", "false")
    page.click("#complete-task")
    expect(page.locator("#ready-tasks")).to_contain_text("确定考核等次及晋升等级")

    # The path on the diagram and the steps by name: the decision's grade by its label.
    markers = page.locator("#diagram .djs-element.el-completed")
    expect(markers.first).to_be_visible()
    assert page.locator('#diagram [data-element-id="suggest_grade"].el-completed').count() == 1
    decision = page.locator("#steps tr[data-element=suggest_grade]")
    expect(decision).to_contain_text("决策")
    expect(decision).to_contain_text(re.compile("称职|优秀"))
    expect(page.locator("#steps tr[data-element=station_score]")).to_contain_text("流程设计 吴工")
    expect(page.locator("#run-path")).to_contain_text("一票否决决定")
    shot(page, "60-sandbox-run-zh")

    page.fill("#scenario-name", "正常打分：不否决")
    page.click("#save-scenario-button")
    expect(page.locator(".flash.ok")).to_contain_text("正常打分：不否决")
    expect(page.locator("#scenario-list")).to_contain_text("正常打分：不否决")
    page.click("#replay-scenarios")
    result = page.locator("#scenario-list tr", has_text="正常打分：不否决")
    expect(result).to_have_attribute("data-passed", "true")
    expect(result.locator(".replay-result")).to_contain_text("通过")
    shot(page, "60-sandbox-replayed-zh")

    # "Skip the wait" on a fresh run: the escalations open, on the run's own clock.
    page.fill("#start-data", json.dumps(SANDBOX_MONTH, ensure_ascii=False))
    page.click("#sandbox-start-button")
    expect(page.locator("#timers li")).to_have_count(2)
    page.locator("#timers .skip-wait").first.click()
    expect(page.locator("#ready-tasks")).to_contain_text("督办")
    expect(page.locator("#run-status")).to_contain_text("2099")

    # In English, the same page by English names.
    page.click("#switch-language")
    expect(page.locator("h1")).to_contain_text("Dry run")
    expect(page.locator("#ready-tasks")).to_contain_text("Follow up overdue")
    expect(page.locator("#steps tr[data-element=station_overdue]")).to_contain_text("Timer")
    split = page.locator("#steps tr[data-element=scoring_split]")
    expect(split).to_contain_text("Station and town score separately")
    expect(split).to_contain_text("Police station appraisal")
    shot(page, "60-sandbox-run-en")
    assert live_rows(app) == before  # no instance, no task in anyone's list
