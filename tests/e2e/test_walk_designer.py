"""Issue 14's "done when", walked in the browser as a process designer: open the appraisal model, add a user
task in the town government's lane with a new form field, set its form and due rule in the properties panel,
check (a planted error shows on its element), try it in the sandbox, publish version 2, see the diff, dry-run
then migrate the running month's instances waiting at the first task, and see the town government's staff
receive the new task on a migrated instance; the instance past the change is reported as refused. Then a
Camunda Modeler file with candidate groups, a form key and an ISO timer is imported with its problems
listed, fixed in the workbench and published. Screenshots: 80-designer-*.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from service.context import ServiceContext
from service.usecases import drafts
from tests.api.appraisal_steps import SANDBOX_MONTH, rubric, seed, tasks_of
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

CAMUNDA = Path(__file__).parents[1] / "fixtures" / "camunda"

# Where a flow's line is at ``at`` of its length, in the page's coordinates (bpmn-js draws it as an SVG path).
FLOW_POINT = """([id, at]) => {
    const path = document.querySelector(`g.djs-connection[data-element-id="${id}"] .djs-visual path`);
    const point = path.getPointAtLength(path.getTotalLength() * at);
    const screen = point.matrixTransform(path.getScreenCTM());
    return {x: screen.x, y: screen.y};
}"""

SHAPE_IDS = (
    "() => Array.from(document.querySelectorAll('#modeler-canvas g.djs-shape'), g => g.dataset.elementId)"
)


def draft_id_of(page: Page) -> int:
    found = re.search(r"/definitions/drafts/(\d+)", page.url)
    assert found is not None, page.url
    return int(found.group(1))


def modeler_ready(page: Page) -> None:
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-ready", "true")


def select_element(page: Page, element_id: str) -> None:
    page.locator(f'#modeler-canvas g.djs-element[data-element-id="{element_id}"]').first.click()
    expect(page.locator("#panel-element-id")).to_contain_text(element_id)


def shape_ids(page: Page) -> set[str]:
    return set(page.evaluate(SHAPE_IDS))


def add_task_on_flow(page: Page, flow_id: str, name: str) -> str:
    """Drop a task from the palette onto a flow (bpmn-js splits the flow), name it, make it a user task;
    the new element's id."""
    before = shape_ids(page)
    # The flow is a straight line: the middle of its box is on it.
    box = page.locator(f'g.djs-connection[data-element-id="{flow_id}"]').bounding_box()
    assert box is not None
    target = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    page.locator('.djs-palette .entry[data-action="create.task"]').click()
    page.mouse.move(target["x"] - 30, target["y"] - 30, steps=5)
    page.mouse.move(target["x"], target["y"], steps=5)
    page.mouse.click(target["x"], target["y"])
    [created] = shape_ids(page) - before
    page.keyboard.type(name)  # a new shape opens its label for typing
    page.keyboard.press("Enter")
    select_element(page, created)
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    [element_id] = shape_ids(page) - before
    expect(page.locator("#panel-element-id")).to_contain_text(element_id)  # the replaced task stays selected
    expect(page.locator("#properties-panel h2")).to_have_text("人工任务")
    expect(page.locator(f'g.djs-shape[data-element-id="{element_id}"]')).to_contain_text(name)
    return element_id


