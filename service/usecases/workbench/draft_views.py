"""What the designers' draft pages show (issue 14, points 1-2): a designer's drafts with the version each
started from, one draft's files by kind, and the choices the modeler's properties panel offers (registered
departments and their scoped kinds, the draft's forms, the service's operators, start use cases and grounds
panels). Reading only: creating, saving, checking and deleting a draft are the use cases of
``service.usecases.drafts``."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, DraftModel
from service.usecases import drafts
from service.usecases.diagrams import DEPARTMENT_KINDS
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, NotFoundError
from service.usecases.grounds import PANELS
from service.usecases.names import department_names
from service.usecases.runner import OPERATORS
from service.usecases.starting import START_USE_CASES
from workflows.extensions import ATTACHMENT_LABELS, PERSONAL_QUEUE_KIND
from workflows.specs import BPMN_SUFFIXES

# The lane of an officer's own tasks (their monthly report), which no department row lists: named, not coded.
OWN_QUEUE = {"code": f"{PERSONAL_QUEUE_KIND}:{{officer_id}}", "zh": "辅警本人", "en": "The officer"}

# The grounds panels by name as a designer reads them (the vocabulary is docs/design.md's "Grounds beside
# the form"); a panel the service adds later without a label here is offered by its name.
PANEL_LABELS: dict[str, tuple[str, str]] = {
    "plan_table": ("招聘计划表", "Staffing plan table"),
    "return_note": ("退回意见", "Return note"),
    "application": ("报名信息", "Application"),
    "rejected_candidates": ("本村已淘汰的考生", "Candidates of the village already rejected"),
    "hired_person": ("录用人员", "Hired person"),
    "scoring_subject": ("考核对象", "Officer being scored"),
    "station_scores": ("派出所评分", "Police station's scores"),
    "town_scores": ("镇政府评分", "Town government's scores"),
    "grade_suggestion": ("建议等次", "Suggested grade"),
    "overdue_task": ("逾期任务", "Overdue task"),
}
_DECISION = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?decision\s[^>]*?\bid=[\"']([^\"']+)[\"'][^>]*>")
_NAME = re.compile(r"\bname=[\"']([^\"']*)[\"']")
_PROCESS_ID = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?process\s[^>]*?\bid=[\"']([^\"']+)[\"']")


@dataclass(frozen=True)
class DraftRow:
    id: int
    process_id: str
    name: str
    base_definition_id: int | None  # None for a draft not started from a version (an import)
    base_version: int | None
    updated_at: datetime


def require_designer(caller: Caller) -> None:
    if not caller.has_role("designer"):
        raise ForbiddenError("只有流程设计人员有流程草稿", english="Only process designers have drafts")


def my_drafts(ctx: ServiceContext, caller: Caller) -> list[DraftRow]:
    """The caller's own drafts, most recently saved first, each with the version it started from."""
    require_designer(caller)
    found = drafts.list_drafts(ctx, caller.username)
    versions = _versions(ctx, {d.base_definition_id for d in found if d.base_definition_id is not None})
    return [
        DraftRow(
            d.id,
            d.process_id,
            d.name,
            d.base_definition_id,
            versions.get(d.base_definition_id) if d.base_definition_id is not None else None,
            d.updated_at,
        )
        for d in found
    ]


def file_kinds(files: dict[str, str]) -> dict[str, list[str]]:
    return {
        "bpmn": sorted(n for n in files if n.endswith(BPMN_SUFFIXES)),
        "dmn": sorted(n for n in files if n.endswith(".dmn")),
        "forms": sorted(n for n in files if n.endswith(".json")),
    }


def draft_overview(ctx: ServiceContext, caller: Caller, draft_id: int) -> dict[str, Any]:
    """One of the caller's drafts: the draft, the version it started from, its files by kind, and which
    BPMN file defines each process (a problem's element is shown in that file's modeler)."""
    require_designer(caller)
    draft = drafts.get_draft(ctx, caller.username, draft_id)
    files = dict(draft.files)
    return {
        "draft": draft,
        "base_version": _version_of(ctx, draft.base_definition_id),
        "files": file_kinds(files),
        "process_files": process_files(files),
    }


def process_files(files: dict[str, str]) -> dict[str, str]:
    """The BPMN file defining each process id of a bundle."""
    found: dict[str, str] = {}
    for name in sorted(files):
        if name.endswith(BPMN_SUFFIXES):
            for process_id in _PROCESS_ID.findall(files[name]):
                found.setdefault(process_id, name)
    return found


