"""Camunda's extension attributes and elements: the spiff parser ignores them, so a Camunda model deployed
as it is would fail later with a misleading error (``No DMN Diagram available with id "None"``) or lose its
meaning silently. Deploy lists each one on its element, with what to write here instead."""

from __future__ import annotations

from typing import Any

from workflows.extensions import FORM_KEY, SERVICE_OPERATOR_ELEMENT
from workflows.problems import Problem

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_FIX = {  # attribute: (what to write instead, in Chinese, in English)
    "candidateGroups": (
        "请把任务放入以部门代码命名的泳道（泳道即部门）",
        "put the task in a lane named by the department's code (lanes name departments)",
    ),
    "candidateUsers": (
        "请把任务放入以部门代码命名的泳道（任务派给部门）",
        "put the task in a lane named by the department's code (tasks go to departments)",
    ),
    "assignee": (
        "请把任务放入以部门代码命名的泳道（任务派给部门）",
        "put the task in a lane named by the department's code (tasks go to departments)",
    ),
    "formKey": (
        f"请用 spiffworkflow 属性 {FORM_KEY} 写表单的 JSON Schema 文件名",
        f"name the form's JSON schema with the spiffworkflow property {FORM_KEY}",
    ),
    "decisionRef": (
        "请用 spiffworkflow:calledDecisionId 写决策 id",
        "name the decision with spiffworkflow:calledDecisionId",
    ),
    "collection": (
        "请给多实例写 loopDataInputRef（集合）和 loopDataOutputRef",
        "give the multi-instance loopDataInputRef (the collection) and loopDataOutputRef",
    ),
    "elementVariable": (
        "请给多实例写 inputDataItem（元素名）",
        "give the multi-instance an inputDataItem (the element's name)",
    ),
    **{
        key: (
            f"请使用已登记的操作（{SERVICE_OPERATOR_ELEMENT}）",
            f"use a registered operator ({SERVICE_OPERATOR_ELEMENT})",
        )
        for key in ("class", "delegateExpression", "expression", "type")
    },
}
_GENERIC = (
    "请删除，或按 SpiffWorkflow 的方式书写",
    "not read by this service: remove it or write it the SpiffWorkflow way",
)


def camunda_problems(file_name: str, root: Any) -> list[Problem]:
    """Each Camunda attribute or element in the parsed BPMN ``root``, on its element, with its fix."""
    problems: list[Problem] = []
    prefix = f"{{{CAMUNDA_NS}}}"

    def problem(node: Any, name: str, fix: tuple[str, str]) -> None:
        problems.append(
            Problem(
                f"camunda:{name} 本服务不读取：{fix[0]}",
                f"camunda:{name} is ignored here: {fix[1]}",
                file=file_name,
                line=node.sourceline,
                element_id=_owner_id(node) or None,
                rule="camunda",
            )
        )

    for node in root.iter():
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions
        for key in sorted(node.attrib):
            if key.startswith(prefix):
                name = key[len(prefix) :]
                problem(node, name, _FIX.get(name, _GENERIC))
        parent = node.getparent()
        if node.tag.startswith(prefix) and not (parent is not None and str(parent.tag).startswith(prefix)):
            problem(node, node.tag[len(prefix) :], _GENERIC)
    return problems


def _owner_id(node: Any) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else ""
