"""The campaign page's calendar actions (issue 13, point 2): each form posts here, the use case decides
who may (the bureau head; a task's department head) and the page shows the outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from service.usecases.errors import InvalidInputError, ServiceError
from service.usecases.recruitment import calendar
from service.web import bp, context, flash_error, login_required, user
from service.web.display import china_time, colon

# What a calendar change moved, by the key its audit event keeps.
CHANGED_LABELS = {
    "registration_end": lazy_gettext("报名截止日期"),
    "closes_at": lazy_gettext("报名截止时间"),
    "ends_at": lazy_gettext("公示结束时间"),
    "due_at": lazy_gettext("完成期限"),
}


def _day(field: str) -> date:
    raw = request.form.get(field, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            "请选择有效的日期", errors={field: ["不是有效日期", "Not a valid date"]}
        ) from None


def _calendar(campaign_id: int) -> str:
    return url_for("web.campaign_dashboard", campaign_id=campaign_id, _anchor="calendar")


def _run(action: Callable[[str], Any], done: str, back: str) -> Any:
    """Make the change with the form's reason, show its outcome, and go back to ``back``."""
    try:
        action(request.form.get("reason", ""))
    except ServiceError as error:
        flash_error(error)
    else:
        flash(done, "ok")
    return redirect(back)


@bp.post("/dashboards/campaigns/<int:campaign_id>/calendar/close-registration")
@login_required
def close_registration_now(campaign_id: int) -> Any:
    return _run(
        lambda reason: calendar.close_registration_now(context(), user(), campaign_id, reason),
        _("报名已结束，系统将在下一轮定时处理中汇总资格审查结果"),
        _calendar(campaign_id),
    )


@bp.post("/dashboards/campaigns/<int:campaign_id>/calendar/extend-registration")
@login_required
def extend_registration(campaign_id: int) -> Any:
    return _run(
        lambda reason: calendar.extend_registration(
            context(), user(), campaign_id, _day("registration_end"), reason
        ),
        _("报名截止日期已延长"),
        _calendar(campaign_id),
    )


@bp.post("/dashboards/campaigns/<int:campaign_id>/notices/<int:instance_id>/extend")
@login_required
def extend_notice(campaign_id: int, instance_id: int) -> Any:
    return _run(
        lambda reason: calendar.extend_notice(
            context(), user(), campaign_id, instance_id, _day("ends_on"), reason
        ),
        _("公示期已延长"),
        _calendar(campaign_id),
    )


@bp.post("/dashboards/campaigns/<int:campaign_id>/notices/<int:instance_id>/end")
@login_required
def end_notice_now(campaign_id: int, instance_id: int) -> Any:
    return _run(
        lambda reason: calendar.end_notice_now(context(), user(), campaign_id, instance_id, reason),
        _("公示已提前结束，系统将在下一轮定时处理中进入签订合同环节"),
        _calendar(campaign_id),
    )


@bp.post("/dashboards/campaigns/<int:campaign_id>/tasks/<task_id>/due-date")
@login_required
def extend_task_due(campaign_id: int, task_id: str) -> Any:
    return _run(
        lambda reason: calendar.extend_task_due(context(), user(), task_id, _day("due_on"), reason),
        _("任务期限已延长"),
        _calendar(campaign_id),
    )


@bp.post("/tasks/<task_id>/due-date")
@login_required
def extend_due_on_task_page(task_id: str) -> Any:
    """The same from the task's own page (a task outside any campaign: the month's scoring)."""
    return _run(
        lambda reason: calendar.extend_task_due(context(), user(), task_id, _day("due_on"), reason),
        _("任务期限已延长"),
        url_for("web.task", task_id=task_id),
    )


def change_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What a calendar change moved, one line per value: ``报名截止时间：… → …`` in Beijing time."""
    lines = []
    for key in after:
        if before.get(key) == after.get(key):
            continue  # closing now leaves the announced end date as it was
        label = CHANGED_LABELS.get(key, key)
        lines.append(f"{label}{colon()}{_shown(before.get(key))} → {_shown(after.get(key))}")
    return lines


def _shown(value: Any) -> str:
    if not value:
        return "—"
    text = str(value)
    if "T" in text:
        try:
            return china_time(datetime.fromisoformat(text), seconds=False)
        except ValueError:
            return text
    return text
