"""A new form in a designer's draft (issue 14, point 1): a task added in the modeler needs a form of its own,
started here as an empty JSON Schema with its titles and then filled in the form editor."""

from __future__ import annotations

import json
import re

from service.context import ServiceContext
from service.usecases import drafts
from service.usecases.directory import Caller
from service.usecases.errors import ConflictError, InvalidInputError, NotFoundError
from service.usecases.workbench.draft_editors import require_designer

# A form's file name as the modeler's form choice and deploy know it: lower-case words joined by underscores.
FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,60}$")


def new_form(ctx: ServiceContext, caller: Caller, draft_id: int, name: str, title: str, title_en: str) -> str:
    """Add an empty form ``<name>.json`` titled ``title`` / ``title_en`` to the draft; its file name."""
    require_designer(caller)
    stem = name.strip().removesuffix(".json")
    if not FORM_NAME.match(stem):
        raise InvalidInputError(
            "表单文件名 {name} 不可用：请用小写字母开头，只含小写字母、数字和下划线（如 town_review）",
            english="The form name {name} cannot be used: start with a lower-case letter and use only "
            "lower-case letters, digits and underscores (such as town_review)",
            errors={"name": ["文件名不可用", "This file name cannot be used"]},
            name=name,
        )
    if not title.strip():
        raise InvalidInputError(
            "请填写表单的中文标题",
            english="Give the form its Chinese title",
            errors={"title": ["缺少必填项：中文标题", "Required: Chinese title."]},
        )
    file_name = f"{stem}.json"
    try:
        drafts.draft_file(ctx, caller.username, draft_id, file_name)
    except NotFoundError:
        pass  # a new name, as it should be
    else:
        raise ConflictError(
            "草稿中已有文件 {name}", english="The draft already has a file {name}", name=file_name
        )
    schema = {
        "type": "object",
        "title": title.strip(),
        "x-title-en": title_en.strip() or title.strip(),
        "properties": {},
    }
    drafts.save_file(
        ctx, caller.username, draft_id, file_name, json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    )
    return file_name
