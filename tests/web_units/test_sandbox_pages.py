"""The sandbox page (issue 14, point 3) without a browser: only the draft's owner among designers reaches it;
sample data that is not JSON, or a task's form filled wrongly, is refused with the reason on the page (422)
and nothing is saved; a scenario the draft no longer replays is listed by the draft page's check, on its
element."""

from __future__ import annotations

import html
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, SandboxRunModel
from service.usecases import drafts
from service.usecases.workbench import sandbox, scenarios
from tests.api.appraisal_steps import SANDBOX_MONTH, rubric
from tests.web_units.browser_session import csrf, web_login


def appraisal_draft(ctx: ServiceContext, owner: str) -> int:
    with ctx.database.reading() as session:
        definition = session.scalar(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "appraisal").limit(1)
        )
    assert definition is not None
    return drafts.create_draft(ctx, owner, int(definition)).id


def page(client: FlaskClient, url: str, expect: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == expect, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def runs(ctx: ServiceContext) -> int:
    with ctx.database.reading() as session:
        return session.scalar(select(func.count()).select_from(SandboxRunModel)) or 0


def test_only_the_drafts_owner_reaches_its_sandbox(app: Flask, ctx: ServiceContext) -> None:
    theirs = appraisal_draft(ctx, "another_designer")
    mine = appraisal_draft(ctx, "designer")
    designer = web_login(app, "designer")
    assert "开始新的试运行" in page(designer, f"/definitions/drafts/{mine}/sandbox")
    assert "试运行" in page(designer, f"/definitions/drafts/{mine}")  # the draft page links here
    refused = page(designer, f"/definitions/drafts/{theirs}/sandbox", expect=403)
    assert "只有草稿的创建者可以查看和修改它" in refused
    page(web_login(app, "auditor"), f"/definitions/drafts/{mine}/sandbox", expect=403)
    page(designer, "/definitions/drafts/999999/sandbox", expect=404)
    other = appraisal_draft(ctx, "designer")
    run = sandbox.start_run(ctx, "designer", other, SANDBOX_MONTH)
    page(designer, f"/definitions/drafts/{mine}/sandbox?run={run['id']}", expect=404)  # another draft's run
    assert 'id="run-status"' in page(designer, f"/definitions/drafts/{other}/sandbox?run={run['id']}")


def test_bad_sample_data_and_a_bad_form_are_refused_on_the_page(app: Flask, ctx: ServiceContext) -> None:
    draft = appraisal_draft(ctx, "designer")
    client = web_login(app, "designer")
    url = f"/definitions/drafts/{draft}/sandbox"
    token = csrf(client, url)
    response = client.post(f"{url}/runs", data={"start_data": "{not json", "csrf_token": token})
    assert response.status_code == 422
    assert "start_data 不是有效的 JSON" in html.unescape(response.get_data(as_text=True))
    deep = "[" * 100 + "]" * 100
    response = client.post(
        f"{url}/runs", data={"start_data": json.dumps({"x": json.loads(deep)}), "csrf_token": token}
    )
    assert response.status_code == 422
    assert runs(ctx) == 0

    response = client.post(f"{url}/runs", data={"start_data": json.dumps(SANDBOX_MONTH), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = page(client, response.headers["Location"])
    task = re.search(r'/sandbox/runs/(\d+)/tasks/([0-9a-f-]+)"', shown)
    assert task is not None
    form = {"csrf_token": token, "station_items.attendance_discipline": "99"}
    response = client.post(f"{url}/runs/{task.group(1)}/tasks/{task.group(2)}", data=form)
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert 'class="field has-error"' in body and "表单填写有误" in body
    run = sandbox.run_detail(ctx, "designer", int(task.group(1)))
    assert run["steps"][-1]["element_id"] == "scoring_split"  # nothing completed


def test_a_scenario_the_draft_breaks_is_on_the_check(app: Flask, ctx: ServiceContext) -> None:
    draft = appraisal_draft(ctx, "designer")
    run = sandbox.start_run(ctx, "designer", draft, SANDBOX_MONTH)
    task = next(t for t in run["ready_tasks"] if t["element_id"] == "station_score")
    station = {"station_items": rubric("station_score.json", "station_items", 0.5)}
    run = sandbox.complete_task(ctx, "designer", run["id"], task["task_id"], station)
    scenarios.save_scenario(ctx, "designer", draft, run["id"], "派出所打分")
    # Renaming a task changes no path: the scenario still replays.
    model = drafts.draft_file(ctx, "designer", draft, "appraisal.bpmn")
    renamed = model.replace('name="派出所日常管理考核"', 'name="派出所考核"', 1)
    assert renamed != model
    drafts.save_file(ctx, "designer", draft, "appraisal.bpmn", renamed)
    assert [r["passed"] for r in scenarios.replay_scenarios(ctx, "designer", draft)] == [True]
    # A form that now requires a field the scenario never filled in breaks it, on its task.
    form = json.loads(drafts.draft_file(ctx, "designer", draft, "station_score.json"))
    form["properties"]["remark"] = {"type": "string", "title": "备注", "x-title-en": "Remark"}
    form["required"] = [*form["required"], "remark"]
    drafts.save_file(ctx, "designer", draft, "station_score.json", json.dumps(form, ensure_ascii=False))
    client = web_login(app, "designer")
    token = csrf(client, f"/definitions/drafts/{draft}")
    response = client.post(f"/definitions/drafts/{draft}/check", data={"csrf_token": token})
    body = html.unescape(response.get_data(as_text=True))
    assert "场景“派出所打分”重放结果与记录不同" in body, body[-3000:]
    assert 'data-element="station_score"' in body


def test_a_process_with_a_start_form_starts_from_that_form(app: Flask, ctx: ServiceContext) -> None:
    with ctx.database.reading() as session:
        definition = session.scalar(
            select(DefinitionModel.id).where(DefinitionModel.process_id == "recruitment").limit(1)
        )
    draft = drafts.create_draft(ctx, "designer", int(definition or 0)).id
    client = web_login(app, "designer")
    url = f"/definitions/drafts/{draft}/sandbox"
    shown = page(client, url)
    assert 'id="in-subject"' in shown and 'id="start-data"' not in shown
    token = csrf(client, url)
    response = client.post(f"{url}/runs", data={"csrf_token": token})
    assert response.status_code == 422
    assert 'class="field has-error"' in html.unescape(response.get_data(as_text=True))
    response = client.post(f"{url}/runs", data={"csrf_token": token, "subject": "2026年招聘"})
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = page(client, response.headers["Location"])
    assert 'data-element="draft_plan"' in shown and 'data-element="compute_posts_task"' in shown


def test_a_draft_that_does_not_parse_says_so_and_cannot_start(app: Flask, ctx: ServiceContext) -> None:
    draft = appraisal_draft(ctx, "designer")
    model = drafts.draft_file(ctx, "designer", draft, "appraisal.bpmn")
    drafts.save_file(ctx, "designer", draft, "appraisal.bpmn", model.replace("</bpmn:process>", "", 1))
    client = web_login(app, "designer")
    url = f"/definitions/drafts/{draft}/sandbox"
    assert 'id="parse-problems"' in page(client, url)
    response = client.post(
        f"{url}/runs", data={"start_data": json.dumps(SANDBOX_MONTH), "csrf_token": csrf(client, url)}
    )
    assert response.status_code == 422
    assert "草稿无法解析" in html.unescape(response.get_data(as_text=True))
    assert runs(ctx) == 0
