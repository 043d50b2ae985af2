"""Turn a form's JSON Schema into fields to render, and a posted HTML form back into typed JSON.

The browser gets plain HTML inputs (no build step); whatever it posts is converted by the schema's types
and then validated by the server against the same schema, so nothing the browser claims is trusted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from workflows.forms import ROWS_KEY, row_source


@dataclass
class Field:
    """One input of a rendered form."""

    name: str  # dotted path, e.g. ``station_items.attendance``
    kind: str  # text textarea number integer date boolean select checkboxes group json table
    label: str
    help: str = ""
    required: bool = False
    minimum: Any = None
    maximum: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    value: Any = None
    error: str = ""
    rows: list[Any] = field(default_factory=list)  # a table's rows: TableRow, or plan_table.PlanTableRow
    column: str = ""  # the title of a table's input column
    absent_allowed: bool = False  # a table row may be marked absent instead of filled in
    task_id: str = ""  # a table's task (its page links the task's other ways to fill the table in)


@dataclass
class TableRow:
    """One row of a table field: who it is, its input (``scores.<key>.score``) and its own error."""

    key: str
    name: str
    masked_id: str
    village: str
    input: Field
    absent: bool = False
    error: str = ""


def _text(node: dict[str, Any], key: str, lang: str) -> str:
    if lang == "en":
        return str(node.get(f"x-{key}-en") or node.get(key) or "")
    return str(node.get(key) or "")


def _options(node: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    labels = node.get("x-enum-labels", {}).get("en" if lang == "en" else "zh", {})
    return [(str(value), str(labels.get(str(value), value))) for value in node.get("enum", [])]


def build_fields(
    schema: dict[str, Any],
    lang: str,
    values: dict[str, Any],
    errors: dict[str, Any],
    prefix: str = "",
    rows: Mapping[str, Any] | None = None,
) -> list[Field]:
    """The fields of an object schema, with the values to show and each field's error message.

    ``rows`` are the rows of each source a table field declares (``x-rows``), as ``rows_for`` reads them.
    """
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
            item.children = build_fields(node, lang, values.get(key) or {}, errors, f"{name}.", rows)
        elif "enum" in node:
            item.kind, item.options = "select", _options(node, lang)
        elif kind == "array" and "enum" in node.get("items", {}):
            item.kind, item.options = "checkboxes", _options(node["items"], lang)
            chosen = values.get(key) or []
            item.value = [str(value) for value in (chosen if isinstance(chosen, list) else [chosen])]
        elif kind == "array" and (table := (rows or {}).get(row_source(node) or "")) is not None:
            if getattr(table, "layout", "") == "plan":
                from service.web.plan_table import fill_plan_table  # it builds this module's Fields

                fill_plan_table(item, node, lang, values.get(key), errors, table)
            else:
                _fill_table(item, node, lang, values.get(key), errors, table)
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
            data[key] = [_convert(node["items"].get("type"), value) for value in form.getlist(name)]
            continue
        if kind == "array" and row_source(node) and form.getlist(f"{name}.row"):
            data[key] = _table_items(node, form, name)
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


# -- table fields ----------------------------------------------------------------------------------------
# An array whose schema declares ``"x-rows": {"source": ..., "key": ..., "input": ..., "absent": true}`` is
# rendered as one row per row of the source (an eligible applicant), with one input each. The posted rows
# become the same array the API takes: ``{key: <row key>, input: <value>}`` per row filled in. With
# ``absent``, a row explicitly marked absent is left out of the array (the service records a left-out
# applicant as absent); a row neither filled in nor marked is posted without its input, so the schema's
# ``required`` refuses it next to that row: nobody is recorded absent by an oversight.
# Without rows from the service (a source it does not know), the array stays a JSON textarea.


def table_sources(schema: dict[str, Any]) -> list[str]:
    """The row sources the form's table fields declare (top-level arrays with ``x-rows``)."""
    sources = (row_source(node) for node in schema.get("properties", {}).values() if isinstance(node, dict))
    return [source for source in sources if source]


def _table_items(node: dict[str, Any], form: MultiDict[str, str], name: str) -> list[dict[str, Any]]:
    declared, properties = node[ROWS_KEY], node.get("items", {}).get("properties", {})
    key, entered = declared["key"], declared["input"]
    items = []
    for row in form.getlist(f"{name}.row"):
        item = {key: _convert(properties.get(key, {}).get("type"), row)}
        raw = (form.get(f"{name}.{row}.{entered}") or "").strip()
        absent = bool(declared.get("absent")) and bool(form.get(f"{name}.{row}.absent"))
        if raw:
            item[entered] = _convert(properties.get(entered, {}).get("type"), raw)
        note = declared.get("note")
        if note and (written := (form.get(f"{name}.{row}.{note}") or "").strip()):
            item[note] = written  # the row's free text (a reason), kept only when written
        if absent and not raw:
            continue  # explicitly absent: left out, as the API takes it
        if absent:
            item["absent"] = True  # both a score and 缺考: the schema refuses the extra key on this row
        items.append(item)
    return items


