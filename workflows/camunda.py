"""Camunda's extension attributes and elements: the spiff parser ignores them, so a Camunda model deployed
as it is would fail later with a misleading error (``No DMN Diagram available with id "None"``) or lose its
meaning silently. Deploy lists each one on its element, with what to write here instead."""

from __future__ import annotations

from typing import Any

from workflows.extensions import FORM_KEY, SERVICE_OPERATOR_ELEMENT

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_FIX = {
    "candidateGroups": "put the task in a lane named by the department's code (lanes name departments)",
    "candidateUsers": "put the task in a lane named by the department's code (tasks go to departments)",
    "assignee": "put the task in a lane named by the department's code (tasks go to departments)",
    "formKey": f"name the form's JSON schema with the spiffworkflow property {FORM_KEY}",
    "decisionRef": "name the decision with spiffworkflow:calledDecisionId",
    "collection": "give the multi-instance loopDataInputRef (the collection) and loopDataOutputRef",
    "elementVariable": "give the multi-instance an inputDataItem (the element's name)",
    "class": f"use a registered operator ({SERVICE_OPERATOR_ELEMENT})",
    "delegateExpression": f"use a registered operator ({SERVICE_OPERATOR_ELEMENT})",
    "expression": f"use a registered operator ({SERVICE_OPERATOR_ELEMENT})",
    "type": f"use a registered operator ({SERVICE_OPERATOR_ELEMENT})",
}
_GENERIC = "not read by this service: remove it or write it the SpiffWorkflow way"


def camunda_problems(file_name: str, root: Any) -> list[str]:
    """Each Camunda attribute or element in the parsed BPMN ``root``, on its element, with its fix."""
    problems: list[str] = []
    prefix = f"{{{CAMUNDA_NS}}}"
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions
        owner = _owner_id(node)
        for key in sorted(node.attrib):
            if key.startswith(prefix):
                name = key[len(prefix) :]
                problems.append(
                    f"{file_name}:{node.sourceline}:{owner}: camunda:{name} 本服务不读取 / camunda:{name} is"
                    f" ignored here: {_FIX.get(name, _GENERIC)}"
                )
        parent = node.getparent()
        if node.tag.startswith(prefix) and not (parent is not None and str(parent.tag).startswith(prefix)):
            name = node.tag[len(prefix) :]
            problems.append(
                f"{file_name}:{node.sourceline}:{owner}: camunda:{name} 本服务不读取 / camunda:{name} is"
                f" ignored here: {_GENERIC}"
            )
    return problems


def _owner_id(node: Any) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else ""
