"""Migrating a running month onto a new version of the appraisal (issue 14, point 5), in a browser, as a
designer: version 2 puts a town review (镇政府考核复核) after the town government's scoring; a dry run from
the page shows the month's instances still waiting at the town scoring as movable and the one whose town
scoring is done as refused, with the reason; the migration reports them, the town government then receives
the new task on a moved instance, and one instance is moved back. Chinese and English.
Screenshots: 50-migration-*.png."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import BundleModel, DefinitionModel
from tests.api.appraisal_steps import rubric, seed, tasks_of
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot
from tests.e2e.walk_steps import codes_on, raw_codes, switch_language

REVIEW_FORM = {
    "type": "object",
    "title": "镇政府考核复核",
    "x-title-en": "Town review of the appraisal",
    "properties": {
        "review_note": {"type": "string", "title": "复核意见", "x-title-en": "Review note", "maxLength": 500}
    },
}
REVIEW_TASK = """<bpmn:userTask id="town_review" name="镇政府考核复核">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="town_review.json" />
          <spiffworkflow:property name="nameEn" value="Town review of the appraisal" />
          <spiffworkflow:property name="notSubject" value="officer_id" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_town_score_to_review</bpmn:incoming>
      <bpmn:outgoing>flow_town_score_to_join</bpmn:outgoing>
    </bpmn:userTask>
    """


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def version_two(ctx: ServiceContext) -> dict[str, str]:
    """The deployed appraisal bundle with a user task 镇政府考核复核 between 镇政府月度考核 and the join."""
    with ctx.database.reading() as session:
        sha = session.scalar(
            select(DefinitionModel.bundle_sha256)
            .where(DefinitionModel.process_id == "appraisal")
            .order_by(DefinitionModel.version.desc())
        )
        bundle = session.get(BundleModel, sha)
        assert bundle is not None
        files = dict(bundle.files)
    bpmn = files["appraisal.bpmn"]
    bpmn = replaced(
        bpmn,
        "<bpmn:flowNodeRef>town_score</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>town_score</bpmn:flowNodeRef><bpmn:flowNodeRef>town_review</bpmn:flowNodeRef>",
    )
    bpmn = replaced(
        bpmn,
        "<bpmn:outgoing>flow_town_score_to_join</bpmn:outgoing>\n    </bpmn:userTask>",
        "<bpmn:outgoing>flow_town_score_to_review</bpmn:outgoing>\n    </bpmn:userTask>",
    )
    bpmn = replaced(
        bpmn,
        '<bpmn:sequenceFlow id="flow_town_score_to_join" sourceRef="town_score" targetRef="scoring_join" />',
        '<bpmn:sequenceFlow id="flow_town_score_to_review" sourceRef="town_score" targetRef="town_review" />'
        '<bpmn:sequenceFlow id="flow_town_score_to_join" sourceRef="town_review" targetRef="scoring_join" />',
    )
    bpmn = replaced(bpmn, '<bpmn:userTask id="town_score"', REVIEW_TASK + '<bpmn:userTask id="town_score"')
    return {**files, "appraisal.bpmn": bpmn, "town_review.json": json.dumps(REVIEW_FORM, ensure_ascii=False)}


# The report gives each reason in Chinese, then in English (lang="en"), on both pages: on the Chinese page
# the English line's words ("Town government appraisal") are no codes, so they are left out of the check.
CHINESE_TEXT = """() => { const body = document.body.cloneNode(true);
    body.querySelectorAll('[lang=en]').forEach(e => e.remove()); return body.textContent; }"""


# What reaches past 390 px, for the failure message (a wide table scrolls inside its own box: no fault).
WIDER_THAN_A_PHONE = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > 390).slice(0, 5)
    .map(e => `${e.tagName}#${e.id}.${e.className}`)"""


