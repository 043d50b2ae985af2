"""The designers' draft pages (issue 14, points 1-2): a designer starts a draft from a version's page, sees it
listed with the version it came from, opens its files, checks it (problems in Chinese then English, each
linked to its element in the modeler) and deletes it; the modeler saves and checks through JSON endpoints
guarded by the session and the CSRF header. Nobody but designers, and no designer but the owner."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, DefinitionModel
from service.usecases import drafts
from tests.conftest import User
from tests.web_units.browser_session import csrf, web_login


def get(client: FlaskClient, url: str, expect: int = 200) -> str:
    with client.get(url) as response:
        assert response.status_code == expect, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))


def appraisal_definition(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        found = session.scalar(
            select(DefinitionModel.id)
            .where(DefinitionModel.process_id == "appraisal")
            .order_by(DefinitionModel.version.desc())
        )
    assert found is not None
    return int(found)


def start_draft(client: FlaskClient, definition_id: int) -> int:
    token = csrf(client, f"/definitions/{definition_id}")
    response = client.post("/definitions/drafts", data={"definition_id": definition_id, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/definitions/drafts/(\d+)$", response.headers["Location"])
    assert found is not None, response.headers["Location"]
    return int(found.group(1))


def json_call(client: FlaskClient, method: str, url: str, token: str | None, body: Any = None) -> Any:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["X-CSRFToken"] = token
    return client.open(url, method=method, json=body, headers=headers)


def test_a_designer_starts_checks_and_deletes_a_draft(app: Flask, ctx: ServiceContext) -> None:
    definition_id = appraisal_definition(ctx)
    designer = web_login(app, "designer")
    assert 'id="new-draft-' in get(designer, "/definitions")
    assert f'id="new-draft-{definition_id}"' in get(designer, f"/definitions/{definition_id}")

    draft_id = start_draft(designer, definition_id)
    listed = get(designer, "/definitions/drafts")
    assert f'id="draft-{draft_id}"' in listed and "月度考核" in listed and "第 1 版" in listed
    assert "北京时间" in listed

    page = get(designer, f"/definitions/drafts/{draft_id}")
    assert f"/definitions/drafts/{draft_id}/bpmn/appraisal.bpmn" in page
    assert f"/definitions/drafts/{draft_id}/dmn/appraisal_grade.dmn" in page
    assert f"/definitions/drafts/{draft_id}/form/station_score.json" in page
    assert 'id="draft-actions"' in page

    modeler = get(designer, f"/definitions/drafts/{draft_id}/bpmn/appraisal.bpmn?element=town_score")
    assert "bpmn-modeler.production.min.js" in modeler and "draft_modeler.js" in modeler
    data = modeler.split('id="modeler-data"')[1].split("</script>")[0]
    assert '"element": "town_score"' in data and "崮山派出所" in data and "station_score.json" in data
    assert "record_veto" in data and "scoring_subject" in data  # operators and grounds panels offered

    # The modeler's save and check: JSON, the session and the CSRF header.
    token = csrf(designer, f"/definitions/drafts/{draft_id}")
    url = f"/definitions/drafts/{draft_id}/files/appraisal.bpmn"
    model = drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn")
    planted = model.replace('name="police_station:{town}"', 'name="no_such_department"', 1)
    assert planted != model
    assert json_call(designer, "PUT", url, None, {"text": planted}).status_code == 400  # no CSRF token
    assert drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn") == model
    saved = json_call(designer, "PUT", url, token, {"text": planted})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert drafts.draft_file(ctx, "designer", draft_id, "appraisal.bpmn") == planted
    assert json_call(designer, "PUT", url, token, {}).status_code == 422
    bad_name = json_call(
        designer, "PUT", f"/definitions/drafts/{draft_id}/files/run.sh", token, {"text": "x"}
    )
    assert bad_name.status_code == 422 and "文件名" in bad_name.get_json()["message"]

    checked = json_call(designer, "POST", f"/definitions/drafts/{draft_id}/check", token)
    assert checked.status_code == 200
    result = checked.get_json()
    assert result["ok"] is False
    on_lane = [p for p in result["problems"] if "no_such_department" in p["en"]]
    assert on_lane and on_lane[0]["zh"] and on_lane[0]["element_id"], result["problems"]
    assert on_lane[0]["severity"] == "error"

    # The overview's check button lists the same problems, Chinese first, each linked to its element.
    response = designer.post(f"/definitions/drafts/{draft_id}/check", data={"csrf_token": token})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and 'id="check-failed"' in page
    element = on_lane[0]["element_id"]
    assert f"/definitions/drafts/{draft_id}/bpmn/appraisal.bpmn?element={element}" in page
    problem = page.split('id="problems"')[1]
    assert problem.index('class="zh"') < problem.index('class="en')

    # A problem in a file other than a model links to that file's editor.
    form_url = f"/definitions/drafts/{draft_id}/files/veto.json"
    assert json_call(designer, "PUT", form_url, token, {"text": "{"}).status_code == 200
    response = designer.post(f"/definitions/drafts/{draft_id}/check", data={"csrf_token": token})
    problem = html.unescape(response.get_data(as_text=True)).split('id="problems"')[1]
    assert f'href="/definitions/drafts/{draft_id}/form/veto.json"' in problem

    designer.post("/language", data={"lang": "en", "csrf_token": token})
    english = get(designer, f"/definitions/drafts/{draft_id}")
    assert "Check" in english and "Delete draft" in english and "Files" in english

    response = designer.post(f"/definitions/drafts/{draft_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/definitions/drafts")
    get(designer, f"/definitions/drafts/{draft_id}", expect=404)
    with ctx.database.reading() as session:
        actions = list(
            session.scalars(
                select(AuditEventModel.action)
                .where(AuditEventModel.action.like("draft_%"))
                .order_by(AuditEventModel.seq)
            )
        )
    assert actions == ["draft_created", "draft_file_saved", "draft_file_saved", "draft_deleted"]


def test_only_designers_and_only_the_owner(app: Flask, ctx: ServiceContext, users: dict[str, User]) -> None:
    definition_id = appraisal_definition(ctx)
    theirs = drafts.create_draft(ctx, "another_designer", definition_id)
    designer = web_login(app, "designer")
    token = csrf(designer, "/definitions/drafts")
    for url in (f"/definitions/drafts/{theirs.id}", f"/definitions/drafts/{theirs.id}/bpmn/appraisal.bpmn"):
        assert "只有草稿的创建者" in get(designer, url, expect=403)
    refused = json_call(
        designer, "PUT", f"/definitions/drafts/{theirs.id}/files/appraisal.bpmn", token, {"text": "<x/>"}
    )
    assert refused.status_code == 403 and refused.get_json()["message"]
    assert json_call(designer, "POST", f"/definitions/drafts/{theirs.id}/check", token).status_code == 403
    assert (
        designer.post(f"/definitions/drafts/{theirs.id}/delete", data={"csrf_token": token}).status_code
        == 302
    )
    assert drafts.get_draft(ctx, "another_designer", theirs.id).id == theirs.id  # still there
    assert f"draft-{theirs.id}" not in get(designer, "/definitions/drafts")
    get(designer, "/definitions/drafts/999999", expect=404)
    get(designer, f"/definitions/drafts/{theirs.id}/bpmn/missing.bpmn", expect=403)

    for username in ("auditor", "admin", "bureau"):
        client = web_login(app, username)
        assert "只有流程设计人员" in get(client, "/definitions/drafts", expect=403)
        get(client, f"/definitions/drafts/{theirs.id}", expect=403)
        token = csrf(client, "/")
        response = client.post(
            "/definitions/drafts", data={"definition_id": definition_id, "csrf_token": token}
        )
        assert response.status_code == 403
        assert json_call(client, "POST", f"/definitions/drafts/{theirs.id}/check", token).status_code == 403
    assert "new-draft-" not in get(web_login(app, "auditor"), "/definitions")
