"""A draft's decision-table and form editors (issue 14, point 1): only the draft's owner, a designer, opens
them; the form preview is the task page's renderer in Chinese and English, and a text the service would
refuse answers 422 with the reason in both languages (never a server error); saving writes the draft's file
through the drafts use case (audited) and answers the draft's check."""

from __future__ import annotations

import html
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel
from service.usecases import drafts
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login


def appraisal_draft(ctx: ServiceContext, users: dict[str, User], owner: str = "designer") -> int:
    listed = users["designer"].get("/api/v1/definitions")
    version = next(d for d in listed if "appraisal" in d["process_id"])
    return drafts.create_draft(ctx, owner, version["id"]).id


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def send(client: FlaskClient, method: str, url: str, text: Any, token: str | None) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    return client.open(url, method=method, json={"text": text}, headers=headers)


def form_text(ctx: ServiceContext, draft_id: int, name: str = "town_score.json") -> str:
    return drafts.draft_file(ctx, "designer", draft_id, name)


def test_the_owner_opens_both_editors_in_chinese_and_english(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    designer = web_login(app, "designer")
    page = get(designer, f"/definitions/drafts/{draft_id}/dmn/appraisal_grade.dmn")
    assert "决策表编辑" in page and "appraisal_grade.dmn" in page
    assert 'id="dmn-data"' in page and "/vendor/dmn-js/dmn-modeler.production.min.js" in page
    data = json.loads(page.split('id="dmn-data">')[1].split("</script>")[0])
    assert "建议考核等次" in data["xml"] and data["save_url"].endswith("/dmn/appraisal_grade.dmn")

    form = get(designer, f"/definitions/drafts/{draft_id}/form/town_score.json")
    assert "表单编辑" in form and 'id="form-text"' in form and "镇政府月度考核" in form
    assert "draft_form_editor.js" in form

    with designer.get("/vendor/dmn-js/dmn-modeler.production.min.js") as script:
        assert script.status_code == 200 and b"DmnJS" in script.data
    with designer.get("/vendor/dmn-js/assets/dmn-font/css/dmn.css") as font:
        assert font.status_code == 200
    with designer.get("/vendor/dmn-js/../package.json") as outside:
        assert outside.status_code == 404
    with designer.get("/vendor/dmn-js/dmn-modeler.production.min.js.map") as other:
        assert other.status_code == 404  # only scripts, stylesheets and fonts
    app.config["DMN_JS_DIST"] = "/nonexistent/dmn-js/dist"
    with designer.get("/vendor/dmn-js/dmn-modeler.production.min.js") as missing:
        assert missing.status_code == 404 and "npm ci" in missing.get_data(as_text=True)
    del app.config["DMN_JS_DIST"]

    designer.post("/language", data={"lang": "en", "csrf_token": csrf(designer, "/")})
    english = get(designer, f"/definitions/drafts/{draft_id}/form/town_score.json")
    assert "Form editor" in english and "English title" in english and "表单编辑" not in english
    assert "Decision table editor" in get(designer, f"/definitions/drafts/{draft_id}/dmn/appraisal_grade.dmn")


def test_only_the_owner_designer_reaches_the_editors(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    theirs = appraisal_draft(ctx, users, owner="another_designer")
    designer = web_login(app, "designer")
    token = csrf(designer, "/")
    text = form_text(ctx, appraisal_draft(ctx, users))
    for url in (
        f"/definitions/drafts/{theirs}/dmn/appraisal_grade.dmn",
        f"/definitions/drafts/{theirs}/form/town_score.json",
    ):
        assert "只有草稿的创建者" in get(designer, url, expect=403)
    refused = send(
        designer, "POST", f"/definitions/drafts/{theirs}/form/town_score.json/preview", text, token
    )
    assert refused.status_code == 403 and refused.get_json()["en"].startswith("Only the designer")
    assert (
        send(designer, "PUT", f"/definitions/drafts/{theirs}/form/town_score.json", text, token).status_code
        == 403
    )
    assert (
        send(
            designer, "PUT", f"/definitions/drafts/{theirs}/dmn/appraisal_grade.dmn", "<x/>", token
        ).status_code
        == 403
    )

    mine = appraisal_draft(ctx, users)
    get(designer, f"/definitions/drafts/{mine}/dmn/no_such.dmn", expect=404)
    get(designer, f"/definitions/drafts/{mine}/dmn/appraisal.bpmn", expect=404)  # not a decision table
    get(designer, "/definitions/drafts/999999/form/town_score.json", expect=404)

    auditor = web_login(app, "auditor")
    assert "只有流程设计人员" in get(auditor, f"/definitions/drafts/{mine}/form/town_score.json", expect=403)
    # Without the session's CSRF token nothing is previewed or saved.
    assert (
        send(designer, "PUT", f"/definitions/drafts/{mine}/form/town_score.json", text, None).status_code
        == 400
    )


def test_the_preview_renders_the_task_pages_fields_or_says_why_not(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    designer = web_login(app, "designer")
    token = csrf(designer, "/")
    url = f"/definitions/drafts/{draft_id}/form/town_score.json/preview"
    schema = json.loads(form_text(ctx, draft_id))
    schema["properties"]["remark"] = {
        "type": "string",
        "title": "备注说明",
        "x-title-en": "Remark for the file",
    }
    shown = send(designer, "POST", url, json.dumps(schema, ensure_ascii=False), token)
    assert shown.status_code == 200, shown.get_json()
    answer = shown.get_json()
    assert "镇政府月度考核" in answer["zh"] and "备注说明" in answer["zh"] and "列席两委会议" in answer["zh"]
    assert "Town government monthly appraisal" in answer["en"] and "Remark for the file" in answer["en"]
    assert "备注说明" not in answer["en"] and "Remark for the file" not in answer["zh"]
    assert 'name="remark"' in answer["zh"] and "请选择" in answer["zh"] and "Please choose" in answer["en"]
    assert answer["warnings"] == []

    untitled = {**schema, "properties": {**schema["properties"], "note": {"type": "string", "title": "附注"}}}
    warned = send(designer, "POST", url, json.dumps(untitled), token).get_json()
    assert warned["ok"] and warned["warnings"] == [
        {"zh": "字段 note 没有英文标题（x-title-en）", "en": "Field note has no English title (x-title-en)"}
    ]

    refusals = {
        '{"type": "object", "properties": {': ("不是有效的 JSON：第 1 行", "Not valid JSON: line 1"),
        '{"type": "array"}': ("服务不接受该表单", "must be a JSON Schema of type object"),
        '{"type": "object", "properties": {"a": {"type": "strin"}}}': (
            "服务不接受该表单",
            "is not a valid JSON Schema",
        ),
        '{"type": "object", "properties": {"a": true}}': (
            "a：字段的定义必须是对象",
            "a: the field must be an object",
        ),
        '{"type": "object", "properties": {"a": {"type": "string", "pattern": "(a)\\\\1"}}}': (
            "服务不接受该表单",
            "RE2",
        ),
        '{"type": "object", "properties": {"a": {"type": "array", "x-rows": {"source": "nobody"}}}}': (
            "行来源",
            "unknown row source",
        ),
        '{"type": "object", "properties": {"a": {"type": "string", "enum": ["x"], "x-enum-labels": "x"}}}': (
            "任务页面无法显示该表单",
            "The task page cannot show this form",
        ),
    }
    for text, (zh, en) in refusals.items():
        refused = send(designer, "POST", url, text, token)
        assert refused.status_code == 422, (text, refused.status_code, refused.get_data(as_text=True))
        body = refused.get_json()
        assert body["ok"] is False and zh in body["zh"] and en in body["en"], (text, body)
    missing = designer.post(url, json={}, headers={"X-CSRFToken": token})
    assert missing.status_code == 422 and "text" in missing.get_json()["en"]


def test_saving_writes_the_draft_and_answers_its_check(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    designer = web_login(app, "designer")
    token = csrf(designer, "/")
    url = f"/definitions/drafts/{draft_id}/form/town_score.json"
    before = form_text(ctx, draft_id)
    refused = send(designer, "PUT", url, before + "}", token)
    assert refused.status_code == 422 and "Not valid JSON" in refused.get_json()["en"]
    assert form_text(ctx, draft_id) == before  # nothing refused is saved

    schema = json.loads(before)
    schema["properties"]["remark"] = {"type": "string", "title": "备注", "x-title-en": "Remark"}
    text = json.dumps(schema, ensure_ascii=False, indent=2)
    saved = send(designer, "PUT", url, text, token)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() == {"ok": True, "saved": True, "draft_ok": True, "problems": []}
    assert form_text(ctx, draft_id) == text

    dmn_url = f"/definitions/drafts/{draft_id}/dmn/appraisal_grade.dmn"
    broken = send(designer, "PUT", dmn_url, "<definitions", token).get_json()
    assert broken["saved"] and broken["draft_ok"] is False
    assert any("XML" in problem for problem in broken["problems"]), broken
    with ctx.database.reading() as session:
        logged = list(
            session.scalars(
                select(AuditEventModel.action).where(AuditEventModel.action == "draft_file_saved")
            )
        )
    assert logged == ["draft_file_saved", "draft_file_saved"]


def test_the_data_labels_open_as_json_checked_by_deploys_rules(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    designer = web_login(app, "designer")
    token = csrf(designer, "/")
    page = get(designer, f"/definitions/drafts/{draft_id}/form/data_labels.json")
    assert 'id="labels-notice"' in page and 'id="field-table"' not in page
    url = f"/definitions/drafts/{draft_id}/form/data_labels.json/preview"
    text = form_text(ctx, draft_id, "data_labels.json")
    passed = send(designer, "POST", url, text, token).get_json()
    assert passed["ok"] and passed["labels"] and "数据说明符合发布时的规则" in passed["zh"]
    labels = {**json.loads(text), "order": "village_code"}
    refused = send(designer, "POST", url, json.dumps(labels), token)
    assert refused.status_code == 422 and "服务不接受该数据说明" in refused.get_json()["zh"]
    assert "data labels" in refused.get_json()["en"]
