"""Score in a table (issue 15, point 1): the open tasks of one step of a department, one row per officer and
the step's form as columns; each row completed on its own through the single completion's use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import bulk_scoring
from service.usecases.errors import ServiceError
from service.web import bp, context, current_user, language, login_required, refusal, user
from service.web.forms import parse_submission

ROW_PREFIX = "r"


@dataclass
class Cell:
    """One input of a row: its posted name, label for screen readers, value shown and error beside it."""

    column: dict[str, Any]
    name: str
    label: str
    value: Any = None
    error: str = ""


@dataclass
class Row:
    task: dict[str, Any]
    cells: list[Cell] = field(default_factory=list)
    result: str = ""  # refused, taken, skipped after a submission
    message: str = ""  # the row's refusal that is no single cell's


@bp.app_template_global("bulk_steps_for")
def bulk_steps_for(department: str) -> list[dict[str, Any]]:
    """The steps of ``department`` the signed-in user may score in a table (the queue and inbox link them)."""
    caller = current_user()
    if caller is None:
        return []
    try:
        return bulk_scoring.bulk_steps(context(), caller, department)
    except ServiceError:
        return []


@bp.get("/bulk/<department>/<step>")
@login_required
def bulk_page(department: str, step: str) -> Any:
    try:
        table = bulk_scoring.bulk_table(context(), user(), department, step)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _render(table, {}, {})


@bp.post("/bulk/<department>/<step>")
@login_required
def bulk_submit(department: str, step: str) -> Any:
    ctx, caller = context(), user()
    try:
        table = bulk_scoring.bulk_table(ctx, caller, department, step)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    posted = [task_id for task_id in request.form.getlist("row") if task_id]
    schema = table["form_schema"]
    data = {
        task_id: parse_submission(schema, request.form, prefix=f"{ROW_PREFIX}.{task_id}.")
        for task_id in posted
    }
    try:
        outcome = bulk_scoring.bulk_complete(
            ctx, caller, department, step, [{"task_id": t, "data": data[t]} for t in posted]
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    summary = _summary(outcome)
    if not outcome["refused"] and not outcome["taken"]:
        flash(summary)
        return redirect(url_for("web.bulk_page", department=department, step=step))
    results = {r["task_id"]: r for r in outcome["results"]}
    kept = {t: data[t] for t, r in results.items() if r["result"] in ("refused", "skipped")}
    try:
        table = bulk_scoring.bulk_table(ctx, caller, department, step)  # completed rows have left it
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _render(table, kept, results, summary=summary, status=422 if outcome["refused"] else 200)


def _summary(outcome: dict[str, Any]) -> str:
    parts = [_("已办结 %(n)s 项", n=outcome["completed"])]
    if outcome["refused"]:
        parts.append(_("%(n)s 项有误未办结，请按表中提示修改后再次提交", n=outcome["refused"]))
    if outcome["taken"]:
        parts.append(_("%(n)s 项已由他人认领或办理，未作改动", n=outcome["taken"]))
    if outcome["skipped"]:
        parts.append(_("%(n)s 行未填写，已跳过", n=outcome["skipped"]))
    return ("; " if language() == "en" else "；").join(parts)


def _render(
    table: dict[str, Any],
    values: dict[str, dict[str, Any]],
    results: dict[str, dict[str, Any]],
    summary: str = "",
    status: int = 200,
) -> tuple[str, int]:
    en = language() == "en"
    columns = table["columns"]
    rows = []
    for task in table["rows"]:
        result = results.get(task["task_id"]) or {}
        errors = result.get("errors") or {}
        row = Row(task=task, result=result.get("result", ""))
        who = task["officer_name"]
        for column in columns:
            name = column["field"]
            title = column["title_en"] if en else column["title_zh"]
            label = f"{who}: {title}" if en else f"{who}：{title}"
            message = errors.pop(name, None)
            row.cells.append(
                Cell(
                    column=column,
                    name=f"{ROW_PREFIX}.{task['task_id']}.{name}",
                    label=label,
                    value=_value_at(values.get(task["task_id"]) or {}, name),
                    error=_pick(message, en) if message else "",
                )
            )
        leftover = [_pick(m, en) for m in errors.values()]
        if row.result == "refused" and not any(c.error for c in row.cells) and not leftover:
            leftover = [result.get("message_en" if en else "message") or ""]
        if row.result == "taken":
            leftover = [_("已由 %(person)s 认领或办理，本行未作改动", person=result.get("taken_by") or "")]
        row.message = ("; " if en else "；").join(m for m in leftover if m)
        rows.append(row)
    groups = _groups(columns, en)
    page = render_template(
        "bulk.html", table=table, rows=rows, columns=columns, groups=groups, summary=summary, en=en
    )
    return page, status


def _value_at(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _pick(messages: Any, en: bool) -> str:
    if isinstance(messages, list | tuple) and messages:
        return str(messages[1] if en and len(messages) > 1 else messages[0])
    return str(messages)


def _groups(columns: list[dict[str, Any]], en: bool) -> list[tuple[str, int]]:
    """The header's first row: each group's title over its columns (an empty title over a lone field)."""
    groups: list[tuple[str, int]] = []
    for column in columns:
        title = column["group_en"] if en else column["group_zh"]
        if groups and title and groups[-1][0] == title:
            groups[-1] = (title, groups[-1][1] + 1)
        else:
            groups.append((title, 1))
    return groups
