"""Camunda 7's generated task forms (``camunda:formData`` with ``camunda:formField``) as this service's JSON
Schema forms (issue 14, point 6): each field by its id, its label as the title (Chinese and, until someone
writes it, English), its type and its validation constraints. What has no meaning in a form here (a default
value: forms start clean; ``readonly``; a custom type) is named, so the import can say so."""

from __future__ import annotations

from typing import Any

from workflows.camunda_lanes import local

_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "maxLength": 2000},
    "long": {"type": "integer"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "enum": {"type": "string"},
}
_CONSTRAINTS = {"min": "minimum", "max": "maximum", "minlength": "minLength", "maxlength": "maxLength"}


def form_data_schema(form_data: Any, title_zh: str, title_en: str) -> tuple[dict[str, Any], list[str]]:
    """The JSON Schema of a ``camunda:formData`` element, and the field settings that were not kept."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    dropped: list[str] = []
    for field in (f for f in form_data if isinstance(f.tag, str) and local(f) == "formField"):
        name = field.get("id") or ""
        if not name:
            continue
        kind = field.get("type") or "string"
        node: dict[str, Any] = dict(_TYPES.get(kind, _TYPES["string"]))
        if kind not in _TYPES:
            dropped.append(f"{name}: type {kind}")
        label = field.get("label") or name
        node = {"title": label, "x-title-en": label, **node}
        if field.get("defaultValue") is not None:
            dropped.append(f"{name}: defaultValue {field.get('defaultValue')}")
        values = [v for v in field.iter() if isinstance(v.tag, str) and local(v) == "value" and v.get("id")]
        if kind == "enum" and values:
            node["enum"] = [v.get("id") for v in values]
            labels = {v.get("id"): v.get("name") or v.get("id") for v in values}
            node["x-enum-labels"] = {"zh": labels, "en": dict(labels)}
        for constraint in (c for c in field.iter() if isinstance(c.tag, str) and local(c) == "constraint"):
            key, config = constraint.get("name") or "", constraint.get("config")
            if key == "required":
                required.append(name)
            elif key in _CONSTRAINTS and config is not None and _number(config) is not None:
                node[_CONSTRAINTS[key]] = _number(config)
            else:
                dropped.append(f"{name}: {key}" + (f"={config}" if config else ""))
        properties[name] = node
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title_zh,
        "x-title-en": title_en,
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = required
    return schema, dropped


def _number(text: str) -> int | float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value
