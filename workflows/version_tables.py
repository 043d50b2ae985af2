"""The tables of a bundle compared (issue 14, point 4): DMN rules, form fields and data labels, and what
every comparison of ``workflows/version_diff.py`` shares (a change, the statuses, safe XML reading)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from workflows.data_labels import DATA_LABELS_FILE
from workflows.specs import as_utf8_xml

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    """One attribute of one thing, before and after (None: it had none)."""

    attribute: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class RuleDiff:
    """A rule (row) of a decision table; ``entries`` are every column, ``changes`` the changed ones."""

    decision_id: str
    decision_name: str
    rule_id: str
    status: str
    entries: tuple[Change, ...]
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class DecisionDiff:
    decision_id: str
    name: str
    file: str
    status: str
    changes: tuple[Change, ...] = ()  # hit policy, columns
    rules: tuple[RuleDiff, ...] = ()


@dataclass(frozen=True)
class FieldDiff:
    form: str
    path: str
    status: str
    title: str
    title_en: str
    changes: tuple[Change, ...] = ()


def changes_between(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[Change, ...]:
    """The attributes whose values differ, in a stable order."""
    return tuple(
        Change(key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )


def parsed_xml(text: str) -> Any:
    """A stored bundle's XML, read with deploy's safe settings; None when it cannot be read."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(as_utf8_xml(text), parser=parser)
    except etree.XMLSyntaxError:
        return None
    docinfo = root.getroottree().docinfo
    return None if docinfo.doctype or docinfo.internalDTD is not None else root


