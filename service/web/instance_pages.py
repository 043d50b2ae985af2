"""The instance page: its diagram with element states, its tasks, its data and its history.

The diagram is drawn in the browser by the bpmn-js viewer, which npm installs under ``web/node_modules``
(``./dev`` runs ``npm ci``); it is never copied into the repository and is served from there by
``bpmn_js`` below. Tasks, data and history are plain HTML and need no JavaScript.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app, render_template, send_from_directory
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from service.usecases import diagrams, incident_board, instances, names, tasks
from service.usecases.errors import ServiceError
from service.web import (
    bp,
    context,
    instance_list_pages,  # noqa: F401  (the list of cases: its route)
    language,
    login_required,
    page_number,
    refusal,
    user,
)

HISTORY_PER_PAGE = 100
BPMN_JS_DIST = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "bpmn-js" / "dist"
# Only the viewer bundle, its stylesheets and the diagram font are served from the package.
ASSET_SUFFIXES = (".js", ".css", ".woff", ".woff2", ".ttf", ".eot", ".svg")


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int) -> Any:
    # One read transaction for the page and its names (it was about 20, one per use case and lookup).
    with context().database.shared_reading():
        return _instance_page(instance_id)


def _instance_page(instance_id: int) -> Any:
    caller, page = user(), page_number()
    diagram, diagram_error = None, ""
    try:
        diagram = diagrams.instance_diagram(context(), caller, instance_id, language())
    except ServiceError as error:
        diagram_error = refusal(error)  # the data and history are still worth showing
    try:
        # The diagram already loaded the workflow and read its data: do not load it a second time.
        detail = instances.instance_detail(context(), caller, instance_id, include_data=diagram is None)
        history = instances.instance_history(context(), caller, instance_id, page, HISTORY_PER_PAGE)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    with context().database.reading() as session:  # the page's read: the names it shows, one query each
        names.person_names(
            session,
            {detail["started_by"], *(t.completed_by or t.claimed_by for t in detail["tasks"])}
            | {event.actor for event in history.items},
        )
        names.village_names(session, (detail["business_key"] or "").split("/"))
    if diagram is not None:
        # Taken out of the diagram: the page embeds the diagram as JSON, and the raw data is not for staff.
        detail["data"] = diagram.pop("data")
    try:
        readable = instances.people_view(context(), detail, history)
    except ServiceError as error:
        return render_template("error.html", message=refusal(error)), error.status
    open_incidents = incident_board.open_incidents_of(context(), caller, instance_id)
    pages = max((history.total + HISTORY_PER_PAGE - 1) // HISTORY_PER_PAGE, 1)
    return render_template(
        "instance.html",
        instance=detail,
        history=history,
        pages=pages,
        diagram=diagram,
        diagram_error=diagram_error,
        incidents=open_incidents,
        readable=readable,
        # A task's name links to its page only for whoever may open it (a designer reads the case, not
        # another department's tasks).
        may_read_task=partial(tasks.may_read_task, caller),
        # The raw data is for those who read models and records; staff read the titled fields only.
        show_json=caller.has_role("designer") or caller.has_role("auditor"),
    )


@bp.get("/vendor/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> Any:
    """A file of the bpmn-js distribution installed by npm (never any file outside it)."""
    missing = _("流程图组件 bpmn-js 未安装：请在 web/ 目录运行 npm ci（./dev 会自动运行）")
    return vendor_file(Path(current_app.config.get("BPMN_JS_DIST") or BPMN_JS_DIST), filename, missing)


def vendor_file(root: Path, filename: str, missing: str) -> Any:
    """A script, stylesheet or font of an npm package's distribution folder ``root``; ``missing`` says what
    to run when npm has not installed it."""
    if not root.is_dir():
        return Response(missing, status=404, mimetype="text/plain")
    if not filename.endswith(ASSET_SUFFIXES):
        return Response(_("不提供该文件"), status=404, mimetype="text/plain")
    # send_from_directory refuses any path that leaves ``root`` (404).
    return send_from_directory(root, filename, max_age=86400)
