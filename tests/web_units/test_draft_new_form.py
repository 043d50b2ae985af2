"""A new form in a draft from the draft's page (issue 14, point 1): the owner adds an empty form with its
titles and lands in the form editor; a bad name, a missing title or a name already taken is refused with the
reason and nothing is saved; another designer's draft is not theirs to change."""

from __future__ import annotations

import html
import json

from flask import Flask
from flask.testing import FlaskClient

from service.context import ServiceContext
from service.usecases import drafts
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login
from tests.web_units.test_draft_editor_pages import appraisal_draft


def new_form(client: FlaskClient, draft_id: int, **fields: str) -> tuple[int, str, str]:
    token = csrf(client, "/")  # the sign-out form of every page carries it
    response = client.post(f"/definitions/drafts/{draft_id}/forms", data={"csrf_token": token, **fields})
    return (
        response.status_code,
        response.headers.get("Location", ""),
        html.unescape(response.get_data(as_text=True)),
    )


def test_the_owner_adds_a_form_and_opens_it_in_the_editor(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    designer = web_login(app, "designer")
    page = html.unescape(designer.get(f"/definitions/drafts/{draft_id}").get_data(as_text=True))
    assert 'id="new-form"' in page and "新建表单" in page

    status, location, _ = new_form(
        designer, draft_id, name="town_review", title="镇政府考核复核", title_en="Town review"
    )
    assert status == 302 and location.endswith(f"/definitions/drafts/{draft_id}/form/town_review.json")
    saved = json.loads(drafts.draft_file(ctx, "designer", draft_id, "town_review.json"))
    assert saved == {
        "type": "object",
        "title": "镇政府考核复核",
        "x-title-en": "Town review",
        "properties": {},
    }
    editor = html.unescape(designer.get(location).get_data(as_text=True))
    assert "镇政府考核复核" in editor


def test_bad_names_missing_titles_and_taken_names_are_refused(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    draft_id = appraisal_draft(ctx, users)
    before = set(drafts.get_draft(ctx, "designer", draft_id).files)
    designer = web_login(app, "designer")
    for fields, reason in (
        ({"name": "Town Review", "title": "复核"}, "表单文件名 Town Review 不可用"),
        ({"name": "../etc", "title": "复核"}, "不可用"),
        ({"name": "town_review", "title": " "}, "请填写表单的中文标题"),
        ({"name": "town_score", "title": "复核"}, "草稿中已有文件 town_score.json"),
    ):
        status, _, page = new_form(designer, draft_id, **fields)
        assert status in (409, 422) and reason in page, (fields, status)
    assert set(drafts.get_draft(ctx, "designer", draft_id).files) == before

    other = appraisal_draft(ctx, users, owner="designer")
    auditor = web_login(app, "auditor")
    status, _, _ = new_form(auditor, other, name="x_form", title="复核")
    assert status == 403
