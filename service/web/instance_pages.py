"""The instance page: its diagram with element states, its data and its history."""

from __future__ import annotations

from typing import Any

from flask import render_template

from service.usecases import instances
from service.usecases.errors import ServiceError
from service.web import bp, context, login_required, user


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int) -> Any:
    try:
        detail = instances.instance_detail(context(), user(), instance_id)
        history = instances.instance_history(context(), user(), instance_id, 1, 200)
    except ServiceError as error:
        return render_template("error.html", message=error.message), error.status
    return render_template("instance.html", instance=detail, history=history.items)
