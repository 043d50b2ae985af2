"""Try a draft in the browser (issue 14, point 3): /definitions/drafts/<id>/sandbox starts a run on sample
data, shows the ready tasks with their real forms (the task pages' renderer), completes them, skips waits,
highlights the path on the diagram, lists each step's decisions and data, saves a run as a scenario and
replays the process's scenarios. Designers only, the draft's owner only; the same use cases as the API."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from service.api.edge import check_json
from service.usecases.errors import InvalidInputError, ServiceError
from service.usecases.workbench import sandbox, sandbox_view, scenarios
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission


def _page(draft_id: int, run_id: int | None = None, status: int = 200, **extra: Any) -> Any:
    try:
        view = sandbox_view.sandbox_page(context(), user(), draft_id, run_id, language())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    run = view["run"]
    chosen = extra.pop("task_id", None) or request.args.get("task")
    task = None
    if run and run["ready_tasks"]:
        task = next((t for t in run["ready_tasks"] if t["task_id"] == chosen), run["ready_tasks"][0])
    task_fields = []
    if task and task["form_schema"]:
        values = extra.pop("task_values", None) or task["form_values"]
        task_fields = build_fields(task["form_schema"], language(), values, extra.pop("task_errors", {}))
    start_fields = []
    if view["start_form"]:
        start_fields = build_fields(
            view["start_form"], language(), extra.pop("start_values", {}), extra.pop("start_errors", {})
        )
    body = render_template(
        "sandbox.html", task=task, task_fields=task_fields, start_fields=start_fields, **view, **extra
    )
    return body, status


def _json_field(name: str) -> dict[str, Any]:
    text = request.form.get(name, "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInputError(
            "{name} 不是有效的 JSON：{reason}",
            errors={name: ["不是有效的 JSON", "Not valid JSON"]},
            english="{name} is not valid JSON: {reason}",
            name=name,
            reason=str(error),
        ) from error
    check_json(value, context().settings.max_json_depth)  # the API's own bounds on a JSON body
    if not isinstance(value, dict):
        raise InvalidInputError(
            "{name} 应是一个 JSON 对象（{{...}}）",
            errors={name: ["应是 JSON 对象", "Must be a JSON object"]},
            english="{name} must be a JSON object ({{...}})",
            name=name,
        )
    return value


@bp.get("/definitions/drafts/<int:draft_id>/sandbox")
@login_required
def sandbox_page(draft_id: int) -> Any:
    run = request.args.get("run", "")
    return _page(draft_id, int(run) if run.isdigit() else None)


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/runs")
@login_required
def sandbox_start(draft_id: int) -> Any:
    caller = user()
    try:
        draft = sandbox_view.draft_of(context(), caller, draft_id)
        start_form = sandbox_view.sandbox_page(context(), caller, draft_id, None, language())["start_form"]
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    posted: dict[str, Any] = {}
    try:
        if start_form:
            posted = parse_submission(start_form, request.form)
            data = {k: v for k, v in posted.items() if v not in ("", None)}
        else:
            data = _json_field("start_data")
        samples = _json_field("operator_results")
        run = sandbox.start_run(context(), caller.username, draft.id, data, samples)
    except ServiceError as error:
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        return _page(
            draft_id, None, error.status, message=refusal(error), start_values=posted, start_errors=errors
        )
    flash(_("已开始试运行（不影响任何正式数据）"), "ok")
    return redirect(url_for("web.sandbox_page", draft_id=draft_id, run=run["id"]))


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/runs/<int:run_id>/tasks/<task_id>")
@login_required
def sandbox_complete(draft_id: int, run_id: int, task_id: str) -> Any:
    caller = user()
    try:
        view = sandbox_view.sandbox_page(context(), caller, draft_id, run_id, language())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    task = next((t for t in (view["run"] or {}).get("ready_tasks", []) if t["task_id"] == task_id), None)
    data = parse_submission(task["form_schema"], request.form) if task and task["form_schema"] else {}
    try:
        samples = _json_field("operator_results")
        sandbox.complete_task(context(), caller.username, run_id, task_id, data, samples)
    except ServiceError as error:
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        return _page(
            draft_id,
            run_id,
            error.status,
            message=refusal(error),
            task_id=task_id,
            task_values=data,
            task_errors=errors,
        )
    flash(
        _(
            "已完成任务“%(name)s”",
            name=task["name_en" if language() == "en" else "name"] if task else task_id,
        ),
        "ok",
    )
    return redirect(url_for("web.sandbox_page", draft_id=draft_id, run=run_id) + "#run")


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/runs/<int:run_id>/skip")
@login_required
def sandbox_skip(draft_id: int, run_id: int) -> Any:
    try:
        sandbox_view.draft_of(context(), user(), draft_id)
        sandbox.skip_wait(context(), user().username, run_id, request.form.get("timer") or None)
    except ServiceError as error:
        return _page(draft_id, run_id, error.status, message=refusal(error))
    flash(_("已跳过等待：试运行的时钟已拨到定时器到期时"), "ok")
    return redirect(url_for("web.sandbox_page", draft_id=draft_id, run=run_id) + "#run")


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/runs/<int:run_id>/scenario")
@login_required
def sandbox_save_scenario(draft_id: int, run_id: int) -> Any:
    name = request.form.get("name", "")
    try:
        sandbox_view.draft_of(context(), user(), draft_id)
        scenarios.save_scenario(context(), user().username, draft_id, run_id, name)
    except ServiceError as error:
        return _page(draft_id, run_id, error.status, message=refusal(error), scenario_name=name)
    flash(_("已保存场景“%(name)s”：每次检查草稿时都会重放", name=name.strip()), "ok")
    return redirect(url_for("web.sandbox_page", draft_id=draft_id, run=run_id) + "#scenarios")


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/replay")
@login_required
def sandbox_replay(draft_id: int) -> Any:
    try:
        sandbox_view.draft_of(context(), user(), draft_id)
        results = scenarios.replay_scenarios(context(), user().username, draft_id)
    except ServiceError as error:
        return _page(draft_id, None, error.status, message=refusal(error))
    run = request.form.get("run", "")
    return _page(draft_id, int(run) if run.isdigit() else None, replay_results=results)


@bp.post("/definitions/drafts/<int:draft_id>/sandbox/scenarios/<int:scenario_id>/delete")
@login_required
def sandbox_delete_scenario(draft_id: int, scenario_id: int) -> Response | Any:
    try:
        sandbox_view.draft_of(context(), user(), draft_id)
        scenarios.delete_scenario(context(), user().username, draft_id, scenario_id)
    except ServiceError as error:
        return _page(draft_id, None, error.status, message=refusal(error))
    flash(_("已删除场景"), "ok")
    return redirect(url_for("web.sandbox_page", draft_id=draft_id) + "#scenarios")
