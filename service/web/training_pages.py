"""Training, confidentiality and the payroll on the web (issue 17, points 6 and 8): the start form of a
process its model opens to departments (a training plan, the month's payroll), an officer's undertaking
registered from the officer's page, the list of officers in service without one, and the payroll's Excel
sheet (download prefilled, upload to submit)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import payroll_workbook, start_forms
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError, ServiceError
from service.usecases.roster import training_start
from service.usecases.roster.training import TRAINING, UNDERTAKING
from service.usecases.roster.training_cohort import CHOSEN
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields, parse_submission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_text(schema: dict[str, Any], key: str) -> str:
    english = schema.get(f"x-{key}-en") if language() == "en" else None
    return str(english or schema.get(key) or "")


def _start_page(
    process_id: str,
    schema: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
    message: str = "",
    existing: Any = None,
) -> str:
    if process_id == TRAINING:
        schema = _with_officers(schema)
    return render_template(
        "process_start.html",
        existing=existing,
        process_id=process_id,
        title=_form_text(schema, "title"),
        description=_form_text(schema, "description"),
        fields=build_fields(schema, language(), values, errors),
        message=message,
    )


def _with_officers(schema: dict[str, Any]) -> dict[str, Any]:
    """The training plan's form with the officers to choose by name (in service, with village and town)."""
    properties = schema.get("properties", {})
    if CHOSEN not in properties:
        return schema
    choices = training_start.cohort_choices(context(), language())
    labels = {str(officer): label for officer, label in choices}
    items = {**properties[CHOSEN].get("items", {}), "enum": [officer for officer, _l in choices]}
    items["x-enum-labels"] = {"zh": labels, "en": labels}
    return {**schema, "properties": {**properties, CHOSEN: {**properties[CHOSEN], "items": items}}}


@bp.get("/processes/<process_id>/start")
@login_required
def process_start_page(process_id: str) -> Any:
    """The start form of a process its model opens to departments (training, payroll), for its starters."""
    try:
        schema = start_forms.start_form(context(), user(), process_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _start_page(process_id, schema, {}, {})


@bp.post("/processes/<process_id>/start")
@login_required
def process_start_post(process_id: str) -> Any:
    try:
        schema = start_forms.start_form(context(), user(), process_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    # The officers chosen by name are posted as boxes: read as the page offered them.
    posted = parse_submission(_with_officers(schema) if process_id == TRAINING else schema, request.form)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in posted.items()}
    data = {key: value for key, value in data.items() if value != ""}
    try:
        started = training_start.start_process(context(), user(), process_id, data)
    except ServiceError as error:
        if isinstance(error, ForbiddenError | NotFoundError):
            return render_template("error.html", message=refusal(error)), error.status
        errors = (error.errors or {}) if isinstance(error, InvalidInputError) else {}
        # A second payroll of a month names the first; the page links to it.
        existing = error.params.get("existing_instance_id")
        return _start_page(process_id, schema, data, errors, refusal(error), existing), error.status
    flash(_("已启动“%(name)s”", name=started["name_en" if language() == "en" else "name_zh"]))
    if started["task_id"]:
        return redirect(url_for("web.task", task_id=started["task_id"]))
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
        return start_forms.may_start_process(context(), user(), UNDERTAKING)

    def process_tools() -> list[dict[str, str]]:
        """The home page's tools to start training and the payroll, and the list of missing undertakings,
        for whom the models and the list are open to."""
        caller = user()
        tools = []
        for process_id, label, help_text in (
            (TRAINING, _("制定培训计划"), _("为一批辅警安排教育培训，培训后逐人登记考勤与结果")),
            ("payroll", _("报送工资表"), _("按月报送辅警工资、五险一金和奖励，由财政金融局核对确认")),
        ):
            if start_forms.may_start_process(context(), caller, process_id):
                url = url_for("web.process_start_page", process_id=process_id)
                tools.append(
                    {"id": f"tool-start-{process_id}", "url": url, "label": label, "help": help_text}
                )
        if caller.in_department(training_start.LIST_DEPARTMENT):
            tools.append(
                {
                    "id": "tool-missing-undertakings",
                    "url": url_for("web.undertakings_missing"),
                    "label": _("未签保密承诺书"),
                    "help": _("在岗但未登记保密承诺书的辅警（不予发放工资）"),
                }
            )
        return tools

    def missing_undertaking_count() -> int:
        """How many officers in service have no undertaking, for the sub-bureau (0 for anyone else)."""
        try:
            return len(training_start.missing_undertakings(context(), user()))
        except ForbiddenError:
            return 0

    return {
        "may_register_undertaking": may_register_undertaking,
        "process_tools": process_tools,
        "missing_undertaking_count": missing_undertaking_count,
    }


@bp.get("/payroll/<task_id>/workbook.xlsx")
@login_required
def payroll_workbook_download(task_id: str) -> Any:
    """The month's payroll sheet, prefilled with the officers to be paid at the standard."""
    try:
        name, content = payroll_workbook.payroll_sheet(context(), user(), task_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    response = make_response(content)
    response.headers["Content-Type"] = XLSX
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@bp.post("/payroll/<task_id>/workbook")
@login_required
def payroll_workbook_upload(task_id: str) -> Any:
    """Submit the payroll from the filled-in sheet; a refusal (a cell, the form, the header) is shown on the
    task's page, the check's result as its grounds."""
    upload = request.files.get("file")
    try:
        payroll_workbook.upload_payroll(context(), user(), task_id, upload.read() if upload else b"")
    except ServiceError as error:
        flash(refusal(error), "error")
        return redirect(url_for("web.task", task_id=task_id))
    flash(_("已上传工资表，系统已与辅警名册和保障标准核对"))
    return redirect(url_for("web.home"))
