"""The designers' definitions area (issue 14, point 1, first slice): every process with its versions, and
one version's files and diagram (the instance page's bpmn-js viewer, without element states)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, session

from service.usecases import definition_catalogue
from service.usecases.errors import ServiceError
from service.web import bp, context, current_user, language, login_required, refusal, user


@bp.app_context_processor
def _definitions_link() -> dict[str, Callable[[], bool]]:
    """``definitions_access()`` in templates: whether the signed-in user reads the definitions area."""

    def definitions_access() -> bool:
        caller = current_user() if session.get("user_id") else None
        return caller is not None and definition_catalogue.may_read(caller)

    return {"definitions_access": definitions_access}


@bp.get("/definitions")
@login_required
def definitions_page() -> Any:
    try:
        processes = definition_catalogue.catalogue(context(), user())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return render_template("definitions.html", processes=processes)


@bp.get("/definitions/<int:definition_id>")
@login_required
def definition_version_page(definition_id: int) -> Any:
    try:
        detail = definition_catalogue.version_detail(context(), user(), definition_id, language())
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    return render_template("definition_version.html", **detail)
