"""Import a model from Camunda Modeler, Flowable or Activiti as a new draft (issue 14, point 6).

The designer uploads the model's files (.bpmn, .bpmn20.xml, .dmn, .json forms); what has one clear meaning
here is mapped (workflows.camunda_mapping), the rest is reported on its element with its fix, and the
mapped files become a new draft of the designer's, checked at once by deploy's own parse and lints. The
draft is based on the latest published version of the same process when there is one (publishing it then
makes the next version, and the draft pages compare against it), else on none (a new process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from service.context import ServiceContext
from service.persistence.models import DefinitionModel, DraftModel
from service.usecases import drafts
from service.usecases.definitions import check_bundle_size
from service.usecases.errors import InvalidInputError
from service.usecases.names import department_names
from service.usecases.runner import OPERATORS
from workflows.camunda_mapping import ModelImportRefused, Note, map_model
from workflows.specs import BPMN_SUFFIXES, decode_xml

# A Camunda Form (.form) is converted to a JSON Schema form (workflows/camunda_forms.py).
SUFFIXES = (*BPMN_SUFFIXES, ".dmn", ".json", ".form")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass
class ImportResult:
    draft: DraftModel
    mapped: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)


def decode_upload(name: str, raw: bytes) -> str:
    """An uploaded file as text: XML in the encoding it declares (GBK from Chinese tools), JSON as UTF-8."""
    try:
        if name.lower().endswith((".json", ".form")):
            return raw.decode("utf-8-sig")
        return decode_xml(raw)
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            "文件 {name} 的编码无法识别",
            errors={"files": [f"{name}：编码无法识别", f"{name}: unreadable encoding"]},
            english="The encoding of the file {name} cannot be read",
            name=name,
        ) from error


def import_model(ctx: ServiceContext, actor: str, uploaded: dict[str, str]) -> ImportResult:
    """Map the uploaded model, store it as a new draft of ``actor``'s and check it; one transaction."""
    files, renamed = _named(uploaded)
    check_bundle_size(files, ctx.settings.max_bundle_bytes)
    with ctx.database.reading() as session:
        departments = {code: (n.zh, n.en) for code, n in department_names(session).items()}
    try:
        model = map_model(files, departments, OPERATORS.keys())
    except ModelImportRefused as error:
        raise InvalidInputError(
            "模型无法读取，未导入：{first}",
            errors={"problems": [f"{zh} / {en}" for zh, en in error.problems]},
            english="The model cannot be read and was not imported: {first_en}",
            first=error.problems[0][0],
            first_en=error.problems[0][1],
        ) from error
    if not model.process_ids:
        raise InvalidInputError(
            "上传的文件中没有 BPMN 流程（.bpmn 或 .bpmn20.xml）",
            errors={"files": ["没有 BPMN 流程", "No BPMN process"]},
            english="The uploaded files hold no BPMN process (.bpmn or .bpmn20.xml)",
        )
    process_id = model.process_ids[0]
    with ctx.database.transaction() as session:
        base = session.scalar(
            select(DefinitionModel)
            .where(DefinitionModel.process_id == process_id)
            .order_by(DefinitionModel.version.desc())
            .limit(1)
        )
        draft = drafts.add_draft(
            session,
            ctx.clock.now(),
            actor,
            base,
            process_id,
            model.process_names.get(process_id, process_id)[:256],
            model.files,
            imported=sorted(uploaded),
            mapped=len(model.mapped),
            left=len(model.problems),
        )
    problems = [_note(n, "import") for n in model.problems]
    problems += [_checked(p, model.files) for p in drafts.check_draft(ctx, actor, draft.id)]
    mapped = [_note(n, "import") for n in model.mapped]
    for note in (*problems, *mapped):
        place = note["element_id"] or note["process_id"]
        note["element_name"] = model.element_names.get(place) if place else None
    return ImportResult(draft, mapped, problems, renamed)


def _named(uploaded: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The files under names a draft may hold; a name with other characters (a Chinese file name) is
    written with underscores, ``.xml`` becomes ``.bpmn``, and an unknown kind of file is refused."""
    unreadable = [n for n, text in uploaded.items() if not _encodable(n) or not _encodable(text)]
    if unreadable:  # a lone surrogate ("\ud800" is valid JSON) is no character of any file
        raise InvalidInputError(
            "文件 {names} 含有无效字符，无法导入",
            errors={"files": ["含有无效字符", "Invalid characters"]},
            english="The files {names} hold invalid characters and cannot be imported",
            names=", ".join(_encodable(n) and n or "?" for n in unreadable),
        )
    refused = [n for n in uploaded if not n.lower().endswith((*SUFFIXES, ".xml"))]
    if refused or not uploaded:
        raise InvalidInputError(
            "只能导入 .bpmn、.bpmn20.xml（或 .xml）、.dmn、.json 表单和 Camunda 表单（.form）文件：{names}",
            errors={"files": ["文件类型不可用", "Unsupported file type"]},
            english="Only .bpmn, .bpmn20.xml (or .xml), .dmn, .json form and Camunda form (.form) files can"
            " be imported: {names}",
            names=", ".join(refused) or "-",
        )
    files: dict[str, str] = {}
    renamed: dict[str, str] = {}
    for name in sorted(uploaded):
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        # Activiti and other tools also save BPMN as plain .xml: kept as .bpmn.
        suffix = next((s for s in SUFFIXES if base.lower().endswith(s)), ".xml")
        stem = _UNSAFE.sub("_", base[: -len(suffix)])[:100].strip("._") or "model"
        kept = ".bpmn" if suffix == ".xml" else suffix
        safe = f"{stem}{kept}"
        while safe in files:
            safe = f"{stem}_{len(files)}{kept}"
        if safe != name:
            renamed[name] = safe
        files[safe] = uploaded[name]
    return files, renamed


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _note(note: Note, source: str) -> dict[str, Any]:
    return {
        "file": note.file,
        "element_id": note.element_id,
        "process_id": None,
        "zh": note.zh,
        "en": note.en,
        "severity": "warning",
        "source": source,
    }


def _checked(problem: Any, files: dict[str, str]) -> dict[str, Any]:
    """A check problem (service/usecases/drafts.py) with the BPMN file holding its element."""
    element = getattr(problem, "element_id", None)
    file = getattr(problem, "file", None)
    place = element or getattr(problem, "process_id", None)
    if place and not file:
        file = next(
            (n for n, text in files.items() if n.endswith(BPMN_SUFFIXES) and f'id="{place}"' in text), None
        )
    return {
        "file": file,
        "element_id": element,
        "process_id": getattr(problem, "process_id", None),
        "zh": problem.zh,
        "en": problem.en,
        "severity": getattr(problem, "severity", "error"),
        "source": "check",
    }
