"""Compare two bundles (issue 14, point 4): BPMN elements, DMN rules, form fields and data labels added,
removed or changed, each with the attributes that changed. Framework-free; the service names the attributes
for people (``service/usecases/workbench/version_diff.py``).

Elements are matched by process and id (the modeler keeps ids), DMN rules by decision and rule id, form
fields by file and path (``items.name``, ``rows[].score``), data labels by key. Every attribute value is a
string (lists sorted and joined, structures as canonical JSON), so two values compare as they read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser

from workflows.data_labels import DATA_LABELS_FILE
from workflows.specs import BPMN_SUFFIXES
from workflows.version_tables import (
    ADDED,
    CHANGED,
    REMOVED,
    Change,
    DecisionDiff,
    FieldDiff,
    changes_between,
    diff_decisions,
    diff_forms,
    diff_labels,
    dmn_decisions,
    local_name,
    node_text,
    parsed_xml,
)

# The BPMN elements compared one by one; anything else of a process (extension elements, documentation,
# the diagram's shapes) is an attribute of one of these or layout.
_FLOW_KINDS = {"task", "subProcess", "adHocSubProcess", "transaction", "callActivity", "sequenceFlow", "lane"}
_CONTAINERS = {"subProcess", "adHocSubProcess", "transaction", "laneSet", "childLaneSet", "lane"}
_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


@dataclass(frozen=True)
class Element:
    """A BPMN element as compared: where it is, what it is, and its attributes as strings."""

    process_id: str
    element_id: str
    kind: str
    file: str
    attributes: dict[str, str]

    @property
    def name(self) -> str:
        return self.attributes.get("name", "")

    @property
    def name_en(self) -> str:
        return self.attributes.get("property:nameEn", "")


@dataclass(frozen=True)
class ElementDiff:
    status: str
    before: Element | None
    after: Element | None
    changes: tuple[Change, ...] = ()

    @property
    def element(self) -> Element:
        found = self.after or self.before
        assert found is not None  # noqa: S101 - one side always exists
        return found


@dataclass(frozen=True)
class FileDiff:
    name: str
    status: str


@dataclass
class BundleDiff:
    files: list[FileDiff] = field(default_factory=list)
    elements: list[ElementDiff] = field(default_factory=list)
    decisions: list[DecisionDiff] = field(default_factory=list)
    fields: list[FieldDiff] = field(default_factory=list)
    labels: list[FieldDiff] = field(default_factory=list)  # form = data_labels.json, path = the key
    # Each version's elements (process id -> element id -> element): names of flows' ends, lanes, ...
    elements_before: dict[str, dict[str, Element]] = field(default_factory=dict)
    elements_after: dict[str, dict[str, Element]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.files or self.elements or self.decisions or self.fields or self.labels)


def diff_bundles(before: Mapping[str, str], after: Mapping[str, str]) -> BundleDiff:
    """Everything that differs between two bundles (file name -> text)."""
    result = BundleDiff()
    for name in sorted(set(before) | set(after)):
        if name not in before:
            result.files.append(FileDiff(name, ADDED))
        elif name not in after:
            result.files.append(FileDiff(name, REMOVED))
        elif before[name] != after[name]:
            result.files.append(FileDiff(name, CHANGED))
    result.elements_before = bpmn_elements(before)
    result.elements_after = bpmn_elements(after)
    result.elements = _diff_elements(result.elements_before, result.elements_after)
    result.decisions = diff_decisions(dmn_decisions(before), dmn_decisions(after))
    result.fields = diff_forms(before, after)
    result.labels = diff_labels(before.get(DATA_LABELS_FILE), after.get(DATA_LABELS_FILE))
    return result


def _diff_elements(
    before: Mapping[str, Mapping[str, Element]], after: Mapping[str, Mapping[str, Element]]
) -> list[ElementDiff]:
    found = []
    for process_id in sorted(set(before) | set(after)):
        old, new = before.get(process_id, {}), after.get(process_id, {})
        for element_id in sorted(set(old) | set(new)):
            a, b = old.get(element_id), new.get(element_id)
            if a is None:
                found.append(ElementDiff(ADDED, None, b))
            elif b is None:
                found.append(ElementDiff(REMOVED, a, None))
            else:
                changes = changes_between(a.attributes, b.attributes)
                if a.kind != b.kind:
                    changes = (Change("type", a.kind, b.kind), *changes)
                if changes:
                    found.append(ElementDiff(CHANGED, a, b, changes))
    return found


# BPMN ---------------------------------------------------------------------------------------------------


def _compared(kind: str) -> bool:
    return kind in _FLOW_KINDS or kind.endswith(("Task", "Event", "Gateway"))


def bpmn_elements(files: Mapping[str, str]) -> dict[str, dict[str, Element]]:
    """Every compared element of every process of the bundle's BPMN files."""
    found: dict[str, dict[str, Element]] = {}
    for name in sorted(files):
        if not name.endswith(BPMN_SUFFIXES):
            continue
        root = parsed_xml(files[name])
        if root is None:
            continue
        for process in root.iter():
            if local_name(process) == "process" and process.get("id"):
                found[process.get("id")] = _process_elements(process, name)
    return found


