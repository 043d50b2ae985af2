"""A designer models in the browser (issue 14, points 1-2): starts a draft from the appraisal model's version
page, opens its BPMN in the bpmn-js Modeler, sets a user task's form and due days in our properties panel,
saves, reloads and finds them kept (in the draft's file too), then plants an error through the panel and
checks: the problem is drawn on its element (marker and text) and listed, in Chinese and in English.
Screenshots: 60-modeler-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import DefinitionModel
from service.usecases import drafts
from tests.e2e.conftest import Pages, login, shot


def task_xml(xml: str, task_id: str) -> str:
    found = re.search(rf'<bpmn:userTask id="{task_id}".*?</bpmn:userTask>', xml, re.S)
    assert found is not None, task_id
    return found.group(0)


def fits_a_phone(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    shot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def open_modeler(page: Page) -> None:
    expect(page.locator("#modeler-canvas")).to_have_attribute("data-ready", "true")


def select_element(page: Page, element_id: str) -> None:
    shape = page.locator(f'#modeler-canvas g.djs-element[data-element-id="{element_id}"]').first
    # A lane is clicked on its label strip at the left: its middle is usually another element.
    shape.click(position={"x": 4, "y": 12} if element_id.startswith("lane_") else None)
    expect(page.locator("#panel-element-id")).to_contain_text(element_id)


def test_a_designer_edits_saves_and_checks_a_model(pages: Pages, ctx: ServiceContext) -> None:
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal tbody tr").first.locator("a").first.click()
    page.locator("button[id^=new-draft-]").click()
    expect(page.locator(".flash")).to_contain_text("已从该版本新建草稿")
    shot(page, "60-modeler-draft-zh")
    fits_a_phone(page, "60-modeler-draft-phone-zh")
    draft_id = int(re.search(r"/definitions/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]

    page.locator("#draft-files a", has_text="appraisal.bpmn").click()
    open_modeler(page)
    expect(page.locator("#panel-empty")).to_be_visible()
    select_element(page, "town_score")
    expect(page.locator("#properties-panel h2")).to_have_text("人工任务")
    expect(page.locator("#panel-form")).to_have_value("town_score.json")
    # Lanes by department name: the lane of the police station is the template of its kind.
    select_element(page, "lane_police_station")
    expect(page.locator("#panel-department option:checked")).to_have_text("派出所（按所在镇）")

    select_element(page, "town_score")
    page.select_option("#panel-form", "station_score.json")
    page.select_option("#panel-due-mode", "days")
    page.fill("#panel-due-days", "5")
    page.press("#panel-due-days", "Tab")
    expect(page.locator("#modeler-status")).to_have_text("有未保存的修改")
    shot(page, "60-modeler-panel-zh")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")

    saved = task_xml(drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn"), "town_score")
    assert 'name="formJsonSchemaFilename" value="station_score.json"' in saved, saved
    assert 'name="dueInDays" value="5"' in saved, saved
    assert 'name="notSubject" value="officer_id"' in saved  # what the panel did not touch is kept

    page.reload()
    open_modeler(page)
    select_element(page, "town_score")
    expect(page.locator("#panel-form")).to_have_value("station_score.json")
    expect(page.locator("#panel-due-mode")).to_have_value("days")
    expect(page.locator("#panel-due-days")).to_have_value("5")

    # The planted error: the station's scoring task no longer says its officer may not score himself.
    select_element(page, "station_score")
    expect(page.locator("#panel-not-subject")).to_have_value("officer_id")
    page.fill("#panel-not-subject", "")
    page.press("#panel-not-subject", "Tab")
    page.click("#modeler-check")  # saves first, then checks
    expect(page.locator("#modeler-problems")).to_be_visible()
    marked = page.locator('#modeler-canvas g.djs-element.has-problem[data-element-id="station_score"]')
    expect(marked).to_have_count(1)
    overlay = page.locator('[data-container-id="station_score"] .problem-overlay')
    expect(overlay.first).to_contain_text("notSubject")
    assert overlay.first.get_attribute("title")
    listed = page.locator('#modeler-problem-list li[data-element="station_score"]')
    expect(listed.first.locator(".zh")).to_be_visible()
    expect(listed.first.locator(".en")).to_contain_text("notSubject")
    assert 'name="notSubject"' not in task_xml(
        drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn"), "station_score"
    )
    shot(page, "60-modeler-problems-zh")

    # The draft's page lists the same problem and links it to its element in the modeler.
    page.click("#back-to-draft")
    page.click("#draft-check")
    expect(page.locator("#check-failed")).to_be_visible()
    page.locator('#problems li[data-element="station_score"] a.problem-link').first.click()
    open_modeler(page)
    expect(page.locator("#panel-element-id")).to_contain_text("station_score")

    page.click("#switch-language")
    open_modeler(page)
    select_element(page, "town_score")
    expect(page.locator("#properties-panel h2")).to_have_text("User task")
    expect(page.locator("label[for=panel-form]")).to_have_text("Form")
    page.click("#modeler-check")
    expect(
        page.locator('#modeler-canvas g.djs-element.has-problem[data-element-id="station_score"]')
    ).to_have_count(1)
    expect(page.locator("#modeler-problems-summary")).to_contain_text("Problems found")
    shot(page, "60-modeler-problems-en")

    # Deleting asks first: dismissed, the draft stays; accepted, it is gone.
    page.click("#back-to-draft")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#draft-delete")
    expect(page.locator("#draft-files")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#draft-delete")
    expect(page.locator(".flash")).to_have_text("Draft deleted")
    expect(page.locator("#no-drafts")).to_be_visible()


def element_xml(xml: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<bpmn:{tag} id="{element_id}".*?</bpmn:{tag}>', xml, re.S)
    assert found is not None, element_id
    return found.group(0)


def test_the_panel_writes_each_extension_and_keeps_the_rest(pages: Pages, ctx: ServiceContext) -> None:
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal tbody tr").first.locator("button[id^=new-draft-]").click()
    draft_id = int(re.search(r"/definitions/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    published = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    page.locator("#draft-files a", has_text="appraisal.bpmn").click()
    open_modeler(page)

    # Saved untouched through the modeler, the model still checks clean: every extension element came back.
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    page.click("#modeler-check")
    expect(page.locator("#modeler-problems-summary")).to_have_text("检查通过：没有发现问题。")
    resaved = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    for fragment in re.findall(r"<spiffworkflow:\w+[^>]*>", published):
        assert fragment.replace(" />", "/>") in resaved.replace(" />", "/>"), fragment

    badge = page.locator('[data-container-id="lane_police_bureau"] .lane-name')
    expect(badge).to_have_text("公安分局")  # lanes by department name on the canvas
    select_element(page, "lane_police_bureau")
    page.select_option("#panel-department", label="财政金融局")
    expect(badge).to_have_text("财政金融局")

    select_element(page, "record_veto_task")
    expect(page.locator("#panel-operator")).to_have_value("record_veto")
    page.fill("#panel-result-variable", "veto_saved")
    page.press("#panel-result-variable", "Tab")
    page.click("#panel-param-add")
    page.fill("#panel-param-value-0", "officer_id")
    page.press("#panel-param-value-0", "Tab")

    select_element(page, "town_overdue")
    expect(page.locator("#panel-timer-type")).to_have_value("timeDate")
    expect(page.locator("#panel-timer-expression")).to_have_value("due_at")
    page.check("#panel-may-end-early")

    select_element(page, "appraisal_start")
    expect(page.locator("#panel-started-by")).to_have_value("usecase")
    expect(page.locator("#panel-use-case")).to_have_value("start_month")
    page.select_option("#panel-started-by", "heads")
    page.locator("#panel-start-departments label", has_text="公安分局").click()
    page.select_option("#panel-start-form", "grade_confirmation.json")

    select_element(page, "town_escalation")
    expect(page.locator("#panel-moves-task")).to_have_value("town_score")
    expect(page.locator("#panel-moves-field")).to_have_value("new_due_date")
    page.select_option("#panel-moves-task", "station_score")  # the form's one date field is taken
    expect(page.locator("#panel-moves-field")).to_have_value("new_due_date")

    select_element(page, "suggest_grade")
    expect(page.locator("#panel-decision")).to_have_value("appraisal_grade")
    page.select_option("#panel-decision", "appraisal_consequences")
    select_element(page, "compute_totals")
    expect(page.locator("#panel-script")).to_have_value(re.compile(r"^station_total = sum"))
    page.fill("#panel-script", "station_total = sum(station_items.values())\ntown_total = 0")
    page.press("#panel-script", "Tab")

    select_element(page, "confirm_grade")
    expect(page.locator("#panel-default-field-0")).to_have_value("grade")
    expect(page.locator("#panel-default-key-0")).to_have_value("suggested_grade")
    page.click("#panel-default-add")
    page.select_option("#panel-default-field-1", "notes")
    page.fill("#panel-default-key-1", "comment")
    page.press("#panel-default-key-1", "Tab")
    page.locator("#panel-grounds label", has_text="镇政府评分").click()
    page.check("#panel-head-only")
    shot(page, "60-modeler-panel-defaults-zh")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")

    xml = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    assert re.search(r'<bpmn:lane id="lane_police_bureau" name="finance"', xml)
    veto = element_xml(xml, "serviceTask", "record_veto_task")
    assert 'id="record_veto" resultVariable="veto_saved"' in veto, veto
    assert '<spiffworkflow:parameter id="param1" type="any" value="officer_id"' in veto, veto
    overdue = element_xml(xml, "boundaryEvent", "town_overdue")
    assert 'name="mayEndEarly" value="true"' in overdue and ">due_at</bpmn:timeDate>" in overdue, overdue
    start = element_xml(xml, "startEvent", "appraisal_start")
    assert 'name="startedBy" value="heads:police_bureau"' in start, start
    assert 'name="formJsonSchemaFilename" value="grade_confirmation.json"' in start, start
    confirm = element_xml(xml, "userTask", "confirm_grade")
    assert 'name="formDefaults" value="grade: suggested_grade, notes: comment"' in confirm, confirm
    assert 'name="grounds" value="scoring_subject, grade_suggestion, town_scores"' in confirm, confirm
    assert 'name="headOnly" value="true"' in confirm, confirm
    assert 'name="notSubject" value="officer_id"' in confirm  # untouched keys stay
    decision = element_xml(xml, "businessRuleTask", "suggest_grade")
    assert (
        "<spiffworkflow:calledDecisionId>appraisal_consequences</spiffworkflow:calledDecisionId>" in decision
    )
    script = element_xml(xml, "scriptTask", "compute_totals")
    assert "town_total = 0</bpmn:script>" in script and 'scriptFormat="python"' in script, script
    escalation = element_xml(xml, "userTask", "town_escalation")
    assert 'name="movesDueDate" value="station_score: new_due_date"' in escalation, escalation

    page.reload()
    open_modeler(page)
    select_element(page, "appraisal_start")
    expect(page.locator("#panel-started-by")).to_have_value("heads")
    expect(page.locator("#panel-start-departments input:checked")).to_have_count(1)

    # A flow out of a gateway, opened by its id as the draft page's links do: its condition.
    page.goto(f"/definitions/drafts/{draft_id}/bpmn/appraisal.bpmn?element=flow_dismissal_review_needed")
    open_modeler(page)
    expect(page.locator("#panel-element-id")).to_contain_text("flow_dismissal_review_needed")
    expect(page.locator("#panel-condition")).to_have_value('"dismissal_review" in action')
    page.fill("#panel-condition", '"dismissal_review" in action and not vetoed')
    page.press("#panel-condition", "Tab")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    flow = re.search(
        r'<bpmn:sequenceFlow id="flow_dismissal_review_needed".*?</bpmn:sequenceFlow>',
        drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn"),
        re.S,
    )
    assert flow is not None and "in action and not vetoed</bpmn:conditionExpression>" in flow.group(0)


def test_a_new_user_task_gets_its_form_and_due_rule(pages: Pages, ctx: ServiceContext) -> None:
    """The issue's path: a user task added in the town government's lane, set up in the panel."""
    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.locator("#process-appraisal tbody tr").first.locator("button[id^=new-draft-]").click()
    draft_id = int(re.search(r"/definitions/drafts/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.locator("#draft-files a", has_text="appraisal.bpmn").click()
    open_modeler(page)

    select_element(page, "town_score")
    page.click('.djs-context-pad [data-action="append.append-task"]')
    page.keyboard.type("村委会意见")  # bpmn-js opens the new task's name for typing
    page.keyboard.press("Enter")  # done: the new task stays selected
    expect(page.locator("#panel-name-en")).to_be_visible()
    page.click('.djs-context-pad [data-action="replace"]')
    page.click('.djs-popup [data-id="replace-with-user-task"]')
    expect(page.locator("#properties-panel h2")).to_have_text("人工任务")
    new_id = page.locator("#panel-element-id").inner_text().split(":")[-1].strip()
    page.fill("#panel-name-en", "Village committee opinion")
    page.press("#panel-name-en", "Tab")
    page.select_option("#panel-form", "veto.json")
    page.select_option("#panel-due-mode", "days")
    page.fill("#panel-due-days", "3")
    page.press("#panel-due-days", "Tab")
    page.fill("#panel-not-subject", "officer_id")
    page.press("#panel-not-subject", "Tab")
    shot(page, "60-modeler-new-task-zh")
    page.click("#modeler-save")
    expect(page.locator("#modeler-status")).to_contain_text("已保存")

    xml = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    task = element_xml(xml, "userTask", new_id)
    assert 'name="村委会意见"' in task and 'value="Village committee opinion"' in task, task
    assert 'name="formJsonSchemaFilename" value="veto.json"' in task and 'name="dueInDays" value="3"' in task
    lane = re.search(r'<bpmn:lane id="lane_town_gov".*?</bpmn:lane>', xml, re.S)
    assert lane is not None and f"<bpmn:flowNodeRef>{new_id}</bpmn:flowNodeRef>" in lane.group(0)


def test_an_element_the_modeler_cannot_read_is_not_lost_silently(pages: Pages, ctx: ServiceContext) -> None:
    """A spiffworkflow element the modeler does not know would be dropped by saving: the page says so, and
    saving asks first (cancelled, nothing is written)."""
    with ctx.database.reading() as session:
        definition_id = session.scalar(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "appraisal")
        )
    assert definition_id is not None
    draft = drafts.create_draft(ctx, "designer", definition_id)
    model = drafts.draft_file(ctx, "designer", draft.id, "appraisal.bpmn")
    odd = model.replace(
        "<spiffworkflow:properties>", "<spiffworkflow:futureThing />\n<spiffworkflow:properties>", 1
    )
    drafts.save_file(ctx, "designer", draft.id, "appraisal.bpmn", odd)

    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{draft.id}/bpmn/appraisal.bpmn")
    open_modeler(page)
    expect(page.locator("#modeler-status")).to_contain_text("流程图中有元素无法识别")
    expect(page.locator("#modeler-status")).to_contain_text("futureThing")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#modeler-save")
    # Saving would have said 正在保存 at once (before its request): the warning is still there instead.
    expect(page.locator("#modeler-status")).to_contain_text("futureThing")
    assert drafts.draft_file(ctx, "designer", draft.id, "appraisal.bpmn") == odd
