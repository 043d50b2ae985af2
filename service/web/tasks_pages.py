"""The task page: the form rendered from its JSON Schema, validated by the server, completed."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import form_rows, task_record, tasks
from service.usecases.errors import InvalidInputError, ServiceError
from service.web import bp, context, language, login_required, refusal, user
from service.web.display import in_brackets, list_separator
from service.web.forms import build_fields, parse_submission, table_sources
from service.web.pages import add_task_page_facts


def _render(
    detail: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    status: int = 200,
    message: str = "",
) -> tuple[str, int]:
    schema = detail.get("form_schema") or {}
    lang = language()
    title = (schema.get("x-title-en") if lang == "en" else schema.get("title")) or detail["name_zh"]
    # A table field's rows (the exam-score table's applicants) come from the read-only use case it names.
    rows = form_rows.rows_for(context(), user(), detail["id"], table_sources(schema))
    fields = build_fields(schema, lang, values, errors, rows=rows)
    return render_template(
        "task.html", task=detail, schema=schema, title=title, fields=fields, message=message
    ), status


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str) -> Any:
    try:
        detail = tasks.task_detail(context(), user(), task_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    add_task_page_facts(detail)
    # Only the task's own starting values, never its inherited data (another task's answers).
    return _render(detail, detail.get("form_values") or {}, {})


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> Any:
    try:
        # The form and the task only: the submission replaces the data, and completing loads the workflow.
        detail = tasks.task_detail(context(), user(), task_id, with_data=False)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    data = parse_submission(detail.get("form_schema") or {}, request.form)
    try:
        tasks.complete_task(context(), user(), task_id, data)
    except ServiceError as error:
        return _refused(detail, data, error)
    flash(completion_message(task_id, _("任务已办结：%(name)s", name=_task_name(detail))))
    return redirect(url_for("web.queue", department=detail["department_code"]))


def _task_name(task: dict[str, Any]) -> str:
    return str(task["name_en"] if language() == "en" else task["name_zh"])


def completion_message(task_id: str, done: str) -> str:
    """``done`` and where the work went next (the tasks the completion led to, or the end of the process),
    so a person moving on through the queue still learns it; the whole record is on the task's page."""
    try:
        completed = tasks.task_detail(context(), user(), task_id, with_data=False)
        record = task_record.completion_record(context(), completed) or {}
    except ServiceError:
        return done
    en = language() == "en"
    following = [
        f"{_task_name(t)}{in_brackets(t['department_name_en'] if en else t['department_name_zh'])}"
        for t in record.get("next_tasks", [])
    ]
    if following:
        after = _("后续环节：%(tasks)s", tasks=list_separator().join(following))
    elif record.get("instance_completed"):
        after = _("流程结束。")
    else:
        after = _("流程在等待其他环节。")
    return f"{done}{'. ' if en else '。'}{after}"


def _refused(read: dict[str, Any], data: dict[str, Any], error: ServiceError) -> tuple[str, int]:
    """The task page again after a refused submission: what was typed kept, each error next to its field,
    and the grounds and facts beside the form as on reading it (only a refusal pays for reading them)."""
    try:
        detail = tasks.task_detail(context(), user(), read["id"])
        add_task_page_facts(detail)
    except ServiceError:  # the task went away meanwhile: the form as it was posted, with the refusal
        detail = read
    errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
    return _render(detail, data, errors, error.status, refusal(error))
