"""A designer edits a draft's form and decision tables in the browser (issue 14, point 1): a field added in
the table of fields shows in the live preview in Chinese and English, a broken text shows why in both
languages, the saved form comes back after a reload; each of our decision tables opens in dmn-js and is
saved back without losing a rule, and an edited cell is saved with the draft still passing its check; a
file dmn-js cannot read whole is edited as text rather than saved with parts lost.
Screenshots: draft-editor-*.png."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - our own DMN files and dmn-js's output of them
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases import drafts
from tests.conftest import User
from tests.e2e.conftest import Pages, login, shot

ROOT = Path(__file__).resolve().parents[2]
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"


def draft_holding(ctx: ServiceContext, users: dict[str, User], file: str) -> int:
    """A new draft of the designer's, from the published version whose bundle holds ``file``."""
    for version in users["designer"].get("/api/v1/definitions"):
        draft = drafts.create_draft(ctx, "designer", version["id"])
        if file in draft.files:
            return draft.id
        drafts.delete_draft(ctx, "designer", draft.id)
    raise AssertionError(f"no published bundle holds {file}")


def decisions(xml: str) -> list[Any]:
    """What a decision table means: its inputs, outputs and rules with every entry, in order."""
    root = ET.fromstring(xml)  # noqa: S314 - see the import
    found = []
    for decision in root.iter(f"{DMN}decision"):
        table = decision.find(f"{DMN}decisionTable")
        assert table is not None
        found.append(
            {
                "id": decision.get("id"),
                "name": decision.get("name"),
                "hit_policy": table.get("hitPolicy", "UNIQUE"),
                "inputs": [
                    (i.get("id"), i.get("label"), i.findtext(f"{DMN}inputExpression/{DMN}text"))
                    for i in table.findall(f"{DMN}input")
                ],
                "outputs": [
                    (o.get("id"), o.get("label"), o.get("name"), o.get("typeRef"))
                    for o in table.findall(f"{DMN}output")
                ],
                "rules": [
                    (
                        r.get("id"),
                        (r.findtext(f"{DMN}description") or "").strip(),
                        [(e.findtext(f"{DMN}text") or "").strip() for e in r if e.tag != f"{DMN}description"],
                    )
                    for r in table.findall(f"{DMN}rule")
                ],
            }
        )
    return found


def saved_files(ctx: ServiceContext) -> list[str]:
    with ctx.database.reading() as session:
        events = session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.action == "draft_file_saved")
            .order_by(AuditEventModel.seq)
        )
        return [event.payload["file"] for event in events]


def open_dmn(page: Page, draft_id: int, file: str) -> None:
    page.goto(f"/definitions/drafts/{draft_id}/dmn/{file}")
    expect(page.locator("#dmn-editor[data-ready=true]")).to_be_attached()
    expect(page.locator("#dmn-editor .tjs-table")).to_be_visible()


def save_dmn(page: Page) -> None:
    page.click("#save-dmn")
    expect(page.locator("#save-status")).to_have_text(re.compile("已保存"))


@pytest.mark.parametrize("file", ["appraisal_grade.dmn", "appraisal_consequences.dmn", "eligibility.dmn"])
def test_each_decision_table_is_saved_back_without_losing_content(
    app: Flask, pages: Pages, ctx: ServiceContext, users: dict[str, User], file: str
) -> None:
    draft_id = draft_holding(ctx, users, file)
    before = drafts.draft_file(ctx, "designer", draft_id, file)
    page = pages.new()
    login(page, "designer")
    open_dmn(page, draft_id, file)
    save_dmn(page)
    expect(page.locator("#save-status")).to_have_text("已保存，草稿检查通过")
    assert saved_files(ctx) == [file]  # written by dmn-js (identical text where it writes as we do)
    after = drafts.draft_file(ctx, "designer", draft_id, file)
    assert decisions(after) == decisions(before)
    assert drafts.check_draft(ctx, "designer", draft_id) == []


