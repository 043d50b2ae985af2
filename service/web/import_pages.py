"""Import a model from Camunda Modeler, Flowable or Activiti (issue 14, point 6): the designer uploads its
files and gets a new draft, the list of what was mapped and the problems left, each linked to its element
in the draft's modeler (service/usecases/workbench/camunda_import.py)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from service.usecases.errors import InvalidInputError, ServiceError
from service.usecases.workbench import camunda_import
from service.web import bp, context, language, login_required, refusal, user
from workflows.specs import BPMN_SUFFIXES, MAX_FILE_BYTES

MAX_FILES = 50


def _not_designer() -> tuple[str, int] | None:
    if user().has_role("designer"):
        return None
    return render_template("error.html", message=_("只有流程设计人员可以导入模型。")), 403


def _uploads() -> dict[str, str]:
    """The uploaded files as text by name; a file too large is refused before it is read whole."""
    files: dict[str, str] = {}
    for upload in request.files.getlist("files")[:MAX_FILES]:
        if not upload.filename:
            continue
        raw = upload.stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InvalidInputError(
                "文件 {name} 超过 {limit} 字节",
                english="The file {name} is larger than {limit} bytes",
                name=upload.filename,
                limit=MAX_FILE_BYTES,
            )
        files[upload.filename] = camunda_import.decode_upload(upload.filename, raw)
    return files


def _shown(note: dict[str, Any], draft_id: int) -> dict[str, Any]:
    """A mapped item or problem in the page's language, with the modeler's link to its element."""
    file, element = note.get("file"), note.get("element_id")
    link = None
    if file and str(file).endswith(BPMN_SUFFIXES):
        link = f"/definitions/drafts/{draft_id}/bpmn/{file}" + (f"?element={element}" if element else "")
    return {
        **note,
        "text": note["en"] if language() == "en" else note["zh"],
        "link": link,
    }


@bp.get("/definitions/import")
@login_required
def import_page() -> Any:
    refused = _not_designer()
    if refused:
        return refused
    return render_template("import_model.html")


@bp.post("/definitions/import")
@login_required
def import_upload() -> Any:
    refused = _not_designer()
    if refused:
        return refused
    try:
        files = _uploads()
        if not files:
            message = _("请选择要导入的模型文件（.bpmn、.bpmn20.xml、.dmn）及其 JSON 表单。")
            return render_template("import_model.html", message=message), 400
        result = camunda_import.import_model(context(), user().username, files)
    except ServiceError as error:
        found = error.errors.get("problems", []) if isinstance(error.errors, dict) else []
        reasons = [_half(text) for text in found]
        return render_template("import_model.html", message=refusal(error), reasons=reasons), error.status
    draft_id = result.draft.id
    return render_template(
        "import_model.html",
        draft=result.draft,
        mapped=[_shown(n, draft_id) for n in result.mapped],
        problems=[_shown(n, draft_id) for n in result.problems],
        renamed=result.renamed,
    )


def _half(text: str) -> str:
    """The page's language half of a refusal stated ``zh / en``."""
    zh, sep, en = text.partition(" / ")
    return (en if language() == "en" else zh) if sep else text
