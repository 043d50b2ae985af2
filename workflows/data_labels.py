"""What each data key of a bundle's processes is called, for the people who read an instance's data.

A key a form writes is titled by that form (``title`` / ``x-title-en`` / ``x-enum-labels``). The keys the
service writes (start data a use case prepares, operators' results, decisions' outputs, scripts' variables)
are titled in the bundle's ``data_labels.json``, beside the models, in the same vocabulary as the forms:

    {"order": ["officer_name", "village_code", ...],
     "labels": {"village_code": {"title": "村（社区）", "x-title-en": "Village", "x-kind": "village",
                                 "x-written-by": "start"}, ...}}

A label is a node: ``title`` and ``x-title-en`` (both required), optionally ``x-kind`` (how a value is read,
``KINDS``), ``x-enum-labels`` (``{"zh": {code: label}, "en": {...}}``, the same codes in both), and for
structured values ``properties`` (an object's fields, or an array's columns under ``items``),
``items`` and ``additionalProperties`` with ``x-key-kind`` (a map keyed by village codes, say).
``x-hidden`` leaves out a field that only repeats another one (a village's name beside its code).
``x-written-by: "start"`` marks start data a use case prepares; every other label must name a key an
element of the bundle writes. ``order`` lists keys (a form's too) in the order people read them.

In a process whose tasks fill in a key with a form, the form's title wins (``subject`` is the campaign's
name on the recruitment's start form, and a post's description in post_hiring).

Checked at deploy (``label_problems``): a missing language, an unknown kind or keyword, a key nothing
writes, start data in a bundle no use case starts, an ``order`` naming a key without a label.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ServiceTask, UserTask

from workflows.data_keys import is_reserved_key
from workflows.extensions import start_declarations, user_task_info
from workflows.json_bounds import TooDeepError, loads_bounded

if TYPE_CHECKING:
    from workflows.specs import ProcessSpecs

DATA_LABELS_FILE = "data_labels.json"
KINDS = frozenset(
    {
        "text",
        "number",
        "money",
        "boolean",
        "date",
        "datetime",
        "deadline",
        "village",
        "town",
        "department",
        "user",
    }
)
_NODE_KEYWORDS = frozenset(
    {
        "title",
        "x-title-en",
        "x-kind",
        "x-enum-labels",
        "x-hidden",
        "properties",
        "items",
        "additionalProperties",
        "x-key-kind",
        "description",
        "x-description-en",
    }
)
_TOP_KEYWORDS = _NODE_KEYWORDS | {"x-written-by"}
_WRITERS = frozenset({"start"})


class DataLabelsError(Exception):
    """A data_labels.json that is not even the expected shape."""


def load_data_labels(text: str) -> dict[str, Any]:
    """Parse ``data_labels.json``; its content is checked by ``label_problems`` once the bundle is parsed."""
    try:
        labels = loads_bounded(text)
    except TooDeepError as error:
        raise DataLabelsError(f"{DATA_LABELS_FILE}: {error}") from error
    except json.JSONDecodeError as error:
        raise DataLabelsError(f"{DATA_LABELS_FILE} is not valid JSON: {error}") from error
    if not isinstance(labels, dict) or not isinstance(labels.get("labels"), dict):
        raise DataLabelsError(f'{DATA_LABELS_FILE} must be an object with "labels": {{key: label}}')
    if not isinstance(labels.get("order", []), list):
        raise DataLabelsError(f'{DATA_LABELS_FILE}: "order" must be a list of data keys')
    return labels


# -- what the bundle's elements write ---------------------------------------------------------------------


def _task_specs(specs: ProcessSpecs, process_id: str | None = None) -> Iterator[Any]:
    for pid in specs.process_ids if process_id is None else [process_id]:
        top, subs = specs.spec_for(pid)
        for wf_spec in (top, *subs.values()):
            yield from wf_spec.task_specs.values()


def form_fields(specs: ProcessSpecs, process_id: str | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each key a form of ``process_id`` (or of the whole bundle) writes, with the form's file name and the
    field's schema: the first form that has it, the start form first, then user tasks in model order."""
    pids = specs.process_ids if process_id is None else [process_id]
    names = [rule.form for pid in pids for rule in start_declarations(specs.top_level[pid])]
    names += [
        user_task_info(spec).form for spec in _task_specs(specs, process_id) if isinstance(spec, UserTask)
    ]
    fields: dict[str, tuple[str, dict[str, Any]]] = {}
    for name in names:
        schema = specs.forms.get(name) if name else None
        for key, node in ((schema or {}).get("properties") or {}).items():
            if isinstance(node, dict):
                fields.setdefault(key, (str(name), node))
    return fields


