"""Turn a form's JSON Schema into fields to render, and a posted HTML form back into typed JSON.

The browser gets plain HTML inputs (no build step); whatever it posts is converted by the schema's types
and then validated by the server against the same schema, so nothing the browser claims is trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict


@dataclass
class Field:
    """One input of a rendered form."""

    name: str  # dotted path, e.g. ``station_items.attendance``
    kind: str  # text | textarea | number | integer | date | boolean | select | checkboxes | group | json
    label: str
    help: str = ""
    required: bool = False
    minimum: Any = None
    maximum: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    value: Any = None
    error: str = ""


def _text(node: dict[str, Any], key: str, lang: str) -> str:
    if lang == "en":
        return str(node.get(f"x-{key}-en") or node.get(key) or "")
    return str(node.get(key) or "")


def _options(node: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    labels = node.get("x-enum-labels", {}).get("en" if lang == "en" else "zh", {})
    return [(str(value), str(labels.get(str(value), value))) for value in node.get("enum", [])]


def build_fields(
    schema: dict[str, Any], lang: str, values: dict[str, Any], errors: dict[str, Any], prefix: str = ""
) -> list[Field]:
    """The fields of an object schema, with the values to show and each field's error message."""
    required = set(schema.get("required", []))
    fields = []
    for key, node in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        label = _text(node, "title", lang) or key
        item = Field(
            name=name,
            kind="text",
            label=label,
            help=_text(node, "description", lang),
            required=key in required,
            value=values.get(key),
            error=_error_for(errors, name, lang),
        )
        kind = node.get("type")
        if kind == "object":
            item.kind = "group"
            item.children = build_fields(node, lang, values.get(key) or {}, errors, prefix=f"{name}.")
        elif "enum" in node:
            item.kind, item.options = "select", _options(node, lang)
        elif kind == "array" and "enum" in node.get("items", {}):
            item.kind, item.options = "checkboxes", _options(node["items"], lang)
            item.value = values.get(key) or []
        elif kind == "array":
            item.kind = "json"
            item.value = json.dumps(values.get(key, []), ensure_ascii=False) if key in values else ""
        elif kind == "boolean":
            item.kind = "boolean"
        elif kind in ("number", "integer"):
            item.kind, item.minimum, item.maximum = kind, node.get("minimum"), node.get("maximum")
        elif node.get("format") == "date":
            item.kind = "date"
        elif node.get("maxLength", 0) > 200 or node.get("x-multiline"):
            item.kind = "textarea"
        fields.append(item)
    return fields


def _error_for(errors: dict[str, Any], name: str, lang: str) -> str:
    messages = errors.get(name)
    if not messages:
        return ""
    return str(messages[1] if lang == "en" and len(messages) > 1 else messages[0])


def parse_submission(schema: dict[str, Any], form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """Convert posted strings to the schema's types; leave anything unconvertible for the validator."""
    data: dict[str, Any] = {}
    for key, node in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        kind = node.get("type")
        if kind == "object":
            data[key] = parse_submission(node, form, prefix=f"{name}.")
            continue
        if kind == "array" and "enum" in node.get("items", {}):
            data[key] = form.getlist(name)
            continue
        raw = form.get(name)
        if raw is None or raw == "":
            if kind == "boolean" and name + "__present" in form:
                data[key] = False
            continue
        data[key] = _convert(kind, raw)
    return data


def _convert(kind: Any, raw: str) -> Any:
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
            return int(number) if number.is_integer() else number
        if kind == "boolean":
            return raw in ("true", "on", "1", "yes")
        if kind == "array":
            return json.loads(raw)
    except ValueError:
        return raw  # the schema validator reports the wrong type next to the field
    return raw