def fits_a_phone(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    wider = page.evaluate(WIDER_THAN_A_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, (name, wider)
    shot(page, f"50-migration-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def seen(page: Page, name: str, lang: str) -> None:
    """A screenshot; the page shows names, never codes."""
    shot(page, f"50-migration-{name}-{lang}")
    if lang == "en":
        assert codes_on(page, "en") == [], name
    else:
        assert raw_codes(page.evaluate(CHINESE_TEXT), "zh-CN") == [], name


def test_a_designer_migrates_a_running_month_and_moves_one_back(
    pages: Pages, users: dict[str, User], ctx: ServiceContext
) -> None:
    seed(ctx)
    users["admin"].post("/api/v1/appraisals/months", {"month": "2026-11"}, expect=201)
    gov = users["gushan_gov"]
    # One officer's town scoring is done: that instance is past the change.
    scored = tasks_of(gov, "town_gov:gushan", "town_score")[0]
    past = int(gov.get(f"/api/v1/tasks/{scored['id']}")["instance_id"])
    gov.post(
        f"/api/v1/tasks/{scored['id']}/complete",
        {
            "data": {
                "town_items": rubric("town_score.json", "town_items", 0.9),
                "village_committee_opinion": "satisfied",
            }
        },
    )
    [v2] = users["designer"].post("/api/v1/definitions", {"files": version_two(ctx)}, expect=201)
    assert v2["version"] == 2

    page = pages.new()
    login(page, "designer")
    page.click("#nav-definitions")
    page.click("#to-migrations")
    page.select_option("#in-process", "appraisal")
    page.click("#refresh-choices")
    expect(page.locator("#in-source option:checked")).to_contain_text("第 1 版")
    expect(page.locator("#in-target option:checked")).to_contain_text("第 2 版")
    expect(page.locator("#in-task")).to_contain_text("镇政府月度考核（45 个等待）")
    seen(page, "01-form", "zh")

    page.click("#dry-run")
    expect(page.locator("#report-summary")).to_have_text("共 46 个实例：可以迁移 45 个，不能迁移 1 个。")
    refused = page.locator(f"#report-{past}")
    expect(refused.locator(".outcome")).to_have_text("不能")
    # The reason in Chinese, then in English, by the element's name.
    expect(refused.locator(".reasons")).to_contain_text("环节“镇政府月度考核”已完成，在目标版本中已被修改")
    expect(refused.locator(".reasons")).to_contain_text(
        "element Town government appraisal is completed and is changed in the target version"
    )
    movable = page.locator("#report-table tr.movable").first
    expect(movable.locator(".added")).to_contain_text("镇政府考核复核")
    expect(movable.locator(".changed")).to_contain_text("镇政府月度考核")
    expect(movable.locator(".waiting")).to_contain_text("派出所日常管理考核")
    seen(page, "02-dry-run", "zh")

    page.click("#migrate")
    expect(page.locator("#report-summary")).to_have_text("共 46 个实例：已迁移 45 个，拒绝 1 个，失败 0 个。")
    expect(page.locator(f"#report-{past} .outcome")).to_have_text("拒绝")
    expect(page.locator("#migration-history tbody tr")).to_have_count(45)
    seen(page, "03-migrated", "zh")
    fits_a_phone(page, "03-migrated")

    # Staff receive the new task on a moved instance once the town has scored.
    moved_task = next(t for t in tasks_of(gov, "town_gov:gushan", "town_score") if t["instance_id"] != past)
    gov.post(
        f"/api/v1/tasks/{moved_task['id']}/complete",
        {
            "data": {
                "town_items": rubric("town_score.json", "town_items", 0.9),
                "village_committee_opinion": "satisfied",
            }
        },
    )
    reviews = tasks_of(gov, "town_gov:gushan", "town_review")
    assert [t["instance_id"] for t in reviews] == [moved_task["instance_id"]]
    assert reviews[0]["name_zh"] == "镇政府考核复核" and reviews[0]["state"] == "open"
    town = pages.new()
    login(town, "gushan_gov")
    town.goto("/queues/town_gov:gushan")
    expect(town.locator("main")).to_contain_text("镇政府考核复核")
    shot(town, "50-migration-03b-town-queue-zh")

    # Move one back: an instance still waiting at the town scoring.
    back_id = next(
        int(row.get_attribute("id").removeprefix("report-"))  # type: ignore[union-attr]
        for row in page.locator("#report-table tr.moved").all()
        if int(row.get_attribute("id").removeprefix("report-")) != moved_task["instance_id"]  # type: ignore[union-attr]
    )
    page.check(f"#back-{back_id}")
    page.click("#move-back")
    expect(page.locator("h2", has_text="迁回结果")).to_be_visible()
    expect(page.locator("#report-summary")).to_have_text("共 1 个实例：已迁移 1 个，拒绝 0 个，失败 0 个。")
    expect(page.locator("#migration-history tbody tr").first.locator(".versions")).to_have_text(
        "第 2 版 → 第 1 版"
    )
    officer = page.locator(f"#report-{back_id} .muted").inner_text()
    assert "2026-11" in officer  # the officer with the village, and the month
    expect(page.locator("#migration-history tbody tr").first).to_contain_text(officer)
    seen(page, "04-moved-back", "zh")

    # In English: the history, and a dry run of what is left on version 1.
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Migrate instances")
    page.select_option("#in-process", "appraisal")
    page.click("#refresh-choices")
    page.click("#dry-run")
    expect(page.locator("#report-summary")).to_have_text("2 instances: 1 can move, 1 cannot.")
    expect(page.locator(f"#report-{past} .outcome")).to_have_text("No")
    expect(page.locator(f"#report-{past} .reasons")).to_contain_text(
        "is completed and is changed in the target version"
    )
    seen(page, "05-dry-run", "en")
    expect(page.locator("#migration-history tbody tr").first.locator(".versions")).to_have_text(
        "Version 2 → Version 1"
    )

    # An auditor reads the history, and cannot migrate.
    auditor = pages.new()
    login(auditor, "auditor")
    switch_language(auditor, "en")
    auditor.goto("/definitions/migrations")
    expect(auditor.locator("#read-only")).to_be_visible()
    expect(auditor.locator("#migration-form")).to_have_count(0)
    expect(auditor.locator("#migration-history tbody tr")).to_have_count(46)
    seen(auditor, "06-history-auditor", "en")
