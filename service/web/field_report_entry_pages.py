"""The station's page of its officers' monthly reports still in their own queues, where a clerk takes the
report of an officer without an account to enter it from the signed paper sheet (issue 17, point 7;
service/usecases/on_behalf.py)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from service.usecases import field_report_entry, on_behalf
from service.usecases.errors import ServiceError
from service.web import bp, context, current_user, flash_error, language, login_required, user


@bp.app_context_processor
def _entry_link() -> dict[str, Any]:
    def field_report_entry_access() -> bool:
        """Whether the signed-in person is in a police station (the model's ``onBehalfBy`` of the report)."""
        caller = current_user()
        prefix = f"{field_report_entry.STATION_KIND}:"
        return caller is not None and any(code.startswith(prefix) for code in caller.memberships)

    return {"field_report_entry_access": field_report_entry_access}


@bp.get("/field-reports/awaiting-entry")
@login_required
def field_reports_awaiting_entry() -> Any:
    reports = field_report_entry.awaiting_entry(context(), user())
    return render_template("field_report_entry.html", reports=reports, english=language() == "en")


@bp.post("/field-reports/awaiting-entry/<task_id>")
@login_required
def field_report_take(task_id: str) -> Any:
    try:
        taken = on_behalf.take_on_behalf(context(), user(), task_id)
    except ServiceError as error:
        flash_error(error)
        return redirect(url_for("web.field_reports_awaiting_entry"))
    flash(_("已接办，请依据辅警签字的纸质报告录入，并上传该纸质报告"), "success")
    return redirect(url_for("web.task", task_id=taken["id"]))
