"""Designers' drafts over HTTP (issue 14, point 2): start one from a published version, save a file, check it
with deploy's own parse and lints (each problem on its element, in Chinese and English), delete it; only
its owner reaches it, only designers have drafts, nothing of it is live, every change is audited."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, DefinitionModel
from service.usecases import drafts
from tests.conftest import User, token_of


def appraisal_version(designer: User) -> dict[str, Any]:
    listed = designer.get("/api/v1/definitions")
    return next(d for d in listed if d["process_id"] == "monthly_appraisal" or "appraisal" in d["process_id"])


def call(app: Flask, method: str, url: str, username: str = "designer", json: Any = None) -> Any:
    return app.test_client().open(
        url, method=method, json=json, headers={"Authorization": f"Bearer {token_of(username)}"}
    )


def actions(ctx: ServiceContext) -> list[str]:
    with ctx.database.reading() as session:
        return list(
            session.scalars(
                select(AuditEventModel.action)
                .where(AuditEventModel.action.like("draft_%"))
                .order_by(AuditEventModel.seq)
            )
        )


def test_a_draft_is_edited_checked_and_deleted(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    version = appraisal_version(designer)
    draft = designer.post("/api/v1/drafts", json={"definition_id": version["id"]}, expect=201)
    assert draft["owner"] == "designer" and draft["base_definition_id"] == version["id"]
    assert "appraisal.bpmn" in draft["file_names"]
    assert [d["id"] for d in designer.get("/api/v1/drafts")] == [draft["id"]]

    # The published bundle checks clean: the draft starts as a copy of it.
    assert designer.post(f"/api/v1/drafts/{draft['id']}/check") == {"ok": True, "problems": []}

    url = f"/api/v1/drafts/{draft['id']}/files/appraisal.bpmn"
    model = designer.get(url)["text"]
    planted = model.replace('value="town_score.json"', 'value="no_such_form.json"', 1)
    assert planted != model
    response = call(app, "PUT", url, json={"text": planted})
    assert response.status_code == 200, response.get_json()
    assert designer.get(url)["text"] == planted

    checked = designer.post(f"/api/v1/drafts/{draft['id']}/check")
    assert checked["ok"] is False
    on_task = [p for p in checked["problems"] if p["element_id"] == "town_score"]
    assert on_task, checked["problems"]
    assert "no_such_form.json" in on_task[0]["en"] and "no_such_form.json" in on_task[0]["zh"]
    assert on_task[0]["zh"] != on_task[0]["en"]

    # Never live: no definition was deployed from the draft.
    with ctx.database.reading() as session:
        before = session.scalar(select(func.count()).select_from(DefinitionModel))
    assert call(app, "DELETE", f"/api/v1/drafts/{draft['id']}").status_code == 204
    assert designer.get("/api/v1/drafts") == []
    designer.get(url, expect=404)
    with ctx.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(DefinitionModel)) == before
    assert actions(ctx) == ["draft_created", "draft_file_saved", "draft_deleted"]


def test_only_the_owner_reaches_a_draft(app: Flask, users: dict[str, User], ctx: ServiceContext) -> None:
    version = appraisal_version(users["designer"])
    theirs = drafts.create_draft(ctx, "another_designer", version["id"])
    url = f"/api/v1/drafts/{theirs.id}"
    assert call(app, "GET", f"{url}/files/appraisal.bpmn").status_code == 403
    refused = call(app, "PUT", f"{url}/files/appraisal.bpmn", json={"text": "<x/>"})
    assert refused.status_code == 403
    assert set(refused.get_json()) >= {"code", "message"}
    assert call(app, "POST", f"{url}/check").status_code == 403
    assert call(app, "DELETE", url).status_code == 403
    assert users["designer"].get("/api/v1/drafts") == []
    assert actions(ctx) == ["draft_created"]  # the refusals changed nothing


def test_bad_requests_are_refused_with_the_one_error_shape(app: Flask, users: dict[str, User]) -> None:
    designer = users["designer"]
    designer.post("/api/v1/drafts", json={"definition_id": 999_999}, expect=404)
    designer.post("/api/v1/drafts", json={}, expect=422)
    draft = designer.post(
        "/api/v1/drafts", json={"definition_id": appraisal_version(designer)["id"]}, expect=201
    )
    refused = call(app, "PUT", f"/api/v1/drafts/{draft['id']}/files/run.sh", json={"text": "rm -rf /"})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["code"] and refused.get_json()["message"]
    assert call(app, "PUT", f"/api/v1/drafts/{draft['id']}/files/a.bpmn", json={}).status_code == 422
    assert call(app, "GET", f"/api/v1/drafts/{draft['id']}/files/none.bpmn").status_code == 404
    # A new file is added, and a broken one is reported, not a server error.
    assert (
        call(app, "PUT", f"/api/v1/drafts/{draft['id']}/files/extra.bpmn", json={"text": "<oops"}).status_code
        == 200
    )
    checked = designer.post(f"/api/v1/drafts/{draft['id']}/check")
    assert not checked["ok"] and any(
        p["file"] == "extra.bpmn" or "extra.bpmn" in p["en"] for p in checked["problems"]
    )
    # Others than designers have no drafts.
    users["auditor"].get("/api/v1/drafts", expect=403)