def local_name(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def node_text(node: Any) -> str:
    return " ".join("".join(node.itertext()).split())


# DMN ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    decision_id: str
    name: str
    file: str
    hit_policy: str
    columns: dict[str, str]  # column id -> label (inputs "in:<id>", outputs "out:<id>")
    rules: dict[str, dict[str, str]]  # rule id -> column label -> entry (and "description")


def dmn_decisions(files: Mapping[str, str]) -> dict[str, Decision]:
    """Every decision table of the bundle's DMN files, by decision id."""
    found = {}
    for name in sorted(files):
        if not name.endswith(".dmn"):
            continue
        root = parsed_xml(files[name])
        if root is None:
            continue
        for decision in root.iter():
            if local_name(decision) != "decision" or not decision.get("id"):
                continue
            table = next((c for c in decision if local_name(c) == "decisionTable"), None)
            if table is None:
                continue
            found[decision.get("id")] = _decision(decision, table, name)
    return found


def _decision(decision: Any, table: Any, file: str) -> Decision:
    inputs, outputs = [], []
    for column in table:
        local = local_name(column)
        if local == "input":
            expression = next((c for c in column if local_name(c) == "inputExpression"), None)
            label = column.get("label") or (node_text(expression) if expression is not None else "")
            inputs.append(label or column.get("id") or "")
        elif local == "output":
            outputs.append(column.get("label") or column.get("name") or column.get("id") or "")
    rules: dict[str, dict[str, str]] = {}
    for rule in table:
        if local_name(rule) != "rule":
            continue
        entries: dict[str, str] = {}
        input_entries = [c for c in rule if local_name(c) == "inputEntry"]
        output_entries = [c for c in rule if local_name(c) == "outputEntry"]
        for label, entry in zip(inputs, input_entries, strict=False):
            entries[f"in:{label}"] = node_text(entry) or "-"
        for label, entry in zip(outputs, output_entries, strict=False):
            entries[f"out:{label}"] = node_text(entry)
        description = next((c for c in rule if local_name(c) == "description"), None)
        if description is not None and node_text(description):
            entries["description"] = node_text(description)
        rules[rule.get("id") or f"row-{len(rules) + 1}"] = entries
    columns = {f"in:{label}": label for label in inputs} | {f"out:{label}": label for label in outputs}
    return Decision(
        decision.get("id"),
        decision.get("name") or decision.get("id"),
        file,
        table.get("hitPolicy") or "UNIQUE",
        columns,
        rules,
    )


def diff_decisions(before: Mapping[str, Decision], after: Mapping[str, Decision]) -> list[DecisionDiff]:
    found = []
    for decision_id in sorted(set(before) | set(after)):
        a, b = before.get(decision_id), after.get(decision_id)
        either = b or a
        assert either is not None  # noqa: S101 - one side always exists
        if a is None or b is None:
            status = ADDED if a is None else REMOVED
            rules = tuple(
                RuleDiff(
                    decision_id,
                    either.name,
                    rule_id,
                    status,
                    _entries({}, row) if a is None else _entries(row, {}),
                )
                for rule_id, row in either.rules.items()
            )
            found.append(DecisionDiff(decision_id, either.name, either.file, status, (), rules))
            continue
        changes = changes_between(
            {"hitPolicy": a.hit_policy, "columns": " | ".join(a.columns.values())},
            {"hitPolicy": b.hit_policy, "columns": " | ".join(b.columns.values())},
        )
        rule_diffs = []
        for rule_id in [*a.rules, *(r for r in b.rules if r not in a.rules)]:
            old, new = a.rules.get(rule_id), b.rules.get(rule_id)
            if old is None or new is None:
                status = ADDED if old is None else REMOVED
                rule_diffs.append(
                    RuleDiff(decision_id, b.name, rule_id, status, _entries(old or {}, new or {}))
                )
            elif old != new:
                rule_diffs.append(
                    RuleDiff(
                        decision_id, b.name, rule_id, CHANGED, _entries(old, new), changes_between(old, new)
                    )
                )
        if changes or rule_diffs:
            found.append(DecisionDiff(decision_id, b.name, b.file, CHANGED, changes, tuple(rule_diffs)))
    return found


def _entries(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[Change, ...]:
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(Change(key, before.get(key), after.get(key)) for key in keys)


# Forms and data labels ----------------------------------------------------------------------------------

_FIELD_KEYS = (
    "type",
    "title",
    "x-title-en",
    "description",
    "x-description-en",
    "enum",
    "x-enum-labels",
    "minimum",
    "maximum",
    "format",
    "$ref",
)
_LABEL_KEYS = ("title", "x-title-en", "x-kind", "x-written-by", "x-hidden", "x-enum-labels", "x-key-kind")


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def form_fields(schema: Any) -> dict[str, dict[str, str]]:
    """A form's fields by path, nested objects and array rows included, each with its compared keys."""
    found: dict[str, dict[str, str]] = {}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict) or not isinstance(node.get("properties"), dict):
            return
        required = set(node.get("required") or ())
        for name, prop in node["properties"].items():
            if not isinstance(prop, dict):
                continue
            path = f"{prefix}{name}"
            attributes = {key: _value(prop[key]) for key in _FIELD_KEYS if key in prop}
            attributes["required"] = "true" if name in required else "false"
            found[path] = attributes
            walk(prop, f"{path}.")
            walk(prop.get("items"), f"{path}[].")

    walk(schema, "")
    return found


def _titled(path: str, *sides: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    for side in sides:
        if path in side:
            return side[path].get("title", path), side[path].get("x-title-en", "")
    return path, ""


def _diff_fields(
    name: str, old: Mapping[str, Mapping[str, str]], new: Mapping[str, Mapping[str, str]]
) -> list[FieldDiff]:
    found = []
    for path in [*old, *(p for p in new if p not in old)]:
        a, b = old.get(path), new.get(path)
        title, title_en = _titled(path, new, old)
        if a is None:
            found.append(FieldDiff(name, path, ADDED, title, title_en, changes_between({}, b or {})))
        elif b is None:
            found.append(FieldDiff(name, path, REMOVED, title, title_en, changes_between(a, {})))
        elif a != b:
            found.append(FieldDiff(name, path, CHANGED, title, title_en, changes_between(a, b)))
    return found


def diff_forms(before: Mapping[str, str], after: Mapping[str, str]) -> list[FieldDiff]:
    found = []
    for name in sorted(set(before) | set(after)):
        if not name.endswith(".json") or name == DATA_LABELS_FILE or before.get(name) == after.get(name):
            continue
        found.extend(
            _diff_fields(name, form_fields(_json(before.get(name))), form_fields(_json(after.get(name))))
        )
    return found


def label_fields(text: str | None) -> dict[str, dict[str, str]]:
    """The data labels by key, each with its compared keys (a structure's fields as one JSON value)."""
    document = _json(text)
    labels = document.get("labels") if isinstance(document, dict) else None
    found = {}
    for key, node in (labels or {}).items():
        if not isinstance(node, dict):
            continue
        attributes = {k: _value(node[k]) for k in _LABEL_KEYS if k in node}
        rest = {k: v for k, v in node.items() if k not in _LABEL_KEYS}
        if rest:
            attributes["structure"] = _value(rest)
        found[key] = attributes
    return found


def diff_labels(before: str | None, after: str | None) -> list[FieldDiff]:
    if before == after:
        return []
    return _diff_fields(DATA_LABELS_FILE, label_fields(before), label_fields(after))