def _process_elements(process: Any, file: str) -> dict[str, Element]:
    nodes: list[Any] = []
    lanes: dict[str, str] = {}

    def walk(parent: Any) -> None:
        for child in parent:
            kind = local_name(child)
            if kind in ("", "extensionElements", "documentation"):
                continue
            if kind == "lane":
                for ref in child:
                    if local_name(ref) == "flowNodeRef" and ref.text:
                        lanes[ref.text.strip()] = child.get("name") or child.get("id") or ""
            if _compared(kind) and child.get("id"):
                nodes.append(child)
            if kind in _CONTAINERS:
                walk(child)

    walk(process)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for node in nodes:
        if local_name(node) == "sequenceFlow":
            source, target = node.get("sourceRef") or "", node.get("targetRef") or ""
            outgoing.setdefault(source, []).append(target)
            incoming.setdefault(target, []).append(source)
    elements = {}
    for node in nodes:
        kind = local_name(node)
        element_id = node.get("id")
        attributes = _attributes(node, kind)
        if kind not in ("sequenceFlow", "lane"):
            if element_id in lanes:
                attributes["lane"] = lanes[element_id]
            if element_id in incoming:
                attributes["incoming"] = _joined(incoming[element_id])
            if element_id in outgoing:
                attributes["outgoing"] = _joined(outgoing[element_id])
        elements[element_id] = Element(process.get("id"), element_id, kind, file, attributes)
    return elements


def _joined(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _attributes(node: Any, kind: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if node.get("name"):
        attributes["name"] = node.get("name")
    for key, attribute in (
        ("source", "sourceRef"),
        ("target", "targetRef"),
        ("default", "default"),
        ("attachedTo", "attachedToRef"),
        ("cancelActivity", "cancelActivity"),
        ("calledElement", "calledElement"),
    ):
        if node.get(attribute) is not None:
            attributes[key] = node.get(attribute)
    definitions = []
    for child in node:
        local = local_name(child)
        if local == "conditionExpression":
            attributes["condition"] = node_text(child)
        elif local == "script":
            attributes["script"] = node_text(child)
        elif local.endswith("LoopCharacteristics"):
            parts = [local, *(f"{k}={v}" for k, v in sorted(child.attrib.items()))]
            parts += [f"{local_name(c)}={node_text(c)}" for c in child if local_name(c)]
            attributes["loop"] = "; ".join(parts)
        elif local.endswith("EventDefinition"):
            definitions.append(local.removesuffix("EventDefinition"))
            for timer in child:
                if local_name(timer) in _TIMER_KINDS:
                    attributes["timer"] = f"{local_name(timer)}: {node_text(timer)}"
    if definitions:
        attributes["event"] = _joined(definitions)
    for key, value in SpiffTaskParser._parse_extensions(node).items():
        if key == "properties" and isinstance(value, dict):
            for prop, text in value.items():
                attributes[f"property:{prop}"] = str(text)
        else:
            attributes[f"extension:{key}"] = (
                value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
            )
    return attributes
