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


# Camunda Forms (``.form``, Camunda 7.15+ and 8): components by type, as JSON Schema nodes.
_COMPONENTS: dict[str, dict[str, Any]] = {
    "textfield": {"type": "string", "maxLength": 2000},
    "textarea": {"type": "string", "maxLength": 5000},
    "number": {"type": "number"},
    "checkbox": {"type": "boolean"},
    "radio": {"type": "string"},
    "select": {"type": "string"},
    "datetime": {"type": "string", "format": "date"},
    "checklist": {"type": "array", "uniqueItems": True},
    "taglist": {"type": "array", "uniqueItems": True},
}
_VALIDATE = {"min": "minimum", "max": "maximum", "minLength": "minLength", "maxLength": "maxLength"}
# Components that show something or submit the form: nothing to collect.
_LAYOUT = {
    "text",
    "button",
    "spacer",
    "separator",
    "image",
    "html",
    "group",
    "dynamiclist",
    "iframe",
    "table",
}


def camunda_form_schema(form: dict[str, Any], title: str) -> tuple[dict[str, Any], list[str]]:
    """The JSON Schema of a Camunda Form (its ``components``, groups flattened), and what was not kept."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    dropped: list[str] = []
    for component in _flattened(form.get("components")):
        kind, key = str(component.get("type") or ""), component.get("key")
        if kind in _LAYOUT or not isinstance(key, str) or not key:
            continue
        node: dict[str, Any] = dict(_COMPONENTS.get(kind, _COMPONENTS["textfield"]))
        if kind not in _COMPONENTS:
            dropped.append(f"{key}: type {kind}")
        subtype = str(component.get("subtype") or "date")
        if kind == "datetime" and subtype != "date":  # a time of day: entered as text here
            node = {"type": "string", "maxLength": 100}
            dropped.append(f"{key}: subtype {subtype}")
        label = str(component.get("label") or key)
        node = {"title": label, "x-title-en": label, **node}
        values = [v for v in component.get("values") or [] if isinstance(v, dict) and "value" in v]
        if values:
            labels = {str(v["value"]): str(v.get("label") or v["value"]) for v in values}
            target = node.setdefault("items", {"type": "string"}) if node["type"] == "array" else node
            target["enum"] = list(labels)
            node["x-enum-labels"] = {"zh": labels, "en": dict(labels)}
        found = component.get("validate")
        validate: dict[str, Any] = found if isinstance(found, dict) else {}
        if validate.get("required"):
            required.append(key)
        for name, keyword in _VALIDATE.items():
            if isinstance(validate.get(name), int | float) and not isinstance(validate.get(name), bool):
                node[keyword] = validate[name]
        if validate.get("pattern"):
            dropped.append(f"{key}: pattern {validate['pattern']}")
        if "defaultValue" in component:
            dropped.append(f"{key}: defaultValue {component['defaultValue']}")
        properties[key] = node
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "x-title-en": title,
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = required
    return schema, dropped


def _flattened(components: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for component in components if isinstance(components, list) else []:
        if isinstance(component, dict):
            found.append(component)
            found.extend(_flattened(component.get("components")))
    return found
