"""Publishing a draft and comparing versions over HTTP (issue 14, point 4), on SQLite and PostgreSQL: a draft
with an error is refused with its problems; a changed draft becomes the next version of its process with a
``draft_published`` event holding the bundle's hash; an unchanged one is refused; a draft whose base was
overtaken needs a confirmation; the comparison of two versions lists an added user task, a changed form
field and a changed decision row, named in Chinese and English."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import AuditEventModel, DefinitionModel, DraftModel
from tests.api import publish_steps
from tests.conftest import User, token_of
from workflows.specs import bundle_sha256


def appraisal(designer: User) -> dict[str, Any]:
    return next(d for d in designer.get("/api/v1/definitions") if d["process_id"] == "appraisal")


def call(app: Flask, method: str, url: str, username: str = "designer", json: Any = None) -> Any:
    return app.test_client().open(
        url, method=method, json=json, headers={"Authorization": f"Bearer {token_of(username)}"}
    )


def save(designer: User, app: Flask, draft_id: int, name: str, edit: Any) -> None:
    url = f"/api/v1/drafts/{draft_id}/files/{name}"
    response = call(app, "PUT", url, json={"text": edit(designer.get(url)["text"])})
    assert response.status_code == 200, response.get_json()


def definitions_count(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(DefinitionModel)) or 0)


def published_events(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.database.reading() as session:
        return [
            dict(e.payload)
            for e in session.scalars(
                select(AuditEventModel)
                .where(AuditEventModel.action == "draft_published")
                .order_by(AuditEventModel.seq)
            )
        ]


def test_a_draft_with_an_error_is_not_published(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    draft = designer.post("/api/v1/drafts", json={"definition_id": appraisal(designer)["id"]}, expect=201)
    save(
        designer,
        app,
        draft["id"],
        "appraisal.bpmn",
        lambda t: t.replace('value="town_score.json"', 'value="no_such_form.json"', 1),
    )
    before = definitions_count(ctx)

    response = call(app, "POST", f"/api/v1/drafts/{draft['id']}/publish", json={})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    on_task = [p for p in body["errors"]["problems"] if p["element_id"] == "town_score"]
    assert on_task and "no_such_form.json" in on_task[0]["en"], body
    assert "草稿还有" in body["message"] and "problem" in body["message_en"]
    assert definitions_count(ctx) == before and published_events(ctx) == []
    designer.get(f"/api/v1/drafts/{draft['id']}/files/appraisal.bpmn")  # the draft is still there
    # Only its owner publishes a draft; others are refused before anything is checked.
    assert (
        call(app, "POST", f"/api/v1/drafts/{draft['id']}/publish", username="auditor", json={}).status_code
        == 403
    )


def test_a_changed_draft_becomes_the_next_version(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    first = appraisal(designer)
    assert first["version"] == 1
    draft = designer.post("/api/v1/drafts", json={"definition_id": first["id"]}, expect=201)

    # Unchanged: nothing to publish.
    response = call(app, "POST", f"/api/v1/drafts/{draft['id']}/publish", json={})
    assert response.status_code == 409, response.get_json()
    assert (
        "完全相同" in response.get_json()["message"]
        and "nothing has changed" in response.get_json()["message_en"]
    )

    save(designer, app, draft["id"], "appraisal.bpmn", publish_steps.with_review_task)
    save(designer, app, draft["id"], "town_score.json", publish_steps.with_retitled_field)
    save(designer, app, draft["id"], "appraisal_grade.dmn", publish_steps.with_stricter_excellent)
    assert designer.post(f"/api/v1/drafts/{draft['id']}/check")["ok"] is True
    with ctx.database.reading() as session:
        files = dict(session.get(DraftModel, draft["id"]).files)

    published = designer.post(f"/api/v1/drafts/{draft['id']}/publish", json={}, expect=201)
    assert published["process_id"] == "appraisal" and published["version"] == 2
    assert (
        published["previous_definition_id"] == first["id"] and published["base_definition_id"] == first["id"]
    )
    assert published["bundle_sha256"] == bundle_sha256(files)
    assert [d["version"] for d in designer.get("/api/v1/definitions") if d["process_id"] == "appraisal"] == [
        2,
        1,
    ]
    # The draft is gone: the version is the record; the event holds the bundle's hash.
    assert designer.get("/api/v1/drafts") == []
    (event,) = published_events(ctx)
    assert event["draft_id"] == draft["id"] and event["process_id"] == "appraisal"
    assert event["version"] == 2 and event["base_version"] == 1
    assert event["sha256"] == bundle_sha256(files) == published["bundle_sha256"]

    # The comparison of the two versions: the new task, the retitled field, the stricter row.
    diff = designer.get(f"/api/v1/definitions/diff?from={first['id']}&to={published['id']}")
    assert diff["from"]["version"] == 1 and diff["to"]["version"] == 2 and diff["identical"] is False
    elements = {e["element_id"]: e for e in diff["elements"]}
    review = elements["reward_review"]
    assert review["status"] == "added" and review["kind_label"] == {"zh": "用户任务", "en": "User task"}
    assert review["name"] == {"zh": "奖励复核", "en": "Reward review"}
    assert review["lane"]["zh"] == "公安分局", review["lane"]
    proposal = elements["reward_proposal"]
    assert proposal["status"] == "changed"
    outgoing = next(c for c in proposal["changes"] if c["attribute"] == "outgoing")
    assert outgoing["label"]["zh"] == "流向" and outgoing["after_text"]["zh"] == "奖励复核"
    assert diff["markers"]["to"]["reward_review"] == "added"
    assert diff["markers"]["to"]["reward_proposal"] == "changed"
    assert "reward_review" not in diff["markers"]["from"]

    (form,) = diff["forms"]
    assert form["file"] == "town_score.json" and form["title"]["zh"] == "镇政府月度考核"
    fields = {f["path"]: f for f in form["fields"]}
    publicity = fields["town_items.publicity"]
    assert publicity["status"] == "changed" and publicity["title"]["zh"] == "宣传工作"
    assert [(c["attribute"], c["before"], c["after"]) for c in publicity["changes"]] == [
        ("title", "防范宣传", "宣传工作")
    ]
    opinion = fields["village_committee_opinion"]["changes"][0]
    assert opinion["label"] == {"zh": "必填", "en": "Required"}
    assert (opinion["before_text"]["zh"], opinion["after_text"]["zh"]) == ("是", "否")

    (decision,) = diff["decisions"]
    assert decision["decision_id"] == "appraisal_grade" and decision["name"] == "建议考核等次"
    (rule,) = decision["rules"]
    assert rule["rule_id"] == "rule_no_veto_excellent" and rule["status"] == "changed"
    changed = [e for e in rule["entries"] if e["changed"]]
    assert [(e["before"], e["after"]) for e in changed] == [(">= 90", ">= 92")]
    assert changed[0]["label"]["zh"].startswith("条件：综合得分")

    # Compared the other way round, the task is removed and marked on the older diagram.
    back = designer.get(f"/api/v1/definitions/diff?from={published['id']}&to={first['id']}")
    assert next(e for e in back["elements"] if e["element_id"] == "reward_review")["status"] == "removed"
    assert back["markers"]["from"]["reward_review"] == "removed"
    # Without ``from``: the version before.
    assert designer.get(f"/api/v1/definitions/diff?to={published['id']}")["from"]["id"] == first["id"]
    # Auditors read it; staff do not.
    users["auditor"].get(f"/api/v1/definitions/diff?from={first['id']}&to={published['id']}")
    users["bureau"].get(f"/api/v1/definitions/diff?from={first['id']}&to={published['id']}", expect=403)


def test_publishing_over_a_newer_version_needs_confirmation(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    first = appraisal(designer)
    older = designer.post("/api/v1/drafts", json={"definition_id": first["id"]}, expect=201)
    newer = designer.post("/api/v1/drafts", json={"definition_id": first["id"]}, expect=201)
    save(designer, app, newer["id"], "appraisal.bpmn", publish_steps.with_renamed_task)
    second = designer.post(f"/api/v1/drafts/{newer['id']}/publish", json={}, expect=201)
    save(designer, app, older["id"], "town_score.json", publish_steps.with_retitled_field)

    response = call(app, "POST", f"/api/v1/drafts/{older['id']}/publish", json={})
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["errors"]["latest_version"] == 2 and body["errors"]["base_version"] == 1
    assert "第 2 版" in body["message"] and "吴工" in body["message"], body["message"]

    third = designer.post(
        f"/api/v1/drafts/{older['id']}/publish", json={"confirm_base_changed": True}, expect=201
    )
    assert third["version"] == 3 and third["previous_definition_id"] == second["id"]
    events = published_events(ctx)
    assert [e["version"] for e in events] == [2, 3] and events[1]["base_changed"] is True


def test_undoing_a_change_publishes_the_earlier_bundle_again(
    app: Flask, users: dict[str, User], ctx: ServiceContext
) -> None:
    designer = users["designer"]
    first = appraisal(designer)
    draft = designer.post("/api/v1/drafts", json={"definition_id": first["id"]}, expect=201)
    save(designer, app, draft["id"], "appraisal.bpmn", publish_steps.with_renamed_task)
    # No body at all: no confirmation is asked for.
    response = call(app, "POST", f"/api/v1/drafts/{draft['id']}/publish")
    assert response.status_code == 201, response.get_json()
    second = response.get_json()

    undo = designer.post("/api/v1/drafts", json={"definition_id": second["id"]}, expect=201)
    save(designer, app, undo["id"], "appraisal.bpmn", lambda t: t.replace("镇政府月度评分", "镇政府月度考核"))
    third = designer.post(f"/api/v1/drafts/{undo['id']}/publish", json={}, expect=201)
    assert third["version"] == 3 and third["bundle_sha256"] == first["bundle_sha256"]
    assert designer.get(f"/api/v1/definitions/diff?from={first['id']}&to={third['id']}")["identical"] is True
    changed = designer.get(f"/api/v1/definitions/diff?to={third['id']}")["elements"]
    assert [(e["element_id"], e["name"]["zh"]) for e in changed] == [("town_score", "镇政府月度考核")]


def test_diff_refuses_versions_of_two_processes(users: dict[str, User]) -> None:
    designer = users["designer"]
    listed = designer.get("/api/v1/definitions")
    one = next(d for d in listed if d["process_id"] == "appraisal")
    other = next(d for d in listed if d["process_id"] != "appraisal")
    designer.get(f"/api/v1/definitions/diff?from={one['id']}&to={other['id']}", expect=422)
    designer.get("/api/v1/definitions/diff?from=1&to=999999", expect=404)
    designer.get("/api/v1/definitions/diff?from=1", expect=422)