def test_a_designer_changes_the_appraisal_and_moves_the_running_month(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    # The running month: 46 appraisals; one officer's town scoring is already done (past the change).
    seed(ctx)
    users["admin"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    gov = users["gushan_gov"]
    scored = tasks_of(gov, "town_gov:gushan", "town_score")[0]
    past = int(gov.get(f"/api/v1/tasks/{scored['id']}")["instance_id"])
    town_form = {
        "town_items": rubric("town_score.json", "town_items", 0.9),
        "village_committee_opinion": "satisfied",
    }
    gov.post(f"/api/v1/tasks/{scored['id']}/complete", {"data": town_form})

    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal tbody tr").first.locator("button[id^=new-draft-]").click()
    draft_id = draft_id_of(page)

    # A new form with one field, in the form editor, previewed in both languages.
    page.fill("#new-form-name", "town_review")
    page.fill("#new-form-title", "镇政府考核复核")
    page.fill("#new-form-title-en", "Town review of the appraisal")
    page.click("#new-form-submit")
    page.fill("#new-key", "review_note")
    page.fill("#new-title", "复核意见")
    page.fill("#new-title-en", "Review note")
    page.select_option("#new-type", "string")
    page.click("#add-field")
    expect(page.locator("#preview-zh")).to_contain_text("复核意见")
    expect(page.locator("#preview-en")).to_contain_text("Review note")
    page.click("#save-form")
    expect(page.locator("#save-status")).to_contain_text("已保存")
    shot(page, "80-designer-01-form")

    # The model: a user task in the town government's lane after its scoring, set in the panel.
    page.click("#draft-link")
    page.locator("#draft-files a", has_text="appraisal.bpmn").click()
    modeler_ready(page)
    task_id = add_task_on_flow(page, "flow_town_score_to_join", "镇政府考核复核")
    page.fill("#panel-name-en", "Town review of the appraisal")
    page.press("#panel-name-en", "Tab")
    page.select_option("#panel-form", "town_review.json")
    page.select_option("#panel-due-mode", "days")
    page.fill("#panel-due-days", "3")
    page.press("#panel-due-days", "Tab")
    shot(page, "80-designer-02-modeler")

    # Checked as it is, the planted error shows on the new task: it does not say whom it is about.
    page.click("#modeler-check")
    expect(
        page.locator(f'#modeler-canvas g.djs-element.has-problem[data-element-id="{task_id}"]')
    ).to_have_count(1)
    expect(page.locator(f'#modeler-problem-list li[data-element="{task_id}"]').first).to_contain_text(
        "notSubject"
    )
    shot(page, "80-designer-03-problem")
    page.locator(f'#modeler-problem-list li[data-element="{task_id}"] button').first.click()  # shows it
    expect(page.locator("#panel-element-id")).to_contain_text(task_id)
    page.fill("#panel-not-subject", "officer_id")
    page.press("#panel-not-subject", "Tab")
    page.click("#modeler-check")
    expect(page.locator("#modeler-problems-summary")).to_contain_text("检查通过")
    expect(page.locator("#modeler-canvas g.djs-element.has-problem")).to_have_count(0)
    saved = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    assert (
        f"<bpmn:flowNodeRef>{task_id}</bpmn:flowNodeRef>"
        in saved.split('id="lane_town_gov"')[1].split("</bpmn:lane>")[0]
    )

    # The sandbox: both scorings from their forms, then the new task is the town's next step.
    page.click("#back-to-draft")
    page.click("#draft-sandbox")
    page.fill("#start-data", json.dumps(SANDBOX_MONTH, ensure_ascii=False))
    page.click("#sandbox-start-button")
    expect(page.locator("#ready-tasks li")).to_have_count(2)
    town_link = page.locator("#ready-tasks li[data-element=town_score] a")
    if town_link.count():  # the task shown first has no link
        town_link.click()
    expect(page.locator("#task-form")).to_have_attribute("data-element", "town_score")
    for field in page.locator("#group-town_items input[type=number]").all():
        field.fill("1")
    page.select_option("#in-village_committee_opinion", "satisfied")
    page.click("#complete-task")
    expect(page.locator(f"#ready-tasks li[data-element={task_id}]")).to_contain_text("镇政府考核复核")
    expect(page.locator("#run-path")).to_contain_text("镇政府月度考核")
    shot(page, "80-designer-04-sandbox")

    # Publish version 2 and see what changed.
    page.goto(f"/definitions/drafts/{draft_id}")
    page.click("#draft-publish")
    expect(page).to_have_url(re.compile(r"/definitions/diff"))
    expect(page.locator("body")).to_contain_text("镇政府考核复核")
    expect(page.locator(f'g.djs-element[data-element-id="{task_id}"]').first).to_be_visible()
    # The new form field by its titles and type, in words.
    expect(page.locator("tr", has_text="复核意见").first).to_contain_text("文本")
    shot(page, "80-designer-05-diff")

    # Dry run, then migrate the month: those waiting at the town's scoring move, the scored one is refused.
    page.click("#nav-definitions")
    page.click("#to-migrations")
    page.select_option("#in-process", "appraisal")
    page.click("#refresh-choices")
    expect(page.locator("#in-target option:checked")).to_contain_text("第 2 版")
    page.click("#dry-run")
    expect(page.locator("#report-summary")).to_have_text("共 46 个实例：可以迁移 45 个，不能迁移 1 个。")
    expect(page.locator(f"#report-{past} .reasons")).to_contain_text("镇政府月度考核")
    page.click("#migrate")
    expect(page.locator("#report-summary")).to_have_text("共 46 个实例：已迁移 45 个，拒绝 1 个，失败 0 个。")
    expect(page.locator(f"#report-{past} .outcome")).to_have_text("拒绝")
    shot(page, "80-designer-06-migrated")

    # The town's staff score a moved instance and find the new task in their queue.
    moved = next(t for t in tasks_of(gov, "town_gov:gushan", "town_score") if t["instance_id"] != past)
    gov.post(f"/api/v1/tasks/{moved['id']}/complete", {"data": town_form})
    staff = pages.new()
    login(staff, "gushan_gov")
    staff.goto("/queues/town_gov:gushan")
    expect(staff.locator("body")).to_contain_text("镇政府考核复核")
    shot(staff, "80-designer-07-staff-queue")


def test_a_camunda_model_is_imported_fixed_in_the_workbench_and_published(pages: Pages) -> None:
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.click("#import-model")
    page.set_input_files("#import-files", [str(p) for p in sorted(CAMUNDA.iterdir()) if p.is_file()])
    page.click("#import-submit")
    expect(page.locator("#import-success")).to_be_visible()
    mapped = page.locator("#import-mapped")
    expect(mapped).to_contain_text("候选组 公安分局 改为泳道 police_bureau")
    expect(mapped).to_contain_text("表单 embedded:app:forms/station_review.json 改为 formJsonSchemaFilename")
    expect(mapped).to_contain_text('定时器 P7D 改为表达式 "P7D"')
    problems = page.locator("#import-problems")
    expect(problems.locator("tr[data-element=StartEvent_1]").first).to_contain_text("开始事件未声明由谁启动")
    shot(page, "80-designer-08-import")

    # The start event's problem is fixed in the modeler's panel: who starts the process.
    problems.locator("tr[data-element=StartEvent_1] a.element-link").first.click()
    modeler_ready(page)
    expect(page.locator("#panel-element-id")).to_contain_text("StartEvent_1")
    page.select_option("#panel-started-by", "departments")
    page.locator("#panel-start-departments label", has_text="崮山派出所").click()
    page.click("#modeler-check")
    # What the import could not map is left: the escalation (a Camunda assignee's task) has no form yet.
    escalation = page.locator('#modeler-problem-list li[data-element="Task_escalate"]').first
    expect(escalation).to_contain_text("用户任务未指定表单")
    escalation.locator("button").click()
    expect(page.locator("#panel-element-id")).to_contain_text("Task_escalate")
    page.select_option("#panel-form", "approval.json")
    page.click("#modeler-check")
    expect(page.locator("#modeler-problems-summary")).to_contain_text("检查通过")
    shot(page, "80-designer-09-fixed")

    page.click("#back-to-draft")
    page.click("#draft-publish")
    expect(page.locator(".flash")).to_contain_text("第 1 版")
    page.click("#nav-definitions")
    expect(page.locator("body")).to_contain_text("辅警请假审批")
    shot(page, "80-designer-10-published")