def written_keys(specs: ProcessSpecs) -> set[str]:
    """The top-level keys the bundle's service tasks, decisions and scripts write."""
    keys: set[str] = set()
    for spec in _task_specs(specs):
        if isinstance(spec, ServiceTask) and spec.result_variable:
            keys.add(spec.result_variable)
        elif isinstance(spec, BusinessRuleTask):
            keys.update(output.name for output in spec.dmnEngine.decision_table.outputs if output.name)
        elif isinstance(spec, ScriptTask) and spec.script:
            keys.update(_assigned_names(spec.script))
    return keys


def _assigned_names(script: str) -> set[str]:
    try:
        tree = ast.parse(script)
    except SyntaxError:  # the script's own check reports it
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def starts_by_use_case(specs: ProcessSpecs) -> bool:
    return any(rule is not None and rule.use_case for rule in specs.start_rules.values())


# -- the checks --------------------------------------------------------------------------------------------


def label_problems(specs: ProcessSpecs) -> list[str]:
    """Every reason the bundle's data labels cannot be used (empty without a data_labels.json)."""
    if not specs.data_labels:
        return []
    where = DATA_LABELS_FILE
    problems: list[str] = []
    forms = form_fields(specs)
    written = written_keys(specs)
    labels: Mapping[str, Any] = specs.data_labels["labels"]
    for key, node in labels.items():
        problems.extend(_node_problems(f"{where}: {key}", node, top=True))
        if not isinstance(node, dict):
            continue
        if node.get("x-written-by") == "start":
            if not starts_by_use_case(specs):
                problems.append(
                    f"{where}: {key} 标为启动数据，但没有流程由服务用例启动 / {key!r} is marked start data, "
                    "but no process of the bundle is started by a use case"
                )
        elif key not in written and key not in forms:
            problems.append(
                f"{where}: 没有环节写入数据项 {key} / unknown key {key!r}: no service task, decision or "
                'script of the bundle writes it (start data a use case prepares: "x-written-by": "start")'
            )
        if is_reserved_key(key):
            problems.append(
                f"{where}: {key} 是保留数据项，不向人展示 / {key!r} is a reserved key, never shown to people"
            )
    for key in specs.data_labels.get("order", []):
        if not isinstance(key, str) or (key not in labels and key not in forms):
            problems.append(f"{where}: order 中的 {key} 没有标签 / order names {key!r}, which has no label")
    return problems


def _node_problems(where: str, node: Any, top: bool = False, titled: bool = True) -> list[str]:
    if not isinstance(node, dict):
        return [f"{where}: a label must be an object"]
    problems = []
    unknown = sorted(set(node) - (_TOP_KEYWORDS if top else _NODE_KEYWORDS))
    if unknown:
        problems.append(
            f"{where}: 未知的关键字 {'、'.join(unknown)} / unknown keyword(s) {', '.join(unknown)}"
        )
    if titled or "title" in node or "x-title-en" in node:
        for keyword, language in (("title", "中文"), ("x-title-en", "English")):
            if not isinstance(node.get(keyword), str) or not node[keyword].strip():
                problems.append(f"{where}: 缺少{language}标题 / missing {language} title ({keyword})")
    for keyword in ("x-kind", "x-key-kind"):
        if keyword in node and node[keyword] not in KINDS:
            known = ", ".join(sorted(KINDS))
            problems.append(
                f"{where}: 未知的 {keyword} {node[keyword]!r}（可用：{known}）"
                f" / unknown {keyword} {node[keyword]!r} (known: {known})"
            )
    if "x-written-by" in node and node["x-written-by"] not in _WRITERS:
        writers = ", ".join(sorted(_WRITERS))
        problems.append(
            f"{where}: x-written-by 只能是 {writers} 之一 / x-written-by must be one of {writers}"
        )
    if "x-enum-labels" in node:
        problems.extend(_enum_problems(where, node["x-enum-labels"]))
    properties = node.get("properties", {})
    if not isinstance(properties, dict):
        problems.append(f"{where}: properties 须是对象 / properties must be an object")
        properties = {}
    for key, child in properties.items():
        problems.extend(_node_problems(f"{where}.{key}", child))
    for keyword in ("items", "additionalProperties"):
        if keyword in node:
            problems.extend(_node_problems(f"{where}[{keyword}]", node[keyword], titled=False))
    return problems


def _enum_problems(where: str, labels: Any) -> list[str]:
    if not isinstance(labels, dict) or not all(isinstance(labels.get(lang), dict) for lang in ("zh", "en")):
        return [
            f"{where}: x-enum-labels 须有中英文（zh 和 en） / x-enum-labels needs both languages, zh and en"
        ]
    zh, en = labels["zh"], labels["en"]
    if set(zh) != set(en):
        missing = sorted(set(zh) ^ set(en))
        return [
            f"{where}: x-enum-labels：代码 {'、'.join(missing)} 只有一种语言的标签"
            f" / x-enum-labels: codes {', '.join(missing)} are labelled in one language only"
        ]
    empty = [code for code in zh if not zh[code] or not en[code]]
    return [
        f"{where}: x-enum-labels：{code!r} 的标签为空 / x-enum-labels: empty label for {code!r}"
        for code in empty
    ]
