"""A draft's decision tables and forms in the browser (issue 14, point 1): dmn-js's modeler on a ``.dmn``
file, and a form editor whose live preview is rendered by the task pages' own renderer (``forms.py`` and
``_fields.html``), in Chinese and English side by side. Designers only, on their own drafts.

dmn-js is installed by npm under ``web/node_modules`` like bpmn-js and served from there (``dmn_js``).
The pages' scripts are files under static/ (CSP script-src 'self'); they read the page's data from JSON
blocks and call the endpoints below with the session's CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from service.usecases import drafts
from service.usecases.errors import InvalidInputError, ServiceError
from service.usecases.workbench import draft_editors
from service.web import bp, context, language, login_required, refusal, user
from service.web.forms import build_fields
from service.web.instance_pages import vendor_file
from workflows.data_labels import DATA_LABELS_FILE

DMN_JS_DIST = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "dmn-js" / "dist"
PREVIEW_LANGUAGES = (("zh-CN", "zh"), ("en", "en"))


@bp.get("/vendor/dmn-js/<path:filename>")
def dmn_js(filename: str) -> Any:
    """A file of the dmn-js distribution installed by npm (never any file outside it)."""
    missing = _("决策表组件 dmn-js 未安装：请在 web/ 目录运行 npm ci（./dev 会自动运行）")
    return vendor_file(Path(current_app.config.get("DMN_JS_DIST") or DMN_JS_DIST), filename, missing)


def _page_error(error: ServiceError) -> tuple[str, int]:
    return render_template("error.html", message=refusal(error)), error.status


def _json_error(error: ServiceError) -> tuple[Response, int]:
    return jsonify(ok=False, zh=error.message, en=error.message_en, message=refusal(error)), error.status


def _posted_text() -> str:
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise InvalidInputError(
            "请求中缺少文件内容（text）", english="The request carries no file text (text)"
        )
    return text


def _save(draft_id: int, name: str, kind: str, text: str) -> dict[str, Any]:
    """Save ``text`` as the draft's file, then check the whole draft as deploy would."""
    caller = user()
    opened = draft_editors.open_file(context(), caller, draft_id, name, kind)
    if kind == "form":
        draft_editors.check_form(name, text, opened.files, context().settings.max_bundle_bytes)
    drafts.save_file(context(), caller.username, draft_id, name, text)
    problems = drafts.check_draft(context(), caller.username, draft_id)
    english = language() == "en"
    return {
        "ok": True,
        "saved": True,
        "draft_ok": not problems,
        "problems": [problem.en if english else problem.zh for problem in problems],
    }


# -- decision tables --------------------------------------------------------------------------------------


@bp.get("/definitions/drafts/<int:draft_id>/dmn/<name>")
@login_required
def draft_dmn_page(draft_id: int, name: str) -> Any:
    try:
        opened = draft_editors.open_file(context(), user(), draft_id, name, "dmn")
    except ServiceError as error:
        return _page_error(error)
    return render_template("draft_dmn.html", opened=opened)


@bp.put("/definitions/drafts/<int:draft_id>/dmn/<name>")
@login_required
def draft_dmn_save(draft_id: int, name: str) -> Any:
    try:
        return jsonify(_save(draft_id, name, "dmn", _posted_text()))
    except ServiceError as error:
        return _json_error(error)


# -- forms ------------------------------------------------------------------------------------------------


@bp.get("/definitions/drafts/<int:draft_id>/form/<name>")
@login_required
def draft_form_page(draft_id: int, name: str) -> Any:
    try:
        opened = draft_editors.open_file(context(), user(), draft_id, name, "form")
    except ServiceError as error:
        return _page_error(error)
    labels = opened.file == DATA_LABELS_FILE  # the bundle's data titles: checked and saved, not previewed
    return render_template("draft_form.html", opened=opened, labels=labels)


@bp.post("/definitions/drafts/<int:draft_id>/form/<name>/preview")
@login_required
def draft_form_preview(draft_id: int, name: str) -> Any:
    """The posted form text as the task page would show it, in Chinese and in English; a text the service
    would refuse answers 422 with the reason in both languages instead."""
    try:
        opened = draft_editors.open_file(context(), user(), draft_id, name, "form")
        checked = draft_editors.check_form(
            name, _posted_text(), opened.files, context().settings.max_bundle_bytes
        )
    except ServiceError as error:
        return _json_error(error)
    if checked.labels:
        passed = '<p class="labels-ok">{}</p>'
        return jsonify(
            ok=True,
            labels=True,
            zh=passed.format("数据说明符合发布时的规则"),
            en=passed.format("The data labels meet the rules of publishing"),
            warnings=[],
        )
    panes = {}
    try:
        for locale, lang in PREVIEW_LANGUAGES:
            with force_locale(lang):
                fields = build_fields(checked.schema, locale, {}, {})
                panes[lang] = render_template(
                    "_form_preview.html", schema=checked.schema, fields=fields, pane=lang
                )
    except (AttributeError, TypeError, ValueError) as error:
        # A valid JSON Schema the task page's renderer cannot read (x-enum-labels not an object, ...):
        # the designer is told, with the renderer's reason, rather than getting a server error.
        return _json_error(
            InvalidInputError(
                "任务页面无法显示该表单：{reason}",
                english="The task page cannot show this form: {reason}",
                reason=str(error),
            )
        )
    return jsonify(
        ok=True,
        zh=panes["zh"],
        en=panes["en"],
        warnings=[{"zh": zh, "en": en} for zh, en in checked.warnings],
    )


@bp.put("/definitions/drafts/<int:draft_id>/form/<name>")
@login_required
def draft_form_save(draft_id: int, name: str) -> Any:
    try:
        return jsonify(_save(draft_id, name, "form", _posted_text()))
    except ServiceError as error:
        return _json_error(error)
