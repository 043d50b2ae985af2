"""Excel in and out for the sub-bureau: import templates, the applicant import and the exam-score upload.

A file with any bad row is refused whole; the page lists every problem by row and column and nothing of
that file is imported. A good scores sheet fills the enter_exam_scores task and completes it.
"""

from __future__ import annotations

import io
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from service.api.fields import id_or_none
from service.usecases import excel_import, tasks
from service.usecases.errors import InvalidInputError, ServiceError
from service.web import bp, context, language, login_required, refusal, user
from service.web.tasks_pages import completion_message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORES_TASK = "enter_exam_scores"


def _not_bureau() -> tuple[str, int] | None:
    if user().in_department("police_bureau"):
        return None
    return render_template("error.html", message=_("Excel 导入由公安分局办理，您不属于公安分局。")), 403


def _problems(error: ServiceError) -> list[dict[str, Any]]:
    """Row-and-column problems of a refusal: the use case's own list, or a form's field errors."""
    if isinstance(error.errors, list):
        return error.errors
    if isinstance(error.errors, dict):
        return [
            {"row": None, "column": field, "column_en": field, "message": texts[0], "message_en": texts[-1]}
            for field, texts in error.errors.items()
        ]
    return [
        {"row": None, "column": "", "column_en": "", "message": error.message, "message_en": error.message_en}
    ]


def _uploaded() -> bytes | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(excel_import.MAX_BYTES + 1)


def _xlsx(data: bytes, name: str) -> Any:
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/excel")
@login_required
def excel_home() -> Any:
    refused = _not_bureau()
    if refused:
        return refused
    return render_template("excel.html", campaigns=excel_import.open_campaigns(context()))


@bp.get("/excel/templates/<kind>.xlsx")
@login_required
def excel_template(kind: str) -> Any:
    refused = _not_bureau()
    if refused:
        return refused
    names = {"applicants": _("报名人员导入模板"), "scores": _("考试成绩导入模板")}
    if kind not in names:
        return render_template("error.html", message=_("没有这种模板")), 404
    return _xlsx(excel_import.template(kind), f"{names[kind]}.xlsx")


@bp.get("/excel/applicants")
@login_required
def excel_applicants_page() -> Any:
    """Where the language switch (or a reload) after an upload lands: the upload page again."""
    return redirect(url_for("web.excel_home"))


@bp.post("/excel/applicants")
@login_required
def excel_applicants() -> Any:
    refused = _not_bureau()
    if refused:
        return refused
    campaigns = excel_import.open_campaigns(context())
    chosen = request.form.get("campaign_id", "")
    page: dict[str, Any] = {"campaigns": campaigns, "chosen": chosen}
    data = _uploaded()
    if id_or_none(chosen) is None or data is None:
        message = _("请选择招聘批次和要上传的 .xlsx 文件。")
        return render_template("excel.html", message=message, **page), 400
    try:
        imported = excel_import.import_applicants(context(), user(), int(chosen), data)
    except ServiceError as error:
        problems = _problems(error)
        message = (
            _("文件中有 %(n)s 处错误，未导入任何数据。请按下表修改后重新上传。", n=len(problems))
            if isinstance(error, InvalidInputError)
            else _("未导入任何数据：")
        )
        return render_template("excel.html", message=message, problems=problems, **page), error.status
    return render_template("excel.html", imported=imported, **page)


def _scores_task(task_id: str) -> dict[str, Any]:
    detail = tasks.task_detail(context(), user(), task_id)
    if detail["spec_name"] != SCORES_TASK:
        raise ServiceError(_("该任务不是录入考试成绩任务，不能用 Excel 导入成绩。"))
    return detail


def _bureau_scores_task(task_id: str) -> tuple[dict[str, Any] | None, Any]:
    """The exam-score task for a sub-bureau member, or the page refusing it."""
    refused = _not_bureau()
    if refused:
        return None, refused
    try:
        return _scores_task(task_id), None
    except ServiceError as error:
        return None, (render_template("error.html", message=refusal(error)), error.status)


def _task_title(detail: dict[str, Any]) -> str:
    return str(detail["name_en"] if language() == "en" else detail["name_zh"])


@bp.get("/tasks/<task_id>/scores")
@login_required
def scores_upload(task_id: str) -> Any:
    detail, refusal = _bureau_scores_task(task_id)
    if detail is None:
        return refusal
    return render_template("excel_scores.html", task=detail, title=_task_title(detail))


@bp.get("/tasks/<task_id>/scores.xlsx")
@login_required
def scores_sheet(task_id: str) -> Any:
    detail, refusal = _bureau_scores_task(task_id)
    if detail is None:
        return refusal
    try:
        campaign_id = int((detail["data"].get("campaign") or {}).get("campaign_id") or 0)
        data = excel_import.score_sheet(context(), user(), campaign_id)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return _xlsx(data, _("考试成绩（%(id)s）.xlsx", id=detail["instance_id"]))


@bp.post("/tasks/<task_id>/scores")
@login_required
def scores_post(task_id: str) -> Any:
    detail, refusal = _bureau_scores_task(task_id)
    if detail is None:
        return refusal
    page = {"task": detail, "title": _task_title(detail)}
    data = _uploaded()
    if data is None:
        return render_template("excel_scores.html", message=_("请选择要上传的 .xlsx 文件。"), **page), 400
    campaign_id = (detail["data"].get("campaign") or {}).get("campaign_id")
    try:
        scores = excel_import.scores_for(context(), data, campaign_id)
        tasks.complete_task(context(), user(), task_id, {"scores": scores})
    except ServiceError as error:
        problems = _problems(error)
        message = (
            _("文件中有 %(n)s 处错误，成绩未录入。请按下表修改后重新上传。", n=len(problems))
            if isinstance(error, InvalidInputError)
            else _("成绩未录入：")
        )
        return render_template("excel_scores.html", message=message, problems=problems, **page), error.status
    done = _("已从 Excel 录入 %(n)s 条成绩，任务已办结：%(name)s", n=len(scores), name=page["title"])
    flash(completion_message(task_id, done))
    return redirect(url_for("web.queue", department=detail["department_code"]))
