"""Publish a draft and compare two versions in the browser (issue 14, point 4): the draft page's 发布 button
posts here; the comparison page shows both diagrams with what was added, changed and removed marked, and
lists the elements by name, the decision table rows and the form fields that changed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.usecases import drafts
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from service.usecases.workbench import publish, version_diff
from service.web import bp, context, language, login_required, refusal, user
from service.web.display import process_name

MAX_ID = 2**31 - 1  # the id columns' range: a larger number names nothing


def _id(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise NotFoundError(
            "流程定义 {definition_id} 不存在",
            english="Process definition {definition_id} does not exist",
            definition_id=raw[:20],
        )
    return int(raw)


@bp.get("/definitions/diff")
@login_required
def version_diff_page() -> Any:
    caller = user()
    try:
        to_id = _id("to")
        if to_id is None:
            raise InvalidInputError("请选择要比较的版本", english="Choose the versions to compare")
        from_id, to_id = version_diff.resolve_pair(context(), caller, _id("from"), to_id)
        versions = version_diff.versions_of(context(), caller, to_id)
        compared = (
            version_diff.compare_versions(context(), caller, from_id, to_id, language())
            if from_id is not None
            else None
        )
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    target = next(v for v in versions if v.id == to_id)
    return render_template(
        "version_diff.html",
        versions=versions,
        target=target,
        from_id=from_id,
        to_id=to_id,
        diff=compared,
        side="en" if language() == "en" else "zh",
    )


@bp.post("/definitions/drafts/<int:draft_id>/publish")
@login_required
def draft_publish(draft_id: int) -> Any:
    confirmed = request.form.get("confirm_base_changed") == "1"
    try:
        done = publish.publish_draft(context(), user().username, draft_id, confirm_base_changed=confirmed)
    except InvalidInputError as error:
        problems = (error.errors or {}).get("problems") if isinstance(error.errors, dict) else None
        return render_template(
            "draft_publish.html", draft_id=draft_id, message=refusal(error), problems=problems or []
        ), error.status
    except ConflictError as error:
        details = error.errors if isinstance(error.errors, dict) else {}
        return render_template(
            "draft_publish.html",
            draft_id=draft_id,
            message=refusal(error),
            problems=[],
            confirm=details.get("confirm_base_changed") is not None,
            latest_definition_id=details.get("latest_definition_id"),
            base_definition_id=_base_of(draft_id),
        ), error.status
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    definition = done.definition
    name = process_name(definition.process_id)
    flash(_("已发布%(name)s第 %(n)s 版", name=name, n=definition.version), "ok")
    if done.previous_definition_id is None:
        return redirect(url_for("web.definition_version_page", definition_id=definition.id))
    query = urlencode({"from": done.previous_definition_id, "to": definition.id})
    return redirect(f"{url_for('web.version_diff_page')}?{query}")


def _base_of(draft_id: int) -> int | None:
    try:
        return drafts.get_draft(context(), user().username, draft_id).base_definition_id
    except ServiceError:
        return None
