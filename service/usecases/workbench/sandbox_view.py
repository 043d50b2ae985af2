"""The sandbox page's reading (issue 14, point 3): a draft's run as a designer reads it, by names and titles.

The diagram is the instance page's (lanes by department name, the run's elements marked completed, waiting
or active); each step's result and the data it changed are titled as the instance page titles data
(service/usecases/data_view.py), from the draft's own forms and data labels.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from service.context import ServiceContext
from service.persistence.models import DraftModel, SandboxRunModel
from service.usecases.data_view import data_view
from service.usecases.diagrams import served_diagram
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.names import department_names
from service.usecases.workbench import sandbox, scenarios
from service.usecases.workbench.owned import own_draft
from service.usecases.workbench.sandbox import draft_specs
from workflows.diagram import process_file
from workflows.specs import ProcessSpecs


def require_designer(caller: Caller) -> None:
    if not caller.has_role("designer"):
        raise ForbiddenError("只有流程设计人员可以试运行草稿", english="Only process designers try drafts")


def sandbox_page(
    ctx: ServiceContext, caller: Caller, draft_id: int, run_id: int | None, lang: str
) -> dict[str, Any]:
    """Everything the sandbox page shows: the draft, its start form or a sample, the run and its steps,
    the diagram with the path, and the process's scenarios."""
    require_designer(caller)
    with ctx.database.reading() as session:
        draft = own_draft(session, caller.username, draft_id)
        session.expunge(draft)
        if run_id is None:
            run_id = sandbox.latest_run_id(ctx, caller.username, draft_id)
        last = session.get(SandboxRunModel, run_id) if run_id is not None else None
        if last is not None and last.draft_id != draft_id:
            raise NotFoundError(
                "草稿 {draft_id} 没有试运行 {run_id}",
                english="Draft {draft_id} has no sandbox run {run_id}",
                draft_id=draft_id,
                run_id=run_id,
            )
        previous_start = dict(last.start_data) if last is not None and last.owner == caller.username else None
        departments = department_names(session)
    problems: list[str] = []
    try:
        specs: ProcessSpecs | None = draft_specs(dict(draft.files))
    except InvalidInputError as error:
        specs, problems = None, list((error.errors or {}).get("problems") or [])
    run = sandbox.run_detail(ctx, caller.username, run_id) if run_id is not None and specs else None
    start_form = _start_form(specs, draft.process_id) if specs else None
    diagram = None
    xml = process_file(dict(draft.files), draft.process_id)
    if xml is not None and specs is not None:
        data = run["data"] if run else {}
        try:
            labelled = served_diagram(xml, data, departments, lang)
        except Exception:  # noqa: BLE001 - a draft's lane the lint would refuse: the diagram as drawn
            labelled = xml
        diagram = {"bpmn_xml": labelled, "states": run["states"] if run else {}, "names": {}}
    with ctx.database.reading() as session:
        steps = _readable_steps(session, specs, draft.process_id, run["steps"]) if run and specs else []
        end_data = data_view(session, specs, draft.process_id, run["data"]) if run and specs else None
    return {
        "draft": draft,
        "parse_problems": problems,
        "start_form": start_form,
        "start_sample": json.dumps(
            previous_start or _sample(specs, draft.process_id, ctx), ensure_ascii=False, indent=2
        ),
        "samples_text": json.dumps(run["operator_results"] if run else {}, ensure_ascii=False, indent=2),
        "run": run,
        "steps": steps,
        "end_data": end_data,
        "diagram": diagram,
        "scenarios": scenarios.list_scenarios(ctx, caller.username, draft_id),
    }


def _start_form(specs: ProcessSpecs, process_id: str) -> dict[str, Any] | None:
    rule = specs.start_rules.get(process_id)
    if rule is None or not rule.form or rule.form not in specs.forms:
        return None
    return specs.forms[rule.form]


def _sample(specs: ProcessSpecs | None, process_id: str, ctx: ServiceContext) -> dict[str, Any]:
    """Start data to edit: each key the data labels say the start writes, with a value of its kind."""
    if specs is None or _start_form(specs, process_id) is not None:
        return {}
    labels = specs.data_labels.get("labels") or {}
    now = ctx.clock.now()
    kinds = {
        "number": 1,
        "boolean": False,
        "money": 0,
        "date": now.date().isoformat(),
        "datetime": now.isoformat(timespec="seconds"),
        "deadline": (now + timedelta(days=7)).isoformat(timespec="seconds"),
        "town": "gushan",
        "village": "gs-v01",
    }
    return {
        key: kinds.get(str(node.get("x-kind")), node.get("title") or key)
        for key, node in labels.items()
        if isinstance(node, dict) and node.get("x-written-by") == "start"
    }


def _readable_steps(
    session: Any, specs: ProcessSpecs, process_id: str, steps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each step with its result and the data it changed, titled (names, not codes)."""
    readable = []
    before: dict[str, Any] = {}
    for number, step in enumerate(steps, start=1):
        data = step.get("data") or {}
        changed = {k: v for k, v in data.items() if before.get(k, object()) != v}
        detail = step.get("detail") or {}
        shown = None
        if step["kind"] == "user_task":
            shown = data_view(session, specs, process_id, detail.get("submitted") or {})
        elif step["kind"] == "decision":
            shown = data_view(session, specs, process_id, detail.get("result") or {})
        readable.append(
            {
                **step,
                "number": number,
                "result": shown,
                "changed": data_view(session, specs, process_id, changed) if changed else None,
            }
        )
        before = {**before, **data}  # parallel branches: what any earlier step already showed
    return readable


def draft_of(ctx: ServiceContext, caller: Caller, draft_id: int) -> DraftModel:
    require_designer(caller)
    with ctx.database.reading() as session:
        draft = own_draft(session, caller.username, draft_id)
        session.expunge(draft)
        return draft
