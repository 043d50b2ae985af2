"""Home (my queues) and the queue page."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.usecases import tasks
from service.usecases.errors import ServiceError
from service.web import bp, context, flash_error, login_required, page_number, refusal, user


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
def claim(task_id: str) -> Response:
    try:
        tasks.claim_task(context(), user(), task_id)
    except ServiceError as error:
        flash_error(error)
    return redirect(request.form.get("next") or url_for("web.task", task_id=task_id))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> Response:
    try:
        tasks.release_task(context(), user(), task_id)
    except ServiceError as error:
        flash_error(error)
    return redirect(request.form.get("next") or url_for("web.task", task_id=task_id))
