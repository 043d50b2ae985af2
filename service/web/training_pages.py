"""Training and confidentiality on the web (issue 17, point 6): the sub-bureau plans a training (the start
form of the ``training`` model), registers an officer's undertaking from the officer's page, and reads the
list of officers in service without one."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError, ServiceError
from service.usecases.roster import training_start
from service.usecases.roster.training import TRAINING, UNDERTAKING
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission


def _form_text(schema: dict[str, Any], key: str) -> str:
    english = schema.get(f"x-{key}-en") if language() == "en" else None
    return str(english or schema.get(key) or "")


def _plan_page(
    schema: dict[str, Any], values: dict[str, Any], errors: dict[str, Any], message: str = ""
) -> str:
    return render_template(
        "training_start.html",
        title=_form_text(schema, "title"),
        description=_form_text(schema, "description"),
        fields=build_fields(schema, language(), values, errors),
        message=message,
    )


@bp.get("/training/start")
@login_required
def training_start_page() -> Any:
    try:
        schema = training_start.start_form(context(), user(), TRAINING)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _plan_page(schema, {}, {})


@bp.post("/training/start")
@login_required
def training_start_post() -> Any:
    try:
        schema = training_start.start_form(context(), user(), TRAINING)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    posted = parse_submission(schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value != ""}
    try:
        started = training_start.start_training(context(), user(), data)
    except ServiceError as error:
        if isinstance(error, ForbiddenError | NotFoundError):
            return render_template("error.html", message=refusal(error)), error.status
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        return _plan_page(schema, data, errors, refusal(error)), error.status
    flash(
        _(
            "已制定培训计划，为 %(count)s 名参训辅警建立了培训记录；培训结束后在待办中逐人登记考勤与结果。",
            count=started["count"],
        )
    )
    return redirect(url_for("web.instance", instance_id=started["instance_id"]))


@bp.post("/officers/<int:officer_id>/undertaking")
@login_required
def undertaking_start(officer_id: int) -> Any:
    try:
        started = training_start.start_undertaking(context(), user(), officer_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    if started["task_id"]:
        return redirect(url_for("web.task", task_id=started["task_id"]))
    return redirect(url_for("web.instance", instance_id=started["instance_id"]))


@bp.get("/undertakings/missing")
@login_required
def undertakings_missing() -> Any:
    try:
        officers = training_start.missing_undertakings(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return render_template("undertakings_missing.html", officers=officers, english=language() == "en")


@bp.app_context_processor
def _training_links() -> dict[str, Any]:
    def may_register_undertaking() -> bool:
        """Whether the signed-in person may register an undertaking (the model's ``startedBy``)."""
        return training_start.may_start_process(context(), user(), UNDERTAKING)

    return {"may_register_undertaking": may_register_undertaking}