def _fill_table(
    item: Field, node: dict[str, Any], lang: str, entered: Any, errors: dict[str, Any], source: Any
) -> None:
    """Make ``item`` a table of the source's rows (``FormRows``): what was posted, and each row's error."""
    declared = node[ROWS_KEY]
    key, input_name = declared["key"], declared["input"]
    input_node = node.get("items", {}).get("properties", {}).get(input_name, {})
    title = _text(input_node, "title", lang) or input_name
    posted = entered if isinstance(entered, list) else None
    by_key = {str(i.get(key)): i for i in posted or [] if isinstance(i, dict)}
    item.kind, item.absent_allowed, item.value = "table", bool(declared.get("absent")), None
    item.column, item.task_id, rows = title, source.task_id, source.rows
    item.minimum, item.maximum = input_node.get("minimum"), input_node.get("maximum")
    shown = {}
    for row in rows:
        row_key = str(getattr(row, key))
        values = by_key.get(row_key)
        cell = Field(
            name=f"{item.name}.{row_key}.{input_name}",
            kind=str(input_node.get("type") or "text"),
            label=f"{title} of {row.name}" if lang == "en" else f"{row.name}的{title}",
            required=True,
            minimum=item.minimum,
            maximum=item.maximum,
            value=values.get(input_name) if values else None,
        )
        village = row.village_en if lang == "en" else row.village_zh
        shown[row_key] = TableRow(row_key, row.name, row.masked_id, village, cell)
        # After a post, a row missing from the array was marked absent; a first view marks nobody.
        shown[row_key].absent = posted is not None and (values is None or bool(values.get("absent")))
    table_errors = []
    for path, messages in errors.items():
        if path != item.name and not path.startswith(f"{item.name}."):
            continue
        index = path.removeprefix(f"{item.name}.").split(".")[0]
        target, posted_item = None, None
        if path != item.name and index.isdigit() and posted and int(index) < len(posted):
            posted_item = posted[int(index)]
            target = shown.get(str(posted_item.get(key))) if isinstance(posted_item, dict) else None
        if target is None:
            table_errors.append(_table_message(posted, messages, lang))
        elif not target.error:
            server = _pick(messages, lang)
            target.error = _row_message(posted_item, input_name, input_node, target.name, title, lang) or (
                f"{target.name}: {server}" if lang == "en" else f"{target.name}：{server}"
            )
    item.rows = list(shown.values())
    item.error = ("; " if lang == "en" else "；").join(table_errors)


def _table_message(posted: list[Any] | None, messages: Any, lang: str) -> str:
    if posted == []:  # every row marked absent: nobody could be ranked
        if lang == "en":
            return "No score entered: at least one applicant must have a score"
        return "没有录入任何成绩：至少要有一人有成绩"
    return _pick(messages, lang)


def _pick(messages: Any, lang: str) -> str:
    if isinstance(messages, list | tuple) and messages:
        return str(messages[-1] if lang == "en" and len(messages) > 1 else messages[0])
    return str(messages)


def _row_message(item: Any, input_name: str, node: dict[str, Any], who: str, title: str, lang: str) -> str:
    """The row's problem, naming the applicant and the field by its title; empty to use the server's."""
    en = lang == "en"
    value = item.get(input_name) if isinstance(item, dict) else None
    low, high = node.get("minimum"), node.get("maximum")
    if isinstance(item, dict) and item.get("absent"):
        if en:
            return f"{who}: marked absent but a {title.lower()} is entered; clear it or untick Absent"
        return f"{who}：已勾选“缺考”又填写了“{title}”，请删除{title}或取消勾选"
    if isinstance(item, dict) and input_name not in item:
        if en:
            return f"{who}: {title} not entered; enter it, or tick Absent if they missed the exam"
        return f"{who}的“{title}”未填写：请填写；未参加考试的请勾选“缺考”"
    if node.get("type") in ("number", "integer") and isinstance(value, str | bool):
        whole = node.get("type") == "integer"
        if en:
            return f"{who}: {title} must be a {'whole ' if whole else ''}number"
        return f"{who}的“{title}”应为{'整数' if whole else '数字'}"
    if isinstance(value, int | float) and (
        (low is not None and value < low) or (high is not None and value > high)
    ):
        if en:
            return f"{who}: {title} must be between {low} and {high}"
        return f"{who}的“{title}”应在 {low} 至 {high} 之间"
    return ""
