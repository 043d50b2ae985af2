"""A designer imports a Camunda Modeler file (issue 14, point 6): uploads the model, its decision table and
forms on /definitions/import, sees in Chinese what was mapped (candidate groups to lanes, form keys, the
ISO timer) and the problems left, each linked to its element in the draft's modeler, opens the draft and
sees the lanes drawn; then the same in English. Screenshots: 66-import-*.png."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.usecases import drafts
from tests.e2e.conftest import Pages, login, shot

FIXTURE = Path(__file__).parents[1] / "fixtures" / "camunda"


def upload(page: Page) -> int:
    page.set_input_files("#import-files", [str(p) for p in sorted(FIXTURE.iterdir()) if p.is_file()])
    page.click("#import-submit")
    expect(page.locator("#import-success")).to_be_visible()
    href = page.locator("#open-draft").get_attribute("href") or ""
    found = re.search(r"/definitions/drafts/(\d+)$", href)
    assert found is not None, href
    return int(found.group(1))


def test_a_designer_imports_a_camunda_model(pages: Pages, ctx: ServiceContext) -> None:
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.click("#import-model")
    expect(page.locator("h1")).to_have_text("导入模型")
    shot(page, "66-import-form-zh")

    draft_id = upload(page)
    expect(page.locator("#import-success")).to_contain_text("辅警请假审批")
    mapped = page.locator("#import-mapped")
    expect(mapped.locator("tr[data-element=Task_bureau_approve]").first).to_contain_text(
        "候选组 公安分局 改为泳道 police_bureau"
    )
    expect(mapped.locator("tr[data-element=Task_station_review]").first).to_contain_text("崮山派出所")
    expect(mapped).to_contain_text("表单 embedded:app:forms/station_review.json 改为 formJsonSchemaFilename")
    expect(mapped.locator("tr[data-element=Event_week]")).to_contain_text('定时器 P7D 改为表达式 "P7D"')
    expect(mapped.locator("tr[data-element=Task_hand_over]")).to_contain_text("手工任务改为用户任务")

    problems = page.locator("#import-problems")
    start = problems.locator("tr[data-element=StartEvent_1]").first
    expect(start.locator("a.element-link")).to_have_text("提交请假申请")  # the element by its name
    expect(start).to_contain_text("开始事件未声明由谁启动")
    expect(start).to_contain_text("departments:police_station:gushan")
    expect(problems.locator("tr[data-element=Task_escalate]", has_text="assignee")).to_contain_text(
        "任务派给部门而非个人"
    )
    expect(problems.locator("tr[data-element=Task_escalate]", has_text="草稿检查")).to_have_count(1)
    link = start.locator("a.element-link")
    expect(link).to_have_attribute(
        "href", f"/definitions/drafts/{draft_id}/bpmn/auxiliary_leave.bpmn?element=StartEvent_1"
    )
    shot(page, "66-import-result-zh")

    # The draft holds the mapped model: lanes named by department codes, nothing of Camunda left.
    model = drafts.draft_file(ctx, "designer", draft_id, "auxiliary_leave.bpmn")
    assert 'name="police_station:gushan"' in model and "camunda:" not in model

    # Each problem opens its element in the draft's modeler, where the lanes made from the groups are drawn.
    page.click("#open-draft")
    expect(page).to_have_url(re.compile(rf"/definitions/drafts/{draft_id}$"))
    expect(page.locator("#draft-files")).to_contain_text("auxiliary_leave.bpmn")
    expect(page.locator("#draft-files")).to_contain_text("confirm_done.json")
    shot(page, "66-import-draft-zh")
    page.go_back()
    link.click()
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-ready", "true")
    for lane in ("Lane_police_bureau", "Lane_police_station_gushan"):
        expect(page.locator(f'#modeler-canvas g.djs-element[data-element-id="{lane}"]').first).to_be_visible()
    expect(page.locator("#panel-element-id")).to_contain_text("StartEvent_1")
    shot(page, "66-import-modeler-zh")

    # Fixed in the workbench: who starts it (the station, with the start form mapped from the form key),
    # and a form for the escalation task; then checked and published as version 1.
    page.select_option("#panel-started-by", "departments")
    page.locator("#panel-start-departments label", has_text="崮山派出所").click()
    expect(page.locator("#panel-start-form")).to_have_value("leave_request.json")
    page.locator('#modeler-canvas g.djs-element[data-element-id="Task_escalate"]').first.click()
    expect(page.locator("#panel-element-id")).to_contain_text("Task_escalate")
    page.select_option("#panel-form", "confirm_done.json")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    page.goto(f"/definitions/drafts/{draft_id}")
    page.click("#draft-check")
    expect(page.locator("#check-ok")).to_be_visible()
    shot(page, "66-import-checked-zh")
    page.click("#draft-publish")
    expect(page.locator(".flash.ok")).to_contain_text("第 1 版")
    shot(page, "66-import-published-zh")

    # In English: the same upload reads in English, problems and all.
    page.goto("/definitions/import")
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Import a model")
    upload(page)
    expect(page.locator("#import-problems tr[data-element=StartEvent_1]").first).to_contain_text(
        "the start event does not say who starts the process"
    )
    expect(page.locator("#import-mapped")).to_contain_text(
        "candidate group 公安分局 became the lane police_bureau"
    )
    shot(page, "66-import-result-en")


def test_a_file_that_is_not_xml_is_refused_naming_its_line(pages: Pages, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text('<?xml version="1.0"?>\n<bpmn:definitions>\n  <oops>\n</bpmn:definitions>\n')
    page = pages.new()
    login(page, "designer")
    page.goto("/definitions/import")
    page.set_input_files("#import-files", str(broken))
    page.click("#import-submit")
    expect(page.locator("#import-message")).to_contain_text("模型无法读取，未导入")
    expect(page.locator("#import-reasons")).to_contain_text("broken.bpmn:")
    expect(page.locator("#import-reasons")).to_contain_text("不是格式正确的 XML")
    shot(page, "66-import-refused-zh")


def test_only_designers_import(pages: Pages) -> None:
    page = pages.new()
    login(page, "auditor")
    response = page.goto("/definitions/import")
    assert response is not None and response.status == 403
    expect(page.locator("body")).to_contain_text("只有流程设计人员可以导入模型")