def test_a_designer_edits_a_decision_table_cell(
    app: Flask, pages: Pages, ctx: ServiceContext, users: dict[str, User]
) -> None:
    draft_id = draft_holding(ctx, users, "appraisal_grade.dmn")
    before = drafts.draft_file(ctx, "designer", draft_id, "appraisal_grade.dmn")
    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{draft_id}/dmn/appraisal_grade.dmn")  # the draft page links it
    expect(page.locator("#dmn-editor[data-ready=true]")).to_be_attached()
    expect(page.locator("h1")).to_contain_text("决策表编辑")
    expect(page.locator("#dmn-views .tab.active")).to_contain_text("建议考核等次")
    expect(page.locator("#dmn-editor .hit-policy")).to_contain_text("命中策略")  # dmn-js's words too
    expect(page.locator("#dmn-editor .view-drd-button")).to_have_text("查看决策关系图")
    shot(page, "draft-editor-dmn-zh")

    cell = page.locator("td.input-cell", has_text=re.compile(r"^\s*>= 90\s*$")).first
    cell.locator(".content-editable").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(">= 92")
    page.locator("h1").click()  # leave the cell
    expect(page.locator("#dirty")).to_be_visible()
    save_dmn(page)
    expect(page.locator("#save-status")).to_have_text("已保存，草稿检查通过")
    expect(page.locator("#dirty")).to_be_hidden()
    shot(page, "draft-editor-dmn-saved-zh")

    after = drafts.draft_file(ctx, "designer", draft_id, "appraisal_grade.dmn")
    expected = decisions(before)
    rule = next(r for r in expected[0]["rules"] if r[0] == "rule_no_veto_excellent")
    rule[2][1] = ">= 92"
    assert decisions(after) == expected
    assert drafts.check_draft(ctx, "designer", draft_id) == []

    page.reload()
    expect(page.locator("#dmn-editor[data-ready=true]")).to_be_attached()
    expect(page.locator("td.input-cell", has_text=">= 92")).to_have_count(1)
    page.click("#switch-language")
    expect(page.locator("h1")).to_contain_text("Decision table editor")
    expect(page.locator("#dmn-editor[data-ready=true]")).to_be_attached()
    expect(page.locator("#dmn-editor .view-drd-button")).to_have_text("View DRD")
    shot(page, "draft-editor-dmn-en")


def field_row(page: Page, key: str) -> Any:
    return page.locator(f"#field-table tbody tr[data-key={key}]")


