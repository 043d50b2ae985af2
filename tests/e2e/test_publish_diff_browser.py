"""A designer publishes a draft and compares the new version with the one before (issue 14, point 4): the
draft (started through the use case, its files changed by ``drafts.save_file``) is published from its page,
version 2 shows on /definitions, and the comparison marks the added and changed elements on the diagram and
lists them by name, with the changed decision row and form field. Screenshots: 70-publish-*.png."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, DraftModel
from service.usecases import drafts
from service.usecases.workbench import publish
from tests.api import publish_steps
from tests.e2e.conftest import Pages, login, shot


def draft_with_changes(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        first = session.scalars(
            select(DefinitionModel).where(
                DefinitionModel.process_id == "appraisal", DefinitionModel.version == 1
            )
        ).one()
    draft = drafts.create_draft(ctx, "designer", first.id)
    edits = {
        "appraisal.bpmn": lambda text: publish_steps.with_renamed_task(publish_steps.with_review_task(text)),
        "town_score.json": publish_steps.with_retitled_field,
        "appraisal_grade.dmn": publish_steps.with_stricter_excellent,
    }
    for name, edit in edits.items():
        drafts.save_file(
            ctx, "designer", draft.id, name, edit(drafts.draft_file(ctx, "designer", draft.id, name))
        )
    return draft.id


def test_a_designer_publishes_a_draft_and_sees_the_difference(app: Flask, pages: Pages) -> None:
    ctx: ServiceContext = app.extensions["auxpolice"]
    draft_id = draft_with_changes(ctx)
    page = pages.new()
    login(page, "designer")

    page.goto(f"/definitions/drafts/{draft_id}")
    shot(page, "70-publish-draft")
    page.click("#draft-publish")

    # Published: the comparison of version 2 with version 1 is the result page.
    expect(page).to_have_url(re.compile(r"/definitions/diff\?"))
    expect(page.locator(".flash.ok")).to_contain_text("第 2 版")
    expect(page.locator("#diff-summary")).to_contain_text("从第 1 版到第 2 版")
    target = page.locator("#diagram-to")
    expect(target).to_have_attribute("data-ready", "true")
    added = target.locator('.djs-element.diff-added[data-element-id="reward_review"]')
    changed = target.locator('.djs-element.diff-changed[data-element-id="town_score"]')
    expect(added).to_be_visible()
    expect(changed).to_be_visible()
    expect(target.locator(".diff-badge.diff-added")).to_have_text(["新增"])
    # The older diagram does not have the new task; its changed task is marked there too.
    source = page.locator("#diagram-from")
    expect(source).to_have_attribute("data-ready", "true")
    expect(source.locator('[data-element-id="reward_review"]')).to_have_count(0)
    expect(source.locator('.djs-element.diff-changed[data-element-id="town_score"]')).to_be_visible()

    # Listed by name, never by id.
    review = page.locator('#diff-elements tr[data-element-id="reward_review"]')
    expect(review).to_contain_text("新增")
    expect(review).to_contain_text("奖励复核")
    expect(review).to_contain_text("用户任务")
    expect(review).to_contain_text("公安分局")
    renamed = page.locator('#diff-elements tr[data-element-id="town_score"]')
    expect(renamed).to_contain_text("镇政府月度考核")
    expect(renamed).to_contain_text("镇政府月度评分")
    rule = page.locator(
        '#decision-appraisal_grade tr[data-rule-id="rule_no_veto_excellent"] td.diff-cell-changed'
    )
    expect(rule).to_contain_text(">= 90")
    expect(rule).to_contain_text(">= 92")
    field = page.locator('.diff-fields tr[data-path="town_items.publicity"]')
    expect(field).to_contain_text("宣传工作")
    expect(field).to_contain_text("防范宣传")
    shot(page, "70-publish-diff")

    # Version 2 is on the definitions page, with its link to the comparison.
    page.goto("/definitions")
    versions = page.locator("#process-appraisal tbody tr")
    expect(versions.first).to_contain_text("第 2 版")
    expect(versions.first).to_contain_text("吴工")
    shot(page, "70-publish-definitions")
    versions.first.locator("a.compare-previous").click()
    expect(page.locator("#diff-elements")).to_contain_text("奖励复核")

    # The same comparison in English names the elements and the changes in English.
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    review = page.locator('#diff-elements tr[data-element-id="reward_review"]')
    expect(review).to_contain_text("Reward review")
    expect(review).to_contain_text("Added")
    expect(review).to_contain_text("User task")
    expect(page.locator("#diagram-to .diff-badge.diff-added")).to_have_text(["Added"])
    shot(page, "70-publish-diff-en")
    # On a phone the page does not scroll sideways: the tables scroll in their own boxes.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "70-publish-diff-phone")

    # Staff of a department do not read process definitions, nor their comparison.
    clerk = pages.new()
    login(clerk, "bureau")
    clerk.goto(page.url)
    expect(clerk.locator("#diff-elements")).to_have_count(0)
    expect(clerk.locator("body")).to_contain_text("只有流程设计人员、系统管理员和审计人员可以查看流程定义")


def test_a_draft_with_an_error_is_not_published_in_the_browser(app: Flask, pages: Pages) -> None:
    ctx: ServiceContext = app.extensions["auxpolice"]
    draft_id = draft_with_changes(ctx)
    model = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    drafts.save_file(
        ctx,
        "designer",
        draft_id,
        "appraisal.bpmn",
        model.replace('value="town_score.json"', 'value="nope.json"', 1),
    )
    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{draft_id}")
    page.click("#draft-publish")
    expect(page.locator("#publish-refused")).to_contain_text("草稿还有")
    expect(page.locator('#publish-problems li[data-element-id="town_score"]')).to_contain_text("nope.json")
    shot(page, "70-publish-refused")
    page.click("#back-to-draft")
    expect(page).to_have_url(re.compile(rf"/definitions/drafts/{draft_id}$"))


def test_publishing_over_a_newer_version_asks_for_confirmation(app: Flask, pages: Pages) -> None:
    ctx: ServiceContext = app.extensions["auxpolice"]
    mine = draft_with_changes(ctx)
    with ctx.database.reading() as session:
        base = session.get(DraftModel, mine).base_definition_id
    other = drafts.create_draft(ctx, "designer", base)
    drafts.save_file(
        ctx,
        "designer",
        other.id,
        "town_score.json",
        publish_steps.with_retitled_field(drafts.draft_file(ctx, "designer", other.id, "town_score.json")),
    )
    publish.publish_draft(ctx, "designer", other.id)  # version 2, published after ``mine`` was started

    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{mine}")
    page.click("#draft-publish")
    expect(page.locator("#publish-refused")).to_contain_text("草稿基于第 1 版")
    expect(page.locator("#publish-refused")).to_contain_text("第 2 版")
    expect(page.locator("#publish-refused")).to_contain_text("吴工")
    shot(page, "70-publish-confirm")
    page.click("#compare-base")
    expect(page.locator("#diff-summary")).to_contain_text("从第 1 版到第 2 版")
    page.go_back()
    page.click("#confirm-publish")
    expect(page.locator(".flash.ok")).to_contain_text("第 3 版")
    expect(page.locator("#diff-summary")).to_contain_text("从第 2 版到第 3 版")

    # The version page links to its comparison with the version before.
    page.click("text=月度考核 第 3 版")
    page.click("#compare-previous")
    expect(page.locator("#diff-summary")).to_contain_text("从第 2 版到第 3 版")
    expect(page.locator('#diff-elements tr[data-element-id="reward_review"]')).to_contain_text("新增")
