"""A draft's decision tables and forms opened in the browser's editors (issue 14, point 1): read one file of
a designer's own draft, and check a form's text as deploy would before it is previewed or saved.

Reading and saving go through the drafts use cases (service/usecases/drafts.py: owner only, audited); this
module adds the designer-only rule of the web pages and the form check, which states every refusal in
Chinese and English so the editor shows it in place of the preview.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from service.context import ServiceContext
from service.persistence.models import DraftModel
from service.usecases import drafts
from service.usecases.directory import Caller
from service.usecases.errors import ForbiddenError, InvalidInputError, NotFoundError
from service.usecases.form_rows import SOURCES as ROW_SOURCES
from workflows.data_labels import DATA_LABELS_FILE, DataLabelsError, load_data_labels
from workflows.forms import FormBundle, FormError, load_form_schema, row_table_problems


@dataclass(frozen=True)
class DraftFile:
    """One file of a draft as an editor opens it, with the draft's other file names."""

    draft_id: int
    process_id: str
    draft_name: str
    file: str
    text: str
    files: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class CheckedForm:
    """A form the service would accept, with what a designer should still add (titles in both languages)."""

    schema: dict[str, Any]
    warnings: list[tuple[str, str]]  # (zh, en)
    labels: bool = False  # the bundle's data labels (data_labels.json): checked, no form to preview


def require_designer(caller: Caller) -> None:
    if not caller.has_role("designer"):
        raise ForbiddenError("只有流程设计人员可以编辑草稿", english="Only process designers may edit drafts")


def open_file(ctx: ServiceContext, caller: Caller, draft_id: int, name: str, kind: str) -> DraftFile:
    """One ``kind`` file ("dmn" or "form") of the caller's own draft (403 for another's, 404 if missing)."""
    require_designer(caller)
    if kind == "dmn" and not name.endswith(".dmn"):
        raise NotFoundError(
            "{name} 不是决策表（.dmn）文件", english="{name} is not a decision table (.dmn) file", name=name
        )
    if kind == "form" and not name.endswith(".json"):
        raise NotFoundError(
            "{name} 不是表单（.json）文件", english="{name} is not a form (.json) file", name=name
        )
    text = drafts.draft_file(ctx, caller.username, draft_id, name)  # the owner rule and a missing file
    with ctx.database.reading() as session:
        draft = session.get(DraftModel, draft_id)
        if draft is None:  # deleted between the two reads
            raise NotFoundError(
                "草稿 {draft_id} 不存在", english="Draft {draft_id} does not exist", draft_id=draft_id
            )
        return DraftFile(draft.id, draft.process_id, draft.name, name, text, dict(draft.files))


def _refused(zh: str, en: str) -> InvalidInputError:
    # Composed at run time (a parser's message inside), so the English comes along rather than from the
    # catalogue; without params the braces a message may quote are not read as template fields.
    return InvalidInputError(zh, english=en)


def check_form(name: str, text: str, files: dict[str, str], max_bytes: int) -> CheckedForm:
    """Check a form's text as deploy would (JSON, a JSON Schema of an object, references inside the bundle,
    RE2 patterns, known row sources), raising InvalidInputError in Chinese and English."""
    if len(text.encode()) > max_bytes:
        raise _refused(
            f"表单过大（超过 {max_bytes} 字节）", f"The form is too large (over {max_bytes} bytes)"
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise _refused(
            f"不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列（{error.msg}）",
            f"Not valid JSON: line {error.lineno}, column {error.colno} ({error.msg})",
        ) from error
    except RecursionError as error:
        raise _refused("JSON 嵌套过深", "The JSON is nested too deeply") from error
    if name == DATA_LABELS_FILE:
        try:
            load_data_labels(text)
        except DataLabelsError as error:
            raise _refused(
                f"服务不接受该数据说明：{error}", f"The service would refuse these data labels: {error}"
            ) from error
        return CheckedForm({}, [], labels=True)
    try:
        schema = load_form_schema(name, text)
    except FormError as error:
        raise _refused(*_form_error(name, str(error))) from error
    problems = _shape_problems(schema.get("properties", {}), "")
    if not problems:
        others = {}
        for other, other_text in files.items():
            if other.endswith(".json") and other not in (name, DATA_LABELS_FILE):
                try:
                    others[other] = load_form_schema(other, other_text)
                except FormError:
                    continue  # that form's own editor reports it
        bundle = FormBundle({**others, name: schema})
        problems = [p for p in bundle.problems if p.startswith(f"{name}:")]
        problems += row_table_problems(name, schema, set(ROW_SOURCES))
    if problems:
        pairs = [_bilingual(name, problem) for problem in problems]
        raise _refused(
            "服务不接受该表单：" + "；".join(zh for zh, _ in pairs),
            "The service would refuse this form: " + "; ".join(en for _, en in pairs),
        )
    return CheckedForm(schema, _title_warnings(schema, ""))


def _form_error(name: str, text: str) -> tuple[str, str]:
    """``load_form_schema``'s refusal (stated in English) in Chinese and English."""
    en = f"The service would refuse this form: {text}"
    if text == f"{name} must be a JSON Schema of type object":
        return "服务不接受该表单：表单必须是 type 为 object 的 JSON Schema", en
    if text.startswith(f"{name} is not a valid JSON Schema: "):
        detail = text.removeprefix(f"{name} is not a valid JSON Schema: ")
        return f"服务不接受该表单：不是有效的 JSON Schema（{detail}）", en
    return f"服务不接受该表单：{text.removeprefix(f'{name}: ')}", en


def _bilingual(name: str, problem: str) -> tuple[str, str]:
    # The row-table lint writes "<where>: <zh> / <en>"; the others write English only.
    where, _, what = problem.partition(": ")
    where = where.removeprefix(name).lstrip("/")
    place = f"{where}：" if where else ""
    zh, sep, en = what.partition(" / ")
    if sep:
        return f"{place}{zh}", f"{where}: {en}" if where else en
    return f"{place}{what}", f"{where}: {what}" if where else what


def _shape_problems(properties: Any, prefix: str) -> list[str]:
    # check_schema allows a boolean subschema (true/false) as a property; the task pages need an object.
    if not isinstance(properties, dict):
        return []
    found = []
    for key, node in properties.items():
        if not isinstance(node, dict):
            found.append(
                f"{prefix}{key}: 字段的定义必须是对象（写明 type 和标题） / "
                "the field must be an object with a type and titles"
            )
        elif node.get("type") == "object":
            found.extend(_shape_problems(node.get("properties", {}), f"{prefix}{key}."))
    return found


def _title_warnings(node: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """Titles a form should carry in both languages (the task page falls back to the key or Chinese)."""
    found = []
    where_zh, where_en = (f"字段 {path}", f"Field {path}") if path else ("表单", "The form")
    if not node.get("title"):
        found.append((f"{where_zh} 没有中文标题（title）", f"{where_en} has no Chinese title (title)"))
    if not node.get("x-title-en"):
        found.append(
            (f"{where_zh} 没有英文标题（x-title-en）", f"{where_en} has no English title (x-title-en)")
        )
    properties = node.get("properties", {})
    if isinstance(properties, dict):
        for key, child in properties.items():
            if isinstance(child, dict):
                found.extend(_title_warnings(child, f"{path}.{key}" if path else key))
    return found