def test_a_designer_adds_a_form_field_and_sees_it_in_both_languages(
    app: Flask, pages: Pages, ctx: ServiceContext, users: dict[str, User]
) -> None:
    draft_id = draft_holding(ctx, users, "town_score.json")
    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{draft_id}/form/town_score.json")  # the draft page links it
    expect(page.locator("h1")).to_contain_text("表单编辑")
    zh, en = page.locator("#preview-zh"), page.locator("#preview-en")
    expect(zh).to_contain_text("镇政府月度考核")
    expect(zh).to_contain_text("列席两委会议")
    expect(en).to_contain_text("Town government monthly appraisal")
    expect(en).to_contain_text("Attendance at village committee meetings")
    expect(field_row(page, "town_items")).to_be_visible()

    page.fill("#new-key", "remark")
    page.fill("#new-title", "备注说明")
    page.fill("#new-title-en", "Remark for the file")
    page.select_option("#new-type", "textarea")
    page.check("#new-required")
    page.click("#add-field")
    expect(field_row(page, "remark").locator(".title-zh input")).to_have_value("备注说明")
    expect(zh.locator("#field-remark")).to_contain_text("备注说明")
    expect(en.locator("#field-remark")).to_contain_text("Remark for the file")
    expect(en.locator("#field-remark textarea")).to_be_visible()  # long text: the task page's text area
    expect(page.locator("#dirty")).to_be_visible()
    assert '"remark"' in page.input_value("#form-text")

    # Renaming a title in the table rewrites the JSON and the preview; the next input keeps the focus.
    field_row(page, "remark").locator(".title-en input").fill("Remark")
    field_row(page, "remark").locator(".title-en input").press("Tab")
    expect(en.locator("#field-remark label")).to_have_text(re.compile(r"^Remark\s*\*"))
    expect(field_row(page, "remark").locator(".type select")).to_be_focused()
    page.fill("#form-title-en", "Town government's monthly appraisal")
    page.press("#form-title-en", "Tab")
    expect(en.locator(".preview-title")).to_have_text("Town government's monthly appraisal")
    shot(page, "draft-editor-form-zh")

    # A broken text shows why in both languages instead of the preview; fixing it brings the preview back.
    text = page.input_value("#form-text")
    page.fill("#form-text", text.rstrip() + ",")
    expect(page.locator("#preview-error-zh")).to_contain_text("不是有效的 JSON")
    expect(page.locator("#preview-error-en")).to_contain_text("Not valid JSON")
    page.fill("#form-text", text.replace('"type": "object"', '"type": "array"', 1))
    expect(page.locator("#preview-error-zh")).to_contain_text("服务不接受该表单")
    expect(page.locator("#preview-error-en")).to_contain_text("must be a JSON Schema of type object")
    shot(page, "draft-editor-form-refused")
    page.fill("#form-text", text)
    expect(page.locator("#preview-error")).to_be_hidden()

    page.click("#save-form")
    expect(page.locator("#save-status")).to_have_text("已保存，草稿检查通过")
    saved = json.loads(drafts.draft_file(ctx, "designer", draft_id, "town_score.json"))
    assert saved["properties"]["remark"] == {
        "type": "string",
        "title": "备注说明",
        "x-title-en": "Remark",
        "x-multiline": True,
    }
    assert "remark" in saved["required"]
    assert saved["x-title-en"] == "Town government's monthly appraisal" and saved["title"] == "镇政府月度考核"
    assert drafts.check_draft(ctx, "designer", draft_id) == []

    page.reload()
    expect(field_row(page, "remark").locator(".title-en input")).to_have_value("Remark")
    expect(zh.locator("#field-remark")).to_contain_text("备注说明")
    expect(en.locator("#field-remark")).to_contain_text("Remark")
    page.click("#switch-language")
    expect(page.locator("h1")).to_contain_text("Form editor")
    expect(page.locator("#field-table thead")).to_contain_text("English title")
    expect(en.locator("#field-remark")).to_contain_text("Remark")
    shot(page, "draft-editor-form-en")


def test_a_decision_table_dmn_js_cannot_open_is_repaired_as_text(
    app: Flask, pages: Pages, ctx: ServiceContext, users: dict[str, User]
) -> None:
    file = "appraisal_consequences.dmn"
    draft_id = draft_holding(ctx, users, file)
    good = drafts.draft_file(ctx, "designer", draft_id, file)
    drafts.save_file(ctx, "designer", draft_id, file, good.replace("<decision ", "<decision <", 1))
    assert drafts.check_draft(ctx, "designer", draft_id) != []
    page = pages.new()
    login(page, "designer")
    page.goto(f"/definitions/drafts/{draft_id}/dmn/{file}")
    expect(page.locator("#dmn-failed")).to_contain_text("决策表无法打开")
    expect(page.locator("#import-warnings")).to_contain_text("unparsable content")  # what would be lost
    expect(page.locator("#dmn-views .tab")).to_have_count(0)
    expect(page.locator("#dmn-text")).to_have_value(re.compile("<decision <"))
    shot(page, "draft-editor-dmn-as-text")
    page.fill("#dmn-text", good)
    page.click("#save-dmn")
    expect(page.locator("#dmn-editor[data-ready=true]")).to_be_attached()  # reopened in dmn-js
    expect(page.locator("#dmn-editor .tjs-table")).to_be_visible()
    assert drafts.draft_file(ctx, "designer", draft_id, file) == good
    assert drafts.check_draft(ctx, "designer", draft_id) == []
