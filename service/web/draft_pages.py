"""The designers' draft pages (issue 14, points 1-2): their drafts, one draft's files and its check, and the
bpmn-js Modeler with our own properties panel for the extension keys (docs/design.md, "Designer's
workbench").

The modeler saves and checks through the two JSON endpoints below (browser session + CSRF header), which
call the same use cases as ``/api/v1/drafts``. Only designers reach these pages; a draft only its owner.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from service.usecases import drafts
from service.usecases.errors import InvalidInputError, ServiceError
from service.usecases.workbench import draft_views
from service.web import bp, context, flash_error, language, login_required, modeler_labels, refusal, user


def _refused(error: ServiceError) -> tuple[str, int]:
    return render_template("error.html", message=refusal(error)), error.status


def _json_refused(error: ServiceError) -> tuple[Response, int]:
    body = {
        "code": error.code,
        "status": error.status,
        "message": refusal(error),
        "errors": error.errors or {},
    }
    return jsonify(body), error.status


@bp.get("/definitions/drafts")
@login_required
def drafts_page() -> Any:
    try:
        rows = draft_views.my_drafts(context(), user())
    except ServiceError as error:
        return _refused(error)
    return render_template("drafts.html", drafts=rows)


@bp.post("/definitions/drafts")
@login_required
def draft_create() -> Any:
    caller = user()
    try:
        draft_views.require_designer(caller)
        definition_id = int(request.form.get("definition_id", ""))
    except ValueError:
        return _refused(
            InvalidInputError("请选择草稿所基于的流程版本", english="Choose the version to start from")
        )
    except ServiceError as error:
        return _refused(error)
    try:
        draft = drafts.create_draft(context(), caller.username, definition_id)
    except ServiceError as error:
        return _refused(error)
    flash(_("已从该版本新建草稿，发布前不会影响任何运行中的流程"), "success")
    return redirect(url_for("web.draft_page", draft_id=draft.id))


@bp.get("/definitions/drafts/<int:draft_id>")
@login_required
def draft_page(draft_id: int) -> Any:
    return _overview(draft_id, None)


def _overview(draft_id: int, problems: list[drafts.Problem] | None) -> Any:
    try:
        detail = draft_views.draft_overview(context(), user(), draft_id)
    except ServiceError as error:
        return _refused(error)
    urls = file_urls(draft_id, [name for names in detail["files"].values() for name in names])
    return render_template("draft.html", problems=problems, file_urls=urls, **detail)


def file_urls(draft_id: int, names: list[str]) -> dict[str, str]:
    """Each file's editor: BPMN in the modeler, DMN in dmn-js, forms and data labels in the form editor."""
    endpoints = {"bpmn": "web.draft_modeler", "dmn": "web.draft_dmn_page", "forms": "web.draft_form_page"}
    kinds = draft_views.file_kinds(dict.fromkeys(names, ""))
    return {
        name: url_for(endpoints[kind], draft_id=draft_id, name=name)
        for kind, found in kinds.items()
        for name in found
    }


@bp.post("/definitions/drafts/<int:draft_id>/check")
@login_required
def draft_check(draft_id: int) -> Any:
    """The check of the whole draft: JSON for the modeler (``Accept: application/json``), else the overview
    page with the problems listed."""
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        draft_views.require_designer(user())
        problems = drafts.check_draft(context(), user().username, draft_id)
    except ServiceError as error:
        return _json_refused(error) if wants_json else _refused(error)
    if wants_json:
        return jsonify(
            {"ok": not drafts.blocks_publishing(problems), "problems": [_problem(p) for p in problems]}
        )
    return _overview(draft_id, problems)


def _problem(problem: drafts.Problem) -> dict[str, Any]:
    return {
        "element_id": problem.element_id,
        "process_id": problem.process_id,
        "file": problem.file,
        "zh": problem.zh,
        "en": problem.en,
        "line": problem.line,
        "severity": problem.severity,  # error blocks publishing; warning is advice
    }


@bp.post("/definitions/drafts/<int:draft_id>/delete")
@login_required
def draft_delete(draft_id: int) -> Any:
    try:
        draft_views.require_designer(user())
        drafts.delete_draft(context(), user().username, draft_id)
    except ServiceError as error:
        flash_error(error)
        return redirect(url_for("web.draft_page", draft_id=draft_id))
    flash(_("草稿已删除"), "success")
    return redirect(url_for("web.drafts_page"))


@bp.get("/definitions/drafts/<int:draft_id>/bpmn/<name>")
@login_required
def draft_modeler(draft_id: int, name: str) -> Any:
    try:
        data = draft_views.modeler_data(context(), user(), draft_id, name)
    except ServiceError as error:
        return _refused(error)
    page = {
        "xml": data["xml"],
        "choices": data["choices"],
        "lang": language(),
        "save_url": url_for("web.draft_file_save", draft_id=draft_id, name=name),
        "check_url": url_for("web.draft_check", draft_id=draft_id),
        "element": request.args.get("element") or None,
        "labels": modeler_labels.labels(),
        "csrf": generate_csrf(),
        # A problem of another process is linked to that process's file in its own modeler.
        "process_urls": {
            process_id: url_for("web.draft_modeler", draft_id=draft_id, name=file)
            for process_id, file in draft_views.process_files(dict(data["draft"].files)).items()
        },
        "file_urls": file_urls(draft_id, sorted(data["draft"].files)),
        "own_processes": sorted(
            p for p, file in draft_views.process_files(dict(data["draft"].files)).items() if file == name
        ),
    }
    return render_template("draft_modeler.html", draft=data["draft"], name=name, page=page)


@bp.put("/definitions/drafts/<int:draft_id>/files/<name>")
@login_required
def draft_file_save(draft_id: int, name: str) -> Any:
    """Save one file of the draft from the modeler: JSON ``{"text": ...}``, CSRF token in X-CSRFToken."""
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    try:
        draft_views.require_designer(user())
        if not isinstance(text, str):
            raise InvalidInputError(
                "缺少文件内容", english="The file's text is missing", errors={"text": ["缺少文件内容"]}
            )
        draft = drafts.save_file(context(), user().username, draft_id, name, text)
    except ServiceError as error:
        return _json_refused(error)
    return jsonify({"saved": name, "updated_at": draft.updated_at.isoformat()})
