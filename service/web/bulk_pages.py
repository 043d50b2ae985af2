"""Score in a table (issue 15, point 1): the open tasks of one step of a department, one row per officer and
the step's form as columns; each row completed on its own through the single completion's use case."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from service.usecases import bulk_scoring, bulk_workbook
from service.usecases.errors import InvalidInputError, ServiceError
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
    if request.form.get("fill") == "maximum":  # 全部填满分 without JavaScript: filled in, nothing completed
        filled = _fill_maximum(table["columns"], data)
        return _render(table, data, {}, summary=_("已为 %(n)s 个空格填入满分，请核对后提交", n=filled))
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


def _fill_maximum(columns: list[dict[str, Any]], data: dict[str, dict[str, Any]]) -> int:
    """Put each score's maximum in the cells left empty (what was typed, even wrongly, is kept)."""
    filled = 0
    for task_id, values in data.items():
        for column in columns:
            if column["kind"] not in ("integer", "number") or column["maximum"] is None:
                continue
            if request.form.get(f"{ROW_PREFIX}.{task_id}.{column['field']}", "").strip():
                continue
            *groups, name = column["field"].split(".")
            node = values
            for group in groups:
                node = node.setdefault(group, {})
            node[name] = column["maximum"]
            filled += 1
    return filled


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/bulk/<department>/<step>/workbook.xlsx")
@login_required
def bulk_workbook_download(department: str, step: str) -> Any:
    """The table as an Excel workbook (``?fill=maximum``: each score at its maximum)."""
    full = request.args.get("fill") == "maximum"
    try:
        content, name = bulk_workbook.bulk_sheet(context(), user(), department, step, full_marks=full)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/bulk/<department>/<step>/workbook")
@login_required
def bulk_workbook_page(department: str, step: str) -> Any:
    """Where the language switch (or a reload) after an upload lands: the table again."""
    return redirect(url_for("web.bulk_page", department=department, step=step))


@bp.post("/bulk/<department>/<step>/workbook")
@login_required
def bulk_workbook_upload(department: str, step: str) -> Any:
    """Complete the rows of a filled workbook; the page lists a result per row, or the file's problems."""
    ctx, caller = context(), user()
    upload = request.files.get("file")
    content = upload.stream.read(bulk_workbook.MAX_BYTES + 1) if upload and upload.filename else None
    report: dict[str, Any]
    status = 200
    if content is None:
        report, status = {"message": _("请选择要上传的 .xlsx 文件。")}, 400
    else:
        try:
            outcome = bulk_workbook.bulk_upload(ctx, caller, department, step, content)
        except InvalidInputError as error:
            report, status = {"message": _excel_refusal(error), "problems": error.errors or []}, error.status
        except ServiceError as error:
            return render_template("error.html", message=refusal(error)), error.status
        else:
            report = {"results": outcome["results"], "summary": _upload_summary(outcome)}
    try:
        table = bulk_scoring.bulk_table(ctx, caller, department, step)  # completed rows have left it
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    page, _status = _render(table, {}, {}, upload=report)
    return page, status


def _excel_refusal(error: InvalidInputError) -> str:
    problems = error.errors if isinstance(error.errors, list) else []
    if not problems or (len(problems) == 1 and problems[0].get("row") is None):  # the file as a whole
        return _("未办结任何任务：") + refusal(error)
    return _("文件中有 %(n)s 处错误，未办结任何任务。请按下表修改后重新上传。", n=len(problems))


def _upload_summary(outcome: dict[str, Any]) -> str:
    parts = [_("已按 Excel 表格办结 %(n)s 项", n=outcome["completed"])]
    if outcome["refused"] or outcome["taken"]:
        parts.append(_("%(n)s 行未办结，原因见下表", n=outcome["refused"] + outcome["taken"]))
    if outcome["skipped"]:
        parts.append(_("%(n)s 行未填写，已跳过", n=outcome["skipped"]))
    return ("; " if language() == "en" else "；").join(parts)


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
    upload: dict[str, Any] | None = None,
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
        "bulk.html",
        table=table,
        rows=rows,
        columns=columns,
        groups=groups,
        summary=summary,
        en=en,
        upload=upload,
        outcome_text=_outcome_text,
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


def _outcome_text(result: dict[str, Any]) -> str:
    """What became of an uploaded row, in words: 成功, or why not."""
    en = language() == "en"
    if result["result"] == "completed":
        return _("成功")
    if result["result"] == "skipped":
        return _("未填写，已跳过")
    if result["result"] == "taken":
        return _("已由 %(person)s 认领或办理，本行未作改动", person=result.get("taken_by") or "")
    fields = [_pick(m, en) for m in (result.get("errors") or {}).values()]
    return ("; " if en else "；").join(fields or [result.get("message_en" if en else "message") or ""])
