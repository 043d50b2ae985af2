"""Element states of an instance for its BPMN diagram: completed, active (a person's turn) and waiting.

Framework-free: reads a loaded workflow, including the elements compaction cut out of its live task tree
(``workflows.engine.compact`` remembers them), and the element ids the audit log says have run (which
also covers instances compacted before the workflow remembered them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState

from workflows.extensions import english_names_in_xml
from workflows.serialization import compacted_elements
from workflows.specs import BPMN_SUFFIXES, as_utf8_xml

COMPLETED = "completed"
ACTIVE = "active"
WAITING = "waiting"
# When one element has several passes (a loop), the most current one wins.
_PRIORITY = {COMPLETED: 0, WAITING: 1, ACTIVE: 2}


def _mark(states: dict[str, str], bpmn_id: str, state: str) -> None:
    if _PRIORITY[state] > _PRIORITY.get(states.get(bpmn_id, ""), -1):
        states[bpmn_id] = state


def element_states(workflow: BpmnWorkflow, completed_elements: Iterable[str] = ()) -> dict[str, str]:
    """``{bpmn_id: state}`` for the elements of the top process that ran, wait for a person or wait.

    ``completed_elements`` are element ids known to have completed from elsewhere (the audit log); ids that
    are not elements of the top process are ignored. Internal specs (start/end joins, boundary splits) have
    no BPMN id and never appear.
    """
    known = {spec.bpmn_id for spec in workflow.spec.task_specs.values() if spec.bpmn_id}
    states: dict[str, str] = {}
    for element in {*completed_elements, *compacted_elements(workflow)}:
        if element in known:
            _mark(states, element, COMPLETED)
    for task in workflow.tasks.values():
        bpmn_id = task.task_spec.bpmn_id
        if not bpmn_id or bpmn_id not in known:
            continue
        if task.state == TaskState.COMPLETED:
            _mark(states, bpmn_id, COMPLETED)
        elif task.state == TaskState.WAITING:
            _mark(states, bpmn_id, WAITING)
        elif task.state == TaskState.READY and isinstance(task.task_spec, UserTask):
            _mark(states, bpmn_id, ACTIVE)
    return states


def element_names(workflow: BpmnWorkflow) -> dict[str, str]:
    """``{bpmn_id: name}`` of the top process' elements (the id where an element has no name)."""
    return spec_element_names(workflow.spec)


def spec_element_names(process_spec: Any) -> dict[str, str]:
    """``{bpmn_id: name}`` of a process spec's elements, for an instance whose state is no longer kept."""
    return {
        spec.bpmn_id: spec.bpmn_name or spec.bpmn_id
        for spec in process_spec.task_specs.values()
        if spec.bpmn_id
    }


def archived_states(process_spec: Any, path: Iterable[str]) -> dict[str, str]:
    """``{bpmn_id: completed}`` for the elements of ``path`` (what an archived instance ran, as recorded
    when its state was dropped) that the process spec still has."""
    known = spec_element_names(process_spec)
    return {element: COMPLETED for element in path if element in known}


def completed_from_events(events: Iterable[tuple[str, Mapping[str, Any] | None]]) -> set[str]:
    """Element ids that ran, from ``(action, payload)`` audit events of one instance.

    ``task_completed`` (a person completed a user task) and ``<kind>_executed`` (the engine ran a service
    task, a decision, a gateway or a timer) carry the element id in ``payload["element"]``.
    """
    found = set()
    for action, payload in events:
        if action != "task_completed" and not action.endswith("_executed"):
            continue
        element = (payload or {}).get("element")
        if isinstance(element, str) and element:
            found.add(element)
    return found


def process_file(files: Mapping[str, str], process_id: str) -> str | None:
    """The text of the ``.bpmn`` file of a bundle that defines ``process_id`` (any namespace prefix)."""
    pattern = re.compile(rf"<(?:[A-Za-z_][\w.-]*:)?process\s[^>]*?\bid=[\"']{re.escape(process_id)}[\"']")
    for name in sorted(files):
        if name.endswith(BPMN_SUFFIXES) and pattern.search(files[name]):
            return files[name]
    return None


def labelled_diagram(text: str, lane_label: Callable[[str], str], english: bool = False) -> str:
    """The BPMN XML ``text`` with names people read: each lane's department code (``police_bureau``,
    ``police_station:{town}``) replaced by ``lane_label(code)``, and on English pages every element's
    English name (``nameEn``) in place of its Chinese one, a pool by its process's English name.

    Only the copy served to the viewer changes, never the stored bundle. The text was parsed at deploy with
    the same safe settings (``workflows.specs._safe_xml``): no DTD, no entities, no network.
    """
    root = _parsed(text)
    english_of = english_names_in_xml(root) if english else {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        name = node.get("name")
        if local == "lane" and name:
            node.set("name", lane_label(name))
        elif node.get("id") in english_of:
            node.set("name", english_of[node.get("id")])
        elif local == "participant" and node.get("processRef") in english_of:
            node.set("name", english_of[node.get("processRef")])
    return str(etree.tostring(root, encoding="unicode"))


def english_names(text: str) -> dict[str, str]:
    """``{element id: English name}`` of a BPMN file's elements that declare one (``nameEn``)."""
    return english_names_in_xml(_parsed(text))


def _parsed(text: str) -> Any:
    # The settings deploy parses with (workflows.specs._safe_xml): no DTD, no entities, no network.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(as_utf8_xml(text), parser=parser)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ValueError("a BPMN file with a DOCTYPE is not served")
    return root
