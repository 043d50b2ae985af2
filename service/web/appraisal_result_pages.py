"""The lists behind the appraisal dashboard's numbers (issue 15, point 6): a month's results filtered by
town, grade and veto, and its overdue appraisal tasks by town and department, each with its Excel export."""

from __future__ import annotations

import io
from typing import Any

from flask import render_template, request, send_file
from flask_babel import gettext as _

from service.usecases import appraisal_results
from service.usecases.appraisal_result_export import OVERDUE_COLUMNS, RESULT_COLUMNS, rows_xlsx
from service.usecases.appraisal_results import ResultFilters
from service.usecases.dashboards import TOWN_DEPARTMENT_KINDS
from service.usecases.errors import ServiceError
from service.web import bp, context, language, login_required, refusal, user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRADE_CODES = {code for code, _zh, _en in appraisal_results.grade_choices()}


def _arg(name: str) -> str | None:
    return request.args.get(name, "").strip()[:32] or None


def _result_filters() -> ResultFilters:
    grade = _arg("grade")
    return ResultFilters(
        town=_arg("town"),
        grade=grade if grade in GRADE_CODES else None,
        veto=request.args.get("veto") == "1",
        confirmed=request.args.get("confirmed") == "1",
    )


def _query(filters: ResultFilters) -> dict[str, str]:
    pairs = (
        ("town", filters.town),
        ("grade", filters.grade),
        ("veto", "1" if filters.veto else None),
        ("confirmed", "1" if filters.confirmed else None),
    )
    return {key: value for key, value in pairs if value}


def _refused(error: ServiceError) -> tuple[str, int]:
    return render_template("error.html", message=refusal(error)), error.status


@bp.get("/appraisals/<month>/results")
@login_required
def appraisal_results_page(month: str) -> Any:
    filters = _result_filters()
    try:
        listing = appraisal_results.month_results(context(), user(), month, filters)
    except ServiceError as error:
        return _refused(error)
    english = language() == "en"
    return render_template(
        "appraisal_results.html",
        listing=listing,
        month=month,
        filters=filters,
        query=_query(filters),
        towns=appraisal_results.visible_towns(context(), user()),
        grades=[(code, en if english else zh) for code, zh, en in appraisal_results.grade_choices()],
        english=english,
    )


@bp.get("/appraisals/<month>/results.xlsx")
@login_required
def appraisal_results_export(month: str) -> Any:
    filters = _result_filters()
    try:
        listing = appraisal_results.month_results(context(), user(), month, filters)
    except ServiceError as error:
        return _refused(error)
    english = language() == "en"
    title = f"Appraisal results {month}" if english else f"{month} 考核结果"
    data = rows_xlsx(title, "Results" if english else "考核结果", RESULT_COLUMNS, listing["rows"], english)
    return send_file(
        io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"appraisal-{month}.xlsx"
    )


def _kind() -> str | None:
    kind = _arg("kind")
    return kind if kind in TOWN_DEPARTMENT_KINDS else None


@bp.get("/appraisals/<month>/overdue")
@login_required
def appraisal_overdue_page(month: str) -> Any:
    try:
        listing = appraisal_results.overdue_tasks(context(), user(), month, _arg("town"), _kind())
    except ServiceError as error:
        return _refused(error)
    query = {key: value for key, value in (("town", listing["town"]), ("kind", listing["kind"])) if value}
    return render_template(
        "appraisal_overdue.html",
        listing=listing,
        month=month,
        query=query,
        towns=appraisal_results.visible_towns(context(), user()),
        kinds=[("police_station", _("派出所")), ("town_gov", _("镇政府"))],
        english=language() == "en",
    )


@bp.get("/appraisals/<month>/overdue.xlsx")
@login_required
def appraisal_overdue_export(month: str) -> Any:
    try:
        listing = appraisal_results.overdue_tasks(context(), user(), month, _arg("town"), _kind())
    except ServiceError as error:
        return _refused(error)
    english = language() == "en"
    title = f"Overdue appraisal tasks {month}" if english else f"{month} 逾期未办的考核任务"
    data = rows_xlsx(title, "Overdue" if english else "逾期任务", OVERDUE_COLUMNS, listing["rows"], english)
    name = f"appraisal-overdue-{month}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
