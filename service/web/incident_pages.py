"""The incident page for designers and admins: instances that cannot go on by themselves; resolving one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from service.api.fields import id_or_none
from service.usecases import incident_board
from service.usecases.errors import ForbiddenError, ServiceError
from service.web import (
    bp,
    context,
    current_user,
    flash_error,
    login_required,
    page_number,
    refusal,
    safe_next,
    user,
)
from service.web.display import label_of

PER_PAGE = 50

KIND_LABELS = {
    "budget": lazy_gettext("超出执行上限"),
    "too_large": lazy_gettext("任务树过大"),
    "model_error": lazy_gettext("模型执行出错"),
    "stalled": lazy_gettext("流程停滞"),
}


@bp.app_template_filter("incident_kind")
def incident_kind(code: str) -> str:
    return label_of(KIND_LABELS, code)


@bp.app_context_processor
def _incident_links() -> dict[str, Callable[[], bool]]:
    """``incident_access()`` in templates: whether the signed-in user sees and resolves incidents."""

    def incident_access() -> bool:
        caller = current_user() if session.get("user_id") else None
        return caller is not None and incident_board.can_handle_incidents(caller)

    return {"incident_access": incident_access}


def _filters() -> tuple[bool, int | None]:
    """Open ones only unless ``all=1``; one instance's when ``instance_id`` is a number."""
    instance_id = request.args.get("instance_id", "")
    return request.args.get("all") != "1", id_or_none(instance_id)


@bp.get("/incidents")
@login_required
def incident_list() -> Any:
    open_only, instance_id = _filters()
    caller = user()
    try:
        page = incident_board.incident_page(
            context(), caller, open_only, instance_id, page_number(), PER_PAGE
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    query = {
        name: value
        for name, value in (("all", "" if open_only else "1"), ("instance_id", instance_id or ""))
        if value
    }
    return render_template(
        "incidents.html",
        page=page,
        pages=max((page.total + PER_PAGE - 1) // PER_PAGE, 1),
        open_only=open_only,
        instance_id=instance_id,
        query=query,
        can_open_instances=incident_board.can_open_instances(caller),
    )


@bp.post("/incidents/<int:incident_id>/resolve")
@login_required
def resolve_incident(incident_id: int) -> Any:
    try:
        incident_board.resolve(context(), user(), incident_id, request.form.get("resolution", ""))
    except ForbiddenError as error:
        return render_template("error.html", message=refusal(error)), error.status
    except ServiceError as error:
        flash_error(error)
    else:
        flash(_("异常事件 #%(id)s 已处理", id=incident_id), "ok")
    target = safe_next(request.form.get("next"), "")
    # Only a page of this list: a form field must not send the browser elsewhere.
    return redirect(target if target.startswith("/incidents") else url_for("web.incident_list"))
