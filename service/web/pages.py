"""Home (my queues), the queue page and the queue actions: claim, release and a head's handover."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import handover, task_record, tasks
from service.usecases.errors import ForbiddenError, NotFoundError, ServiceError
from service.web import (
    bp,
    context,
    display,
    flash_error,
    language,
    login_required,
    page_number,
    refusal,
    safe_next,
    user,
)


@bp.get("/")
@login_required
def home() -> str:
    caller = user()
    queues = tasks.queues(context(), caller) if caller.departments else []
    return render_template("home.html", queues=queues)


@bp.get("/queues/<department>")
@login_required
def queue(department: str) -> Any:
    args = request.args
    sort = args.get("sort", "created")
    text = args.get("q", "").strip()
    try:
        page = tasks.queue_tasks(
            context(),
            user(),
            department,
            args.get("state") or None,
            page_number(),
            50,
            args.get("overdue") == "1",
            search=text,
            sort=sort,
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return render_template(
        "queue.html",
        department=department,
        page=page,
        items=page.items,
        sort=sort,
        q=text,
        state=args.get("state", ""),
        overdue=args.get("overdue") == "1",
    )


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    try:
        claimed = tasks.claim_task(context(), user(), task_id)
    except ServiceError as error:
        return _refused(error)
    flash(_("已认领：%(name)s", name=_task_name(claimed)))
    # Claiming is the start of the work: the task opens, ready to fill in.
    return redirect(url_for("web.task", task_id=task_id))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> Any:
    try:
        released = tasks.release_task(context(), user(), task_id)
    except ServiceError as error:
        return _refused(error)
    flash(_("已释放，任务已退回部门待办：%(name)s", name=_task_name(released)))
    return redirect(_back(url_for("web.task", task_id=task_id)))


@bp.post("/tasks/<task_id>/reassign")
@login_required
def reassign(task_id: str) -> Any:
    """A head's handover from the task page: take the task over, or give it to a member, with a reason."""
    caller = user()
    take_over = request.form.get("take_over") == "1"
    username = caller.username if take_over else request.form.get("username", "").strip()
    try:
        moved = handover.reassign_task(context(), caller, task_id, username, request.form.get("reason", ""))
    except ServiceError as error:
        return _refused(error)
    if take_over:
        flash(_("您已接手办理：%(name)s", name=_task_name(moved)))
    else:
        flash(_("已改派给 %(person)s：%(name)s", person=display.person(username), name=_task_name(moved)))
    return redirect(url_for("web.task", task_id=task_id))


def _refused(error: ServiceError) -> Any:
    """A refused action: a task that does not exist, or is not the caller's to see, is the error page;
    any other refusal (taken already, a reason missing) is flashed on the page the action came from."""
    if isinstance(error, NotFoundError | ForbiddenError):
        return render_template("error.html", message=refusal(error)), error.status
    flash_error(error)
    # Back to the page the form was on: this site's path of the referrer, never another site.
    came_from = urlsplit(request.referrer or "")
    path = f"{came_from.path}?{came_from.query}" if came_from.query else came_from.path
    here = path if came_from.netloc == request.host else ""
    return redirect(_back(safe_next(here, url_for("web.home"))))


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _task_name(task: dict[str, Any]) -> str:
    return str(task["name_en"] if language() == "en" else task["name_zh"])


def add_task_page_facts(detail: dict[str, Any]) -> None:
    """What the task page needs beyond the task: what the caller may do with it (the form, a claim, a
    release, a head's handover) and, once it is done, its record."""
    caller, ctx = user(), context()
    department = detail["department_code"]
    active = detail["state"] in ("open", "claimed")
    for_caller = caller.in_department(department) and (not detail["head_only"] or caller.heads(department))
    mine_or_free = detail["state"] == "open" or detail["claimed_by"] == caller.username
    detail["can_act"] = active and for_caller and mine_or_free
    detail["may_claim"] = detail["can_act"] and detail["state"] == "open"
    detail["may_release"] = detail["can_act"] and detail["state"] == "claimed"
    detail["handover_choices"] = handover.handover_choices(ctx, caller, department) if active else []
    detail["record"] = task_record.completion_record(ctx, detail) if detail["state"] == "completed" else None