def modeler_data(ctx: ServiceContext, caller: Caller, draft_id: int, name: str) -> dict[str, Any]:
    """One BPMN file of a draft and the choices its properties panel offers."""
    require_designer(caller)
    draft = drafts.get_draft(ctx, caller.username, draft_id)
    if not name.endswith(BPMN_SUFFIXES) or name not in draft.files:
        raise NotFoundError(
            "草稿中没有流程模型文件 {name}", english="The draft has no BPMN file {name}", name=name
        )
    return {"draft": draft, "name": name, "xml": str(draft.files[name]), "choices": choices(ctx, draft)}


def choices(ctx: ServiceContext, draft: DraftModel) -> dict[str, Any]:
    """What the panel's selects offer, names in both languages (no code where a name exists)."""
    with ctx.database.reading() as session:
        departments = department_names(session)
    kinds = sorted({code.partition(":")[0] for code in departments if ":" in code})
    return {
        "departments": [
            {"code": code, "zh": name.zh, "en": name.en}
            for code, name in sorted(departments.items(), key=lambda item: item[0])
        ],
        "templates": [
            {
                "code": f"{kind}:{{town}}",
                "zh": f"{DEPARTMENT_KINDS[kind].zh if kind in DEPARTMENT_KINDS else kind}（按所在镇）",
                "en": f"{DEPARTMENT_KINDS[kind].en if kind in DEPARTMENT_KINDS else kind} of the town",
            }
            for kind in kinds
        ]
        # A person's own queue (the officer's monthly report), a lane no department table lists.
        + [OWN_QUEUE],
        # The files a task may require (`requiresAttachment`, `onBehalfAttachment`), by what they are.
        "attachments": [
            {"name": key, "zh": zh, "en": en} for key, (zh, en) in ATTACHMENT_LABELS.items() if key != "true"
        ],
        "forms": _forms(dict(draft.files)),
        "decisions": _decisions(dict(draft.files)),
        "operators": [
            {"name": name, "doc": _first_line(OPERATORS[name].__doc__)} for name in sorted(OPERATORS)
        ],
        "use_cases": sorted(START_USE_CASES),
        "grounds": [
            {
                "name": panel,
                "zh": PANEL_LABELS.get(panel, (panel, panel))[0],
                "en": PANEL_LABELS.get(panel, (panel, panel))[1],
            }
            for panel in sorted(PANELS)
        ],
    }


def _forms(files: dict[str, str]) -> list[dict[str, Any]]:
    """The draft's forms (JSON files with a schema, not data labels), each with its titles."""
    forms = []
    for name in sorted(files):
        if not name.endswith(".json"):
            continue
        try:
            schema = json.loads(files[name])
        except ValueError:
            schema = None  # a broken form is still a file the designer may pick (the check names it)
        if isinstance(schema, dict) and "properties" not in schema and "title" not in schema:
            continue  # data labels (data_labels.json), not a form
        title = str(schema.get("title") or name) if isinstance(schema, dict) else name
        title_en = str(schema.get("x-title-en") or title) if isinstance(schema, dict) else name
        forms.append({"name": name, "zh": title, "en": title_en, "fields": _fields(schema)})
    return forms


def _decisions(files: dict[str, str]) -> list[dict[str, str]]:
    """The decisions of the draft's DMN files (what a business rule task calls), by name."""
    found = []
    for name in sorted(files):
        if name.endswith(".dmn"):
            for match in _DECISION.finditer(files[name]):
                label = _NAME.search(match.group(0))
                shown = html.unescape(label.group(1)) if label else match.group(1)
                found.append({"id": match.group(1), "name": shown, "file": name})
    return found


def _fields(schema: Any) -> list[dict[str, str]]:
    """A form's own fields with their titles (what ``formDefaults`` may pre-fill)."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    found = []
    for field, spec in properties.items():
        spec = spec if isinstance(spec, dict) else {}
        title = str(spec.get("title") or field)
        found.append(
            {
                "name": str(field),
                "zh": title,
                "en": str(spec.get("x-title-en") or title),
                "format": str(spec.get("format") or ""),
            }
        )
    return found


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc and doc.strip() else ""


def _version_of(ctx: ServiceContext, definition_id: int | None) -> int | None:
    return None if definition_id is None else _versions(ctx, {definition_id}).get(definition_id)


def _versions(ctx: ServiceContext, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    with ctx.database.reading() as session:
        rows = session.execute(
            select(DefinitionModel.id, DefinitionModel.version).where(DefinitionModel.id.in_(sorted(ids)))
        )
        return {row.id: row.version for row in rows}
