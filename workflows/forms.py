"""Load user-task forms (JSON Schema 2020-12) and validate submissions against them.

The engine only carries a form's file name; the service calls ``validate_submission`` on every submission,
before anything reaches the engine, and answers with the field errors it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

_FORMAT_CHECKER = FormatChecker()


class FormError(Exception):
    """A form file that is not a usable JSON Schema."""


@dataclass(frozen=True)
class FieldError:
    """One reason a submission was refused, located by a JSON pointer-like dotted path."""

    field: str
    message: str
    message_en: str


def load_form_schema(name: str, text: str) -> dict[str, Any]:
    """Parse and check a form file."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormError(f"{name} is not valid JSON: {error}") from error
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise FormError(f"{name} must be a JSON Schema of type object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise FormError(f"{name} is not a valid JSON Schema: {error.message}") from error
    return schema


def _field_path(path: Any) -> str:
    return ".".join(str(part) for part in path) or "(form)"


def _label(schema: dict[str, Any], path: list[Any]) -> str:
    node: Any = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
        else:
            node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    return node.get("title", "") if isinstance(node, dict) else ""


def _zh_message(error: Any, label: str) -> str:
    name = f"“{label}”" if label else "该字段"
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return f"缺少必填项 {missing}"
    if validator == "type":
        return f"{name}的类型不正确（应为 {error.validator_value}）"
    if validator == "enum":
        return f"{name}的取值不在允许范围内"
    if validator == "minimum":
        return f"{name}不能小于 {error.validator_value}"
    if validator == "maximum":
        return f"{name}不能大于 {error.validator_value}"
    if validator in ("minLength", "minItems"):
        return f"{name}不能为空" if error.validator_value == 1 else f"{name}过短"
    if validator in ("maxLength", "maxItems"):
        return f"{name}过长"
    if validator == "format":
        return f"{name}格式不正确（应为 {error.validator_value}）"
    if validator == "additionalProperties":
        return f"表单中含有未定义的字段：{error.message}"
    if validator == "uniqueItems":
        return f"{name}含有重复项"
    return f"{name}不符合要求"


def validate_submission(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """Return every field error of ``data`` against ``schema``; empty when it is valid."""
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    errors: list[FieldError] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        if error.validator == "required" and "'" in error.message:
            path = [*path, error.message.split("'")[1]]
        label = _label(schema, path)
        errors.append(
            FieldError(field=_field_path(path), message=_zh_message(error, label), message_en=error.message)
        )
    return errors
