"""The bell in the navigation and the notifications page (issue 15, point 5).

The bell is a plain link with the unread count in its text and its accessible name ("3 条未读通知"), so it
works without script. Opening an item is a form (POST, CSRF): it marks the notification read and goes to
its task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from service.usecases.errors import ServiceError
from service.usecases.notifications import reading
from service.web import bp, context, current_user, login_required, page_number, refusal, safe_next, user

PER_PAGE = 30


@bp.app_context_processor
def _bell() -> dict[str, Callable[[], int | None]]:
    """``unread_notifications()`` in templates: the signed-in user's unread count (None when signed out)."""

    def unread_notifications() -> int | None:
        caller = current_user() if session.get("user_id") else None
        return reading.unread_count(context(), caller) if caller is not None else None

    return {"unread_notifications": unread_notifications, "notification_cap": lambda: reading.COUNT_CAP}


@bp.get("/notifications")
@login_required
def notifications() -> Any:
    unread_only = request.args.get("unread") == "1"
    page = reading.notification_page(context(), user(), unread_only, page_number(), PER_PAGE)
    return render_template(
        "notifications.html",
        page=page,
        pages=max((page.total + PER_PAGE - 1) // PER_PAGE, 1),
        unread_only=unread_only,
        query={"unread": "1"} if unread_only else {},
    )


def _back() -> Any:
    target = safe_next(request.form.get("next"), "")
    return redirect(target if target.startswith("/notifications") else url_for("web.notifications"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Any:
    try:
        notification = reading.mark_read(context(), user(), notification_id)
        if notification.kind == "handed_away":  # the task is someone else's now: the case, if still readable
            link = reading.one_item(context(), user(), notification_id)["link"]
            return redirect(link or url_for("web.notifications"))
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return redirect(url_for("web.task", task_id=notification.task_id))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int) -> Any:
    try:
        reading.mark_read(context(), user(), notification_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    flash(_("已标为已读"), "ok")
    return _back()


@bp.post("/notifications/read-all")
@login_required
def read_all_notifications() -> Any:
    marked = reading.mark_all_read(context(), user())
    flash(_("%(n)s 条通知已标为已读", n=marked), "ok")
    return _back()
